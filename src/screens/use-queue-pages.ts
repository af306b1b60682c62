import { useEffect, useReducer, useRef } from 'react';
import {
  PAGE_SIZE,
  emptyWindow,
  invalidate,
  nextFetch,
  receive,
  trim,
  type QueueWindow,
} from './queue-window.js';
import type { QueuePageQuery, QueuePort } from './services.js';
import { errorText } from './format.js';

export interface QueuePages {
  window: QueueWindow;
  /** The first page of this query has not arrived yet. */
  loading: boolean;
  error: string | undefined;
  /** Re-read the pages on screen (after an action, or when the change token moved). */
  refresh(): void;
}

/**
 * The pages of the queue around rows [from, to): fetched one at a time off the render path, the far
 * ones dropped, re-read (and shown meanwhile) on `refresh`. A new query starts a new window.
 */
export function useQueuePages(
  port: QueuePort | undefined,
  query: Omit<QueuePageQuery, 'cursor' | 'limit'>,
  from: number,
  to: number,
): QueuePages {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const key = JSON.stringify(query);
  const state = useRef<{
    key: string;
    window: QueueWindow;
    /** The last query's window, shown until this one's first page arrives (no flash per keystroke). */
    previous: QueueWindow | undefined;
    error: string | undefined;
    busy: boolean;
  }>({ key, window: emptyWindow(), previous: undefined, error: undefined, busy: false });
  if (state.current.key !== key) {
    const old = state.current;
    const previous = old.window.total !== undefined ? old.window : old.previous;
    state.current = { key, window: emptyWindow(), previous, error: undefined, busy: false };
  }
  const view = useRef({ from, to });
  view.current = { from, to };
  const pump = useRef<() => void>(() => {});

  pump.current = () => {
    const s = state.current;
    if (!port || s.busy) return;
    const { from: a, to: b } = view.current;
    s.window = trim(s.window, a, b);
    const next = nextFetch(s.window, a, b);
    if (!next) return;
    const fetch = { ...next, gen: s.window.gen };
    s.busy = true;
    const sort = query.sort === '-age' ? '-age' : 'age';
    const reverse = sort === 'age' ? '-age' : 'age';
    port
      .page({
        ...query,
        sort: fetch.chain === 'top' ? sort : reverse,
        limit: PAGE_SIZE,
        ...(fetch.cursor ? { cursor: fetch.cursor } : {}),
      })
      .then(
        (page) => {
          if (state.current !== s) return;
          s.window = receive(s.window, fetch, page);
          s.error = undefined;
        },
        (error: unknown) => {
          if (state.current !== s) return;
          s.error = errorText(error);
        },
      )
      .finally(() => {
        s.busy = false;
        if (state.current !== s) return;
        bump();
        if (!s.error) pump.current();
      });
  };

  useEffect(() => pump.current(), [key, from, to]);

  const s = state.current;
  const arrived = s.window.total !== undefined;
  return {
    window: arrived || !s.previous ? s.window : s.previous,
    loading: !arrived && !s.previous && !s.error,
    error: s.error,
    refresh: () => {
      s.window = invalidate(s.window);
      s.error = undefined;
      pump.current();
    },
  };
}
