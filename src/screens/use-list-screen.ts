import { useEffect, useMemo, useRef } from 'react';
import { useConsole } from './console-context.js';
import { readonlyReason, resolveCommand, type Scope } from './keymap.js';
import { applyFilter, initialListState, listReducer, type ListState } from './list-state.js';
import type { KeyHandler, ScreenKeys } from './screen-props.js';
import type { EditKey } from './text-input.js';
import { useSyncReducer } from './use-sync-reducer.js';

export interface ListTarget<T> {
  current: T | undefined;
  marked: readonly T[];
}

export interface ListScreenOptions<T> {
  rows: readonly T[];
  rowKey: (row: T) => string;
  /** The text `/` filters on. */
  text: (row: T) => string;
  /** Visible table rows. */
  height: number;
  /** Screen scopes besides `list` (e.g. `queue`). */
  scopes: readonly Scope[];
  keys: ScreenKeys;
  /** A screen command (not a list one); --readonly has already refused mutating ones. */
  onCommand: (command: string, target: ListTarget<T>) => void;
  /** Sees every key first while the screen is in a mode of its own; returns true to consume it. */
  intercept?: (input: string, key: EditKey) => boolean;
}

export interface ListScreen<T> {
  list: ListState;
  shown: readonly T[];
  current: T | undefined;
  clearMarks(ids?: readonly string[]): void;
  move(delta: number): void;
}

/**
 * The key handler of a list screen: the screen's own mode first (`intercept`), then the filter
 * being typed, then the keymap (`list` + the screen's scopes). State is read synchronously, so keys
 * arriving in one chunk act in order.
 */
export function useListScreen<T>(options: ListScreenOptions<T>): ListScreen<T> {
  const { rows, text, height, keys } = options;
  const { readonly, notify } = useConsole();
  const [list, dispatch, ref] = useSyncReducer(listReducer, () => initialListState(height));
  const latest = useRef(options);
  latest.current = options;

  // Filtering is derived: memoised for render, recomputed on demand for keys ahead of a render.
  const cache = useRef<{ rows: readonly T[]; filter: string; shown: readonly T[] }>(undefined);
  const shownFor = (r: readonly T[], filter: string): readonly T[] => {
    const c = cache.current;
    if (c && c.rows === r && c.filter === filter) return c.shown;
    const shown = applyFilter(r, filter, latest.current.text);
    cache.current = { rows: r, filter, shown };
    return shown;
  };
  const shown = useMemo(() => shownFor(rows, list.filter), [rows, list.filter, text]);

  useEffect(() => dispatch({ type: 'sync', count: shown.length, height }), [dispatch, shown.length, height]);

  const handler = useRef<KeyHandler>(() => false);
  useEffect(() => keys.attach((input, key) => handler.current(input, key)), [keys]);
  handler.current = (input, key) => {
    const o = latest.current;
    if (o.intercept?.(input, key)) return true;
    if (ref.current.editing) {
      dispatch({ type: 'filterKey', input, key });
      return true;
    }
    const binding = resolveCommand(input, key, ['list', ...o.scopes]);
    if (!binding) return false;
    if (readonly && binding.mutating) notify(readonlyReason(binding), 'yellow');
    else command(binding.command);
    return true;
  };

  function command(name: string): void {
    const o = latest.current;
    const state = ref.current;
    const visible = shownFor(o.rows, state.filter);
    const current = visible[state.cursor];
    switch (name) {
      case 'list.down':
        return dispatch({ type: 'move', delta: 1 });
      case 'list.up':
        return dispatch({ type: 'move', delta: -1 });
      case 'list.pageDown':
        return dispatch({ type: 'page', direction: 1 });
      case 'list.pageUp':
        return dispatch({ type: 'page', direction: -1 });
      case 'list.top':
        return dispatch({ type: 'top' });
      case 'list.bottom':
        return dispatch({ type: 'bottom' });
      case 'list.mark':
        if (!current) return;
        dispatch({ type: 'toggleMark', id: o.rowKey(current) });
        return dispatch({ type: 'move', delta: 1 });
      case 'list.filter':
        return dispatch({ type: 'startFilter' });
      default:
        o.onCommand(name, {
          current,
          marked: o.rows.filter((row) => state.marked.has(o.rowKey(row))),
        });
    }
  }

  return {
    list,
    shown,
    current: shown[list.cursor],
    clearMarks: (ids) => dispatch({ type: 'clearMarks', ...(ids ? { ids } : {}) }),
    move: (delta) => dispatch({ type: 'move', delta }),
  };
}
