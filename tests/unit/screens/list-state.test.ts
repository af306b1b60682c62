import { describe, expect, it } from 'vitest';
import {
  applyFilter,
  initialListState,
  listReducer,
  type ListAction,
  type ListState,
} from '../../../src/screens/list-state.js';

const run = (state: ListState, ...actions: ListAction[]) => actions.reduce(listReducer, state);
const synced = (count: number, height: number) =>
  run(initialListState(height), { type: 'sync', count, height });

describe('listReducer', () => {
  it('moves the cursor and scrolls the window to keep it visible', () => {
    let s = synced(100, 10);
    s = run(s, { type: 'move', delta: 9 });
    expect([s.cursor, s.offset]).toEqual([9, 0]);
    s = run(s, { type: 'move', delta: 1 });
    expect([s.cursor, s.offset]).toEqual([10, 1]);
    s = run(s, { type: 'bottom' });
    expect([s.cursor, s.offset]).toEqual([99, 90]);
    s = run(s, { type: 'move', delta: 5 });
    expect([s.cursor, s.offset]).toEqual([99, 90]);
    s = run(s, { type: 'top' });
    expect([s.cursor, s.offset]).toEqual([0, 0]);
    s = run(s, { type: 'move', delta: -1 });
    expect([s.cursor, s.offset]).toEqual([0, 0]);
  });

  it('pages by the window height minus one', () => {
    const s = run(synced(100, 10), { type: 'page', direction: 1 }, { type: 'page', direction: 1 });
    expect([s.cursor, s.offset]).toEqual([18, 9]);
    expect(run(s, { type: 'page', direction: -1 }).cursor).toBe(9);
  });

  it('clamps when the list shrinks or the viewport resizes', () => {
    let s = run(synced(100, 10), { type: 'bottom' });
    s = run(s, { type: 'sync', count: 5, height: 10 });
    expect([s.cursor, s.offset]).toEqual([4, 0]);
    s = run(synced(100, 10), { type: 'select', index: 50 }, { type: 'sync', count: 100, height: 3 });
    expect([s.cursor, s.offset]).toEqual([50, 48]);
    expect(run(synced(0, 10), { type: 'move', delta: 1 }).cursor).toBe(0);
  });

  it('toggles marks by id and clears some or all of them', () => {
    let s = run(synced(10, 5), { type: 'toggleMark', id: 'a' }, { type: 'toggleMark', id: 'b' });
    expect([...s.marked]).toEqual(['a', 'b']);
    s = run(s, { type: 'toggleMark', id: 'a' });
    expect([...s.marked]).toEqual(['b']);
    s = run(s, { type: 'toggleMark', id: 'c' }, { type: 'clearMarks', ids: ['c'] });
    expect([...s.marked]).toEqual(['b']);
    expect(run(s, { type: 'clearMarks' }).marked.size).toBe(0);
  });

  it('resets the cursor when the filter changes, and returns the same state for no-ops', () => {
    const s = run(synced(10, 5), { type: 'move', delta: 3 }, { type: 'setFilter', filter: 'x' });
    expect([s.cursor, s.filter]).toEqual([0, 'x']);
    expect(listReducer(s, { type: 'setFilter', filter: 'x' })).toBe(s);
    expect(listReducer(s, { type: 'sync', count: 10, height: 5 })).toBe(s);
  });
});

describe('applyFilter', () => {
  const rows = ['pending alice@acme.io', 'approved bob@beta.io', 'pending carol@beta.io'];
  it('keeps case-insensitive substring matches', () => {
    expect(applyFilter(rows, 'BETA', (r) => r)).toEqual(rows.slice(1));
  });
  it('inverts with a leading !', () => {
    expect(applyFilter(rows, '!pending', (r) => r)).toEqual(['approved bob@beta.io']);
  });
  it('keeps everything for an empty filter or a bare !', () => {
    expect(applyFilter(rows, '', (r) => r)).toBe(rows);
    expect(applyFilter(rows, '!', (r) => r)).toBe(rows);
  });
});

describe('parseFilter', () => {
  it('reads a regular expression, a leading ! inverts, bad syntax is matched literally', async () => {
    const { parseFilter, applyFilter } = await import('../../../src/screens/list-state.js');
    expect(parseFilter('^lead[12]@')).toMatchObject({ pattern: '^lead[12]@', invert: false, literal: false });
    expect(parseFilter('!acme')).toMatchObject({ pattern: 'acme', invert: true });
    expect(parseFilter('a(b')).toMatchObject({ pattern: 'a\\(b', literal: true });
    const rows = ['lead1@x', 'lead2@y', 'lead30@z'];
    expect(applyFilter(rows, '^lead[12]@', (r) => r)).toEqual(['lead1@x', 'lead2@y']);
    expect(applyFilter(rows, '!^lead[12]@', (r) => r)).toEqual(['lead30@z']);
    expect(applyFilter(rows, 'LEAD3', (r) => r)).toEqual(['lead30@z']);
  });

  it('reopening / starts a fresh filter; marking all adds to the marks', async () => {
    const { initialListState, listReducer } = await import('../../../src/screens/list-state.js');
    let s = listReducer(initialListState(5), { type: 'setFilter', filter: 'old' });
    s = listReducer(s, { type: 'startFilter' });
    expect([s.filter, s.editing]).toEqual(['', true]);
    s = listReducer(s, { type: 'markAll', ids: ['a', 'b'] });
    expect([...s.marked]).toEqual(['a', 'b']);
  });
});
