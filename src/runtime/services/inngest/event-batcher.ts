/**
 * Inngest events sent in batches, off the request path (SPEC 6.2). `enqueue` only appends to a
 * bounded buffer; a flush sends up to `maxBatch` events in one call (the SDK's `send` takes an
 * array: one POST to the event API), at most `concurrency` calls at a time. A partial batch leaves
 * only once its oldest event has waited `lingerMs` (a call that finishes does not send whatever few
 * events arrived meanwhile: under load that made many small calls, each costing the SDK's fixed
 * overhead on the event loop). A failed call keeps its
 * events at the front of the buffer and is retried with exponential backoff (capped, with jitter),
 * so an event API that is down for a while loses nothing. When the buffer is full, `enqueue`
 * refuses and the caller processes the event in-process instead; the stored webhook row is the
 * durable copy either way.
 */
export interface BatcherOptions<E> {
  send(events: E[]): Promise<unknown>;
  /** Events per call (default 200). */
  maxBatch?: number;
  /** Events waiting at most (default 20 000): `enqueue` refuses beyond. */
  maxBuffer?: number;
  /** Calls in flight at once (default 4). */
  concurrency?: number;
  /** Wait this long for more events before sending a partial batch (default 25 ms). */
  lingerMs?: number;
  /** First retry delay (default 100 ms), doubling up to `maxBackoffMs` (default 5 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  onError?(error: unknown, events: number, retryInMs: number): void;
}

export interface BatcherHealth {
  /** Events waiting or in flight. */
  pending: number;
  /** When calls started failing (ms since epoch); null once one goes through. */
  failingSince: number | null;
  /** The last failed call's error, while failing. */
  lastError: string | null;
}

export interface EventBatcher<E> {
  /** Queue one event; false when the buffer is full (the caller must handle it another way). */
  enqueue(event: E): boolean;
  /** Events waiting or in flight. */
  readonly pending: number;
  health(): BatcherHealth;
  /** Send everything now (retrying until `deadlineMs`); resolves with the events still unsent. */
  drain(deadlineMs?: number): Promise<E[]>;
}

export function createEventBatcher<E>(options: BatcherOptions<E>): EventBatcher<E> {
  const maxBatch = options.maxBatch ?? 200;
  const maxBuffer = options.maxBuffer ?? 20_000;
  const concurrency = options.concurrency ?? 4;
  const lingerMs = options.lingerMs ?? 25;
  const backoffMs = options.backoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;

  let buffer: E[] = [];
  let inFlight = 0;
  let inFlightEvents = 0;
  let failures = 0;
  let failingSince: number | null = null;
  let lastError: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let retryAt = 0;
  /** When the oldest buffered event arrived (0: the buffer is empty). */
  let oldestAt = 0;
  let draining = false;
  const idle: (() => void)[] = [];

  const schedule = (delayMs: number) => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, delayMs);
    timer.unref();
  };

  const settle = () => {
    if (buffer.length === 0 && inFlight === 0) for (const resolve of idle.splice(0)) resolve();
  };

  const sendBatch = (batch: E[]) => {
    inFlight += 1;
    inFlightEvents += batch.length;
    options
      .send(batch)
      .then(
        () => {
          failures = 0;
          retryAt = 0;
          failingSince = null;
          lastError = null;
        },
        (error: unknown) => {
          // Back to the front, in order: nothing is dropped, and the buffer bound still holds.
          buffer = batch.concat(buffer);
          failures += 1;
          failingSince ??= Date.now();
          lastError = error instanceof Error ? error.message : String(error);
          const delay = Math.min(maxBackoffMs, backoffMs * 2 ** (failures - 1));
          const jittered = Math.round(delay / 2 + Math.random() * (delay / 2));
          retryAt = Date.now() + jittered;
          options.onError?.(error, batch.length, jittered);
        },
      )
      .finally(() => {
        inFlight -= 1;
        inFlightEvents -= batch.length;
        settle();
        pump();
      });
  };

  /** `force`: send partial batches now (drain). */
  function pump(force = false): void {
    if (buffer.length === 0) {
      oldestAt = 0;
      return settle();
    }
    const at = Date.now();
    const wait = retryAt - at;
    if (wait > 0) return schedule(wait);
    // While failing, one call at a time probes the event API.
    const slots = failures > 0 ? Math.min(1, concurrency) : concurrency;
    while (inFlight < slots && buffer.length > 0) {
      const lingered = at - oldestAt;
      if (buffer.length < maxBatch && !force && !draining && lingered < lingerMs) {
        schedule(lingerMs - lingered);
        return;
      }
      const batch = buffer.slice(0, maxBatch);
      buffer = buffer.slice(batch.length);
      // What stays behind waited as long as the batch just sent (it arrived no earlier).
      if (buffer.length === 0) oldestAt = 0;
      sendBatch(batch);
    }
  }

  return {
    enqueue(event) {
      if (buffer.length + inFlightEvents >= maxBuffer) return false;
      if (buffer.length === 0) oldestAt = Date.now();
      buffer.push(event);
      if (buffer.length >= maxBatch) pump();
      else schedule(lingerMs);
      return true;
    },
    get pending() {
      return buffer.length + inFlightEvents;
    },
    health() {
      return { pending: buffer.length + inFlightEvents, failingSince, lastError };
    },
    async drain(deadlineMs = 5_000) {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      retryAt = 0;
      draining = true;
      pump(true);
      const done = new Promise<void>((resolve) => {
        idle.push(resolve);
        settle();
      });
      let deadline: NodeJS.Timeout | undefined;
      await Promise.race([
        done,
        new Promise<void>((resolve) => (deadline = setTimeout(resolve, deadlineMs))),
      ]);
      clearTimeout(deadline);
      draining = false;
      const left = buffer;
      buffer = [];
      oldestAt = 0;
      return left;
    },
  };
}
