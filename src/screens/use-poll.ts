import { useEffect, useRef, useState } from 'react';

export interface PollState<T> {
  data: T | undefined;
  error: string | undefined;
  /** A load is in flight (the spinner shows). */
  loading: boolean;
  /** Epoch ms of the last completed load. */
  checkedAt: number | undefined;
}

/**
 * Load now, then every `intervalMs`, off the render path: never two loads at once, one state update
 * per result (coalesced), the timer cleared on unmount. `token` forces a reload when it changes.
 * `load` must be stable (useCallback) or the poll restarts every render.
 */
export function usePoll<T>(
  load: (() => Promise<T>) | undefined,
  intervalMs: number,
  now: () => number,
  token = 0,
): PollState<T> & { reload(): void } {
  const [state, setState] = useState<PollState<T>>({
    data: undefined,
    error: undefined,
    loading: load !== undefined,
    checkedAt: undefined,
  });
  const kick = useRef<() => void>(() => {});
  useEffect(() => {
    if (!load) return;
    let stopped = false;
    let running = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      if (timer) clearTimeout(timer);
      setState((s) => (s.loading ? s : { ...s, loading: true }));
      let next: Partial<PollState<T>>;
      try {
        next = { data: await load(), error: undefined };
      } catch (error) {
        next = { error: error instanceof Error ? error.message : String(error) };
      }
      running = false;
      if (stopped) return;
      setState((s) => ({ ...s, ...next, loading: false, checkedAt: now() }));
      if (again) {
        again = false;
        void run();
      } else timer = setTimeout(() => void run(), intervalMs);
    };
    kick.current = () => void run();
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [load, intervalMs, now, token]);
  return { ...state, reload: () => kick.current() };
}

/** The current time, ticking every `intervalMs` (countdowns). */
export function useNow(now: () => number, intervalMs: number): number {
  const [value, setValue] = useState(now);
  useEffect(() => {
    const timer = setInterval(() => setValue(now()), intervalMs);
    return () => clearInterval(timer);
  }, [now, intervalMs]);
  return value;
}

/**
 * Poll a cheap change token every `intervalMs` off the render path and call `onChange` when it
 * moves (not on the first read). Holds no React state: an idle screen does not re-render.
 */
export function useChangeToken(
  read: (() => Promise<string>) | undefined,
  intervalMs: number,
  onChange: () => void,
): void {
  const latest = useRef(onChange);
  latest.current = onChange;
  useEffect(() => {
    if (!read) return;
    let stopped = false;
    let seen: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const token = await read();
        if (stopped) return;
        if (seen !== undefined && token !== seen) latest.current();
        seen = token;
      } catch {
        // A failed read changes nothing: the next one tries again (the pages show their own errors).
      }
      if (!stopped) timer = setTimeout(() => void run(), intervalMs);
    };
    void run();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [read, intervalMs]);
}
