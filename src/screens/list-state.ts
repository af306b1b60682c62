/**
 * Navigation and selection of a list screen, as a pure reducer: cursor, scroll offset (the first
 * visible row), marks and the filter text. The row count and the viewport height come in as actions,
 * so the reducer never sees the rows themselves and a 10,000-row list costs the same as a 40-row one.
 */
import { editText, type EditKey } from './text-input.js';

export interface ListState {
  cursor: number;
  /** Index of the first visible row. */
  offset: number;
  count: number;
  height: number;
  /** Marked row ids (ids survive refreshes and filtering; indexes would not). */
  marked: ReadonlySet<string>;
  filter: string;
  /** The filter is being typed (the list holds the keys). */
  editing: boolean;
}

export type ListAction =
  | { type: 'sync'; count: number; height: number }
  | { type: 'move'; delta: number }
  | { type: 'top' }
  | { type: 'bottom' }
  | { type: 'page'; direction: 1 | -1 }
  | { type: 'toggleMark'; id: string }
  | { type: 'clearMarks'; ids?: readonly string[] }
  | { type: 'markAll'; ids: readonly string[] }
  | { type: 'setFilter'; filter: string }
  | { type: 'startFilter' }
  /** A keystroke while typing the filter: Enter keeps it, Esc clears it. */
  | { type: 'filterKey'; input: string; key: EditKey }
  | { type: 'select'; index: number };

export function initialListState(height = 10): ListState {
  return {
    cursor: 0,
    offset: 0,
    count: 0,
    height: Math.max(1, height),
    marked: new Set(),
    filter: '',
    editing: false,
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** Keep the cursor inside [0, count) and the window around the cursor. */
function settle(state: ListState, cursor: number): ListState {
  const count = state.count;
  const height = Math.max(1, state.height);
  const c = count === 0 ? 0 : clamp(cursor, 0, count - 1);
  let offset = state.offset;
  if (c < offset) offset = c;
  if (c >= offset + height) offset = c - height + 1;
  offset = clamp(offset, 0, Math.max(0, count - height));
  if (state.cursor === c && state.offset === offset) return state;
  return { ...state, cursor: c, offset };
}

export function listReducer(state: ListState, action: ListAction): ListState {
  switch (action.type) {
    case 'sync': {
      const height = Math.max(1, action.height);
      if (state.count === action.count && state.height === height) return state;
      return settle({ ...state, count: action.count, height }, state.cursor);
    }
    case 'move':
      return settle(state, state.cursor + action.delta);
    case 'top':
      return settle(state, 0);
    case 'bottom':
      return settle(state, state.count - 1);
    case 'page':
      return settle(state, state.cursor + action.direction * Math.max(1, state.height - 1));
    case 'select':
      return settle(state, action.index);
    case 'toggleMark': {
      const marked = new Set(state.marked);
      if (marked.has(action.id)) marked.delete(action.id);
      else marked.add(action.id);
      return { ...state, marked };
    }
    case 'markAll': {
      const marked = new Set(state.marked);
      for (const id of action.ids) marked.add(id);
      return { ...state, marked };
    }
    case 'clearMarks': {
      if (state.marked.size === 0) return state;
      if (!action.ids) return { ...state, marked: new Set() };
      const marked = new Set(state.marked);
      for (const id of action.ids) marked.delete(id);
      return { ...state, marked };
    }
    case 'setFilter':
      if (state.filter === action.filter) return state;
      return { ...state, filter: action.filter, cursor: 0, offset: 0 };
    case 'startFilter':
      // Reopening `/` starts a fresh filter (k9s): the old one does not get appended to.
      return state.editing ? state : { ...state, editing: true, filter: '', cursor: 0, offset: 0 };
    case 'filterKey': {
      const edit = editText(state.filter, action.input, action.key);
      const next = listReducer(state, {
        type: 'setFilter',
        filter: edit.done === 'cancel' ? '' : edit.value,
      });
      return edit.done ? { ...next, editing: false } : next;
    }
  }
}

/**
 * The filter as typed: a case-insensitive regular expression, a leading `!` keeping the rows that do
 * NOT match. Text that is not a valid regular expression is matched literally (`literal` says so).
 */
export function parseFilter(filter: string): {
  pattern: string;
  invert: boolean;
  regex: RegExp | undefined;
  literal: boolean;
} {
  const invert = filter.startsWith('!');
  const pattern = (invert ? filter.slice(1) : filter).trim();
  if (pattern === '') return { pattern, invert, regex: undefined, literal: false };
  try {
    return { pattern, invert, regex: new RegExp(pattern, 'i'), literal: false };
  } catch {
    const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return { pattern: escaped, invert, regex: new RegExp(escaped, 'i'), literal: true };
  }
}

/** Filter rows held in memory (batches, webhooks, traces) the way the Queue's record filters. */
export function applyFilter<T>(rows: readonly T[], filter: string, text: (row: T) => string): readonly T[] {
  const { regex, invert } = parseFilter(filter);
  if (!regex) return rows;
  return rows.filter((row) => regex.test(text(row)) !== invert);
}
