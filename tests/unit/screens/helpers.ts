/** Polling helpers for ink-testing-library: no fixed sleeps, a deadline instead. */

export async function waitFor<T>(
  probe: () => T | undefined | false,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Wait until the last frame contains `text` (or satisfies the predicate); returns that frame. */
export function waitForFrame(
  lastFrame: () => string | undefined,
  match: string | ((frame: string) => boolean),
  timeoutMs?: number,
): Promise<string> {
  const test = typeof match === 'string' ? (f: string) => f.includes(match) : match;
  return waitFor(
    () => {
      const frame = lastFrame();
      return frame !== undefined && test(frame) ? frame : undefined;
    },
    typeof match === 'string'
      ? `a frame containing ${JSON.stringify(match)}:\n${lastFrame() ?? ''}`
      : 'a matching frame',
    timeoutMs,
  );
}

export const KEYS = {
  down: '\u001B[B',
  up: '\u001B[A',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  backspace: '\u007F',
  pageDown: '\u001B[6~',
} as const;
