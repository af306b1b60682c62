import { describe, expect, it } from 'vitest';
import {
  PAGE_SIZE,
  emptyWindow,
  heldRows,
  invalidate,
  nextFetch,
  receive,
  rowAt,
  trim,
  type QueueWindow,
} from '../../../src/screens/queue-window.js';
import { arrayQueuePage } from '../../helpers/array-queue-page.js';
import { draft } from './fake-services.js';

const drafts = Array.from({ length: 1000 }, (_, i) => draft(i));

/** Fetch pages until rows [from, to) are held, the way the screen's hook does; returns the fetches. */
function fill(w: QueueWindow, from: number, to: number): { w: QueueWindow; fetches: string[] } {
  const fetches: string[] = [];
  for (let guard = 0; guard < 50; guard += 1) {
    const fetch = nextFetch(w, from, to);
    if (!fetch) return { w, fetches };
    fetches.push(`${fetch.chain}${fetch.index}`);
    const page = arrayQueuePage(drafts, {
      sort: fetch.chain === 'top' ? 'age' : '-age',
      limit: PAGE_SIZE,
      ...(fetch.cursor ? { cursor: fetch.cursor } : {}),
    });
    w = trim(receive(w, fetch, page), from, to);
  }
  throw new Error('the window never filled');
}

describe('the Queue window', () => {
  it('asks for the first page, then holds the rows on screen', () => {
    const { w, fetches } = fill(emptyWindow(), 0, 20);
    expect(fetches).toEqual(['top0']);
    expect(w.total).toBe(1000);
    expect(rowAt(w, 0)?.id).toBe(drafts[0]?.id);
    expect(rowAt(w, 19)?.id).toBe(drafts[19]?.id);
  });

  it('reaches the last rows with one page from the bottom (G), in the right order', () => {
    const first = fill(emptyWindow(), 0, 20).w;
    const { w, fetches } = fill(first, 980, 1000);
    expect(fetches).toEqual(['bottom0']);
    for (let i = 980; i < 1000; i += 1) expect(rowAt(w, i)?.id).toBe(drafts[i]?.id);
  });

  it('walks page by page when scrolling, keeping only the pages near the viewport', () => {
    let w = fill(emptyWindow(), 0, 20).w;
    const seen: string[] = [];
    for (let from = 0; from < 900; from += 20) {
      const step = fill(w, from, from + 20);
      w = step.w;
      seen.push(...step.fetches);
      for (let i = from; i < from + 20; i += 1) expect(rowAt(w, i)?.id).toBe(drafts[i]?.id);
      expect(heldRows(w)).toBeLessThanOrEqual(5 * PAGE_SIZE);
    }
    expect(seen).toEqual(['top1', 'top2', 'top3', 'top4', 'top5', 'top6', 'top7', 'top8']);
    // Back to the top: the cursors were kept, the far pages were dropped and are read again.
    const back = fill(w, 0, 20);
    expect(back.fetches).toEqual(['top0']);
  });

  it('re-reads the held pages after a change, showing the old rows meanwhile', () => {
    const held = fill(emptyWindow(), 0, 20).w;
    const stale = invalidate(held);
    expect(rowAt(stale, 5)?.id).toBe(drafts[5]?.id);
    expect(nextFetch(stale, 0, 20)).toMatchObject({ chain: 'top', index: 0 });
  });

  it('an empty list is asked again after a change (drafts may have arrived)', () => {
    const empty = receive(
      emptyWindow(),
      { chain: 'top', index: 0, cursor: undefined },
      {
        items: [],
        next: null,
        total: 0,
      },
    );
    expect(nextFetch(empty, 0, 20)).toBeUndefined();
    expect(nextFetch(invalidate(empty), 0, 20)).toMatchObject({ chain: 'top', index: 0 });
  });

  it('a page asked before a change stays stale when it arrives after it', () => {
    const w = invalidate(emptyWindow());
    const fetch = { chain: 'top' as const, index: 0, cursor: undefined, gen: 0 };
    const page = arrayQueuePage(drafts, { sort: 'age', limit: PAGE_SIZE });
    const got = receive(w, fetch, page);
    expect(nextFetch(got, 0, 20)).toMatchObject({ chain: 'top', index: 0 });
  });
});
