/**
 * A cap on request bodies being read at the same time, across every route: at most `maxBodies`
 * bodies in flight and at most `maxBytes` bytes held by them together. A body reserves its declared
 * length (content-length) up front and grows chunk by chunk otherwise; a reservation that does not
 * fit is refused (503 `server_busy`) before anything is buffered. Slow or hostile senders therefore
 * cannot make the process hold more than `maxBytes` of request bodies, whatever their number.
 */
export interface BodyGateOptions {
  /** Bodies read at the same time (default 128). */
  maxBodies?: number;
  /** Bytes held by all bodies being read together (default 32 MiB). */
  maxBytes?: number;
}

export interface BodyTicket {
  /** Account `bytes` more for this body; false when the shared budget cannot take them. */
  grow(bytes: number): boolean;
  release(): void;
}

export interface BodyGate {
  /** A ticket for one body that will hold at least `reserveBytes`, or undefined when full. */
  acquire(reserveBytes: number): BodyTicket | undefined;
  readonly bodies: number;
  readonly bytes: number;
}

export const DEFAULT_MAX_BODIES = 128;
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

export function createBodyGate(options: BodyGateOptions = {}): BodyGate {
  const maxBodies = options.maxBodies ?? DEFAULT_MAX_BODIES;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  let bodies = 0;
  let bytes = 0;
  return {
    get bodies() {
      return bodies;
    },
    get bytes() {
      return bytes;
    },
    acquire(reserveBytes) {
      if (bodies >= maxBodies || bytes + reserveBytes > maxBytes) return undefined;
      bodies += 1;
      bytes += reserveBytes;
      let held = reserveBytes;
      let released = false;
      return {
        grow(more) {
          if (released) return false;
          if (bytes + more > maxBytes) return false;
          bytes += more;
          held += more;
          return true;
        },
        release() {
          if (released) return;
          released = true;
          bodies -= 1;
          bytes -= held;
        },
      };
    },
  };
}
