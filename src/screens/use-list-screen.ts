import { useEffect, useMemo, useRef } from 'react';
import { useConsole } from './console-context.js';
import {
  bindingFor,
  disabledReason,
  resolveCommand,
  type Command,
  type CommandOf,
  type Scope,
} from './keymap.js';
import { applyFilter, initialListState, listReducer, type ListState } from './list-state.js';
import type { CommandRunner, KeyHandler, ScreenKeys } from './screen-props.js';
import type { EditKey } from './text-input.js';
import { useSyncReducer } from './use-sync-reducer.js';

export interface ListTarget<T> {
  current: T | undefined;
  /** Marked row ids (they survive paging, refreshes and filtering). */
  marked: readonly string[];
}

/** Rows held by the record, not in memory: the count and the rows of the window (the Queue). */
export interface RemoteRows<T> {
  count: number;
  rowAt(index: number): T | undefined;
}

export interface ListScreenOptions<T> {
  /** Rows held in memory, filtered here; or `remote` rows the record filters. */
  rows?: readonly T[];
  remote?: RemoteRows<T>;
  rowKey: (row: T) => string;
  /** The text `/` filters on (in-memory rows). */
  text: (row: T) => string;
  /** Visible table rows. */
  height: number;
  /** Screen scopes besides `list` (e.g. `queue`); overridden while the screen is in a mode. */
  scopes: readonly Scope[];
  keys: ScreenKeys;
  /** False while the first rows are on their way (the kept cursor is not clamped to 0 rows). */
  loaded?: boolean;
  /** Where the list's state is kept while another screen shows. */
  memoryKey: string;
  /** A screen command (not a list one); --readonly has already refused mutating ones. */
  onCommand: (command: Command, target: ListTarget<T>, arg?: string) => void;
  /** Sees every key first while the screen is in a mode of its own; returns true to consume it. */
  intercept?: (input: string, key: EditKey) => boolean;
  /** The scopes while the screen is in a mode (e.g. the draft view: `detail`, `queue`). */
  modeScopes?: () => readonly Scope[] | undefined;
}

export interface ListScreen<T> {
  list: ListState;
  /** In-memory rows after the filter (empty for remote rows). */
  shown: readonly T[];
  count: number;
  current: T | undefined;
  clearMarks(ids?: readonly string[]): void;
  markAll(ids: readonly string[]): void;
  move(delta: number): void;
  /** Put the cursor back on `index` (a refused action keeps it on its row). */
  select(index: number): void;
}

type ListHandler = (dispatch: (action: Parameters<typeof listReducer>[1]) => void) => void;

/** The `list` scope's handlers, one per command (a missing one does not compile). */
const LIST: Record<Exclude<CommandOf<'list'>, 'list.mark'>, ListHandler> = {
  'list.down': (d) => d({ type: 'move', delta: 1 }),
  'list.up': (d) => d({ type: 'move', delta: -1 }),
  'list.pageDown': (d) => d({ type: 'page', direction: 1 }),
  'list.pageUp': (d) => d({ type: 'page', direction: -1 }),
  'list.top': (d) => d({ type: 'top' }),
  'list.bottom': (d) => d({ type: 'bottom' }),
  'list.filter': (d) => d({ type: 'startFilter' }),
  'list.clearFilter': (d) => d({ type: 'setFilter', filter: '' }),
};

/**
 * The key handler of a list screen: the screen's own mode first (`intercept`), then the filter
 * being typed, then the keymap (`list` + the screen's scopes). State is read synchronously, so keys
 * arriving in one chunk act in order; it is kept in the console's memory across screen switches.
 */
export function useListScreen<T>(options: ListScreenOptions<T>): ListScreen<T> {
  const { rows, remote, height, keys, memoryKey } = options;
  const { readonly, notify, memory, services } = useConsole();
  const [list, dispatch, ref] = useSyncReducer(listReducer, () => {
    const kept = memory.get(memoryKey) as ListState | undefined;
    return kept ? { ...kept, editing: false } : initialListState(height);
  });
  const latest = useRef(options);
  latest.current = options;
  useEffect(() => {
    memory.set(memoryKey, list);
  }, [memory, memoryKey, list]);

  // Filtering in-memory rows is derived: memoised for render, recomputed on demand for keys.
  const cache = useRef<{ rows: readonly T[]; filter: string; shown: readonly T[] }>(undefined);
  const shownFor = (r: readonly T[], filter: string): readonly T[] => {
    const c = cache.current;
    if (c && c.rows === r && c.filter === filter) return c.shown;
    const shown = applyFilter(r, filter, latest.current.text);
    cache.current = { rows: r, filter, shown };
    return shown;
  };
  const noRows = useRef<readonly T[]>([]).current;
  const shown = useMemo(
    () => (remote ? noRows : shownFor(rows ?? noRows, list.filter)),
    [rows, remote, noRows, list.filter],
  );
  const count = remote ? remote.count : shown.length;

  const loaded = options.loaded ?? true;
  useEffect(() => {
    if (loaded) dispatch({ type: 'sync', count, height });
  }, [dispatch, count, height, loaded]);

  const currentAt = (index: number): T | undefined => {
    const o = latest.current;
    return o.remote ? o.remote.rowAt(index) : shownFor(o.rows ?? noRows, ref.current.filter)[index];
  };

  const handler = useRef<KeyHandler>(() => false);
  const runner = useRef<CommandRunner>(() => false);
  useEffect(
    () =>
      keys.attach(
        (input, key) => handler.current(input, key),
        (command, arg) => runner.current(command, arg),
      ),
    [keys],
  );
  handler.current = (input, key) => {
    const o = latest.current;
    // A key can arrive between a render and its effects: bring the row count up to date first.
    if (loaded) dispatch({ type: 'sync', count, height });
    if (o.intercept?.(input, key)) return true;
    if (ref.current.editing) {
      dispatch({ type: 'filterKey', input, key });
      return true;
    }
    const binding = resolveCommand(input, key, o.modeScopes?.() ?? ['list', ...o.scopes]);
    if (!binding) return false;
    const denied = disabledReason(binding, { readonly, role: services.role });
    if (denied) notify(denied, 'yellow');
    else command(binding.command);
    return true;
  };
  runner.current = (name, arg) => {
    const o = latest.current;
    if (!name.startsWith('list.') && !o.scopes.some((scope) => name.startsWith(`${scope}.`))) return false;
    const binding = bindingFor(name);
    const denied = binding ? disabledReason(binding, { readonly, role: services.role }) : undefined;
    if (denied) notify(denied, 'yellow');
    else command(name, arg);
    return true;
  };

  function command(name: Command, arg?: string): void {
    const o = latest.current;
    const state = ref.current;
    const current = currentAt(state.cursor);
    if (name === 'list.mark') {
      if (!current) return;
      dispatch({ type: 'toggleMark', id: o.rowKey(current) });
      return dispatch({ type: 'move', delta: 1 });
    }
    if (name in LIST) return LIST[name as keyof typeof LIST](dispatch);
    o.onCommand(name, { current, marked: [...state.marked] }, arg);
  }

  return {
    list,
    shown,
    count,
    current: remote ? remote.rowAt(list.cursor) : shown[list.cursor],
    clearMarks: (ids) => dispatch({ type: 'clearMarks', ...(ids ? { ids } : {}) }),
    markAll: (ids) => dispatch({ type: 'markAll', ids }),
    move: (delta) => dispatch({ type: 'move', delta }),
    select: (index) => dispatch({ type: 'select', index }),
  };
}
