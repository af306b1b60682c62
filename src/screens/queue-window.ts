/**
 * The Queue screen's window onto the record, as pure functions: which pages are held, which page to
 * fetch next for the rows on screen, and which to drop. The record answers pages by an opaque cursor
 * (`next`), so the window walks two chains: from the top in the screen's sort order, and from the
 * bottom in the reverse order (`G` on 100,000 drafts is one page, not a thousand). Only the pages
 * near the viewport are kept; the cursors (short strings) are kept to come back.
 */
import type { DraftView } from './services.js';

export const PAGE_SIZE = 100;
/** Pages kept on each side of the viewport. */
const KEEP_PAGES = 2;

export type Chain = 'top' | 'bottom';

export interface HeldPage {
  items: readonly DraftView[];
  next: string | null;
  /** The window generation it was read in (older pages are shown until re-read). */
  gen: number;
}

export interface QueueWindow {
  /** Matching drafts, all pages (undefined until the first page arrives). */
  total: number | undefined;
  gen: number;
  top: ReadonlyMap<number, HeldPage>;
  /** Cursor of top page k (page 0 needs none). */
  topCursor: ReadonlyMap<number, string>;
  bottom: ReadonlyMap<number, HeldPage>;
  bottomCursor: ReadonlyMap<number, string>;
}

export interface PageFetch {
  chain: Chain;
  index: number;
  cursor: string | undefined;
  /** The window generation when it was asked (defaults to the current one). */
  gen?: number;
}

export function emptyWindow(): QueueWindow {
  return {
    total: undefined,
    gen: 0,
    top: new Map(),
    topCursor: new Map(),
    bottom: new Map(),
    bottomCursor: new Map(),
  };
}

/** The row at absolute index `i` (in the screen's order), when a held page covers it. */
export function rowAt(w: QueueWindow, i: number): DraftView | undefined {
  if (i < 0 || (w.total !== undefined && i >= w.total)) return undefined;
  const top = w.top.get(Math.floor(i / PAGE_SIZE))?.items[i % PAGE_SIZE];
  if (top) return top;
  if (w.total === undefined) return undefined;
  const fromEnd = w.total - 1 - i;
  return w.bottom.get(Math.floor(fromEnd / PAGE_SIZE))?.items[fromEnd % PAGE_SIZE];
}

/** Rows [from, to) as far as held (undefined where a page is still on its way). */
export function rowsIn(w: QueueWindow, from: number, to: number): (DraftView | undefined)[] {
  const end = w.total === undefined ? from : Math.min(to, w.total);
  const rows: (DraftView | undefined)[] = [];
  for (let i = from; i < end; i += 1) rows.push(rowAt(w, i));
  return rows;
}

function reachable(chain: Chain, w: QueueWindow, index: number): boolean {
  return index === 0 || (chain === 'top' ? w.topCursor : w.bottomCursor).has(index);
}

function fresh(page: HeldPage | undefined, gen: number): boolean {
  return page !== undefined && page.gen === gen;
}

/**
 * The next page to fetch so that rows [from, to) are held and fresh, or undefined when they are.
 * Prefers the chain that reaches the row in fewer fetches.
 */
export function nextFetch(w: QueueWindow, from: number, to: number): PageFetch | undefined {
  // Nothing yet, or an empty list that may have filled: ask for the first page.
  if (w.total === undefined || (w.total === 0 && !fresh(w.top.get(0), w.gen)))
    return { chain: 'top', index: 0, cursor: undefined };
  const end = Math.min(to, w.total);
  for (let i = Math.max(0, from); i < end; i += 1) {
    const k = Math.floor(i / PAGE_SIZE);
    const j = Math.floor((w.total - 1 - i) / PAGE_SIZE);
    if (fresh(w.top.get(k), w.gen) || fresh(w.bottom.get(j), w.gen)) continue;
    const options: { fetch: PageFetch; steps: number }[] = [];
    for (const [chain, target] of [
      ['top', k],
      ['bottom', j],
    ] as const) {
      const fetch = walkTo(w, chain, target);
      if (fetch) options.push({ fetch, steps: target - fetch.index });
    }
    options.sort((a, b) => a.steps - b.steps);
    if (options[0]) return options[0].fetch;
  }
  return undefined;
}

/** The page to fetch on the way to `target` of `chain` (the last reachable one before it). */
function walkTo(w: QueueWindow, chain: Chain, target: number): PageFetch | undefined {
  const held = chain === 'top' ? w.top : w.bottom;
  const cursors = chain === 'top' ? w.topCursor : w.bottomCursor;
  for (let index = target; index >= 0; index -= 1) {
    if (!reachable(chain, w, index)) continue;
    const page = held.get(index);
    // A fresh held page whose next cursor is unknown ends the chain (the last page).
    if (fresh(page, w.gen)) return undefined;
    return { chain, index, cursor: cursors.get(index) };
  }
  return undefined;
}

/** A page arrived: hold it, learn the cursor of the page after it, learn the total. */
export function receive(
  w: QueueWindow,
  fetch: PageFetch,
  page: { items: readonly DraftView[]; next: string | null; total: number },
): QueueWindow {
  const held = new Map(fetch.chain === 'top' ? w.top : w.bottom);
  const cursors = new Map(fetch.chain === 'top' ? w.topCursor : w.bottomCursor);
  // Stamped with the generation it was asked in: a change during the fetch makes it stale again.
  held.set(fetch.index, { items: page.items, next: page.next, gen: fetch.gen ?? w.gen });
  if (page.next !== null) cursors.set(fetch.index + 1, page.next);
  else for (const index of [...cursors.keys()]) if (index > fetch.index) cursors.delete(index);
  const next = { ...w, total: page.total };
  return fetch.chain === 'top'
    ? { ...next, top: held, topCursor: cursors }
    : { ...next, bottom: held, bottomCursor: cursors };
}

/** Drop the pages far from rows [from, to): memory stays bounded however far the operator scrolls. */
export function trim(w: QueueWindow, from: number, to: number): QueueWindow {
  if (w.total === undefined) return w;
  const total = w.total;
  const low = from - KEEP_PAGES * PAGE_SIZE;
  const high = to + KEEP_PAGES * PAGE_SIZE;
  const keep = (chain: Chain, pages: ReadonlyMap<number, HeldPage>) => {
    let dropped = false;
    const kept = new Map<number, HeldPage>();
    for (const [index, page] of pages) {
      const first = chain === 'top' ? index * PAGE_SIZE : total - (index + 1) * PAGE_SIZE;
      const last = first + PAGE_SIZE;
      if (last >= low && first <= high) kept.set(index, page);
      else dropped = true;
    }
    return dropped ? kept : pages;
  };
  const top = keep('top', w.top);
  const bottom = keep('bottom', w.bottom);
  return top === w.top && bottom === w.bottom ? w : { ...w, top, bottom };
}

/** Something changed in the record: re-read the held pages (shown meanwhile), by their cursors. */
export function invalidate(w: QueueWindow): QueueWindow {
  return { ...w, gen: w.gen + 1 };
}

/** How many drafts are held (the soak benchmark and tests check it stays bounded). */
export function heldRows(w: QueueWindow): number {
  let n = 0;
  for (const page of w.top.values()) n += page.items.length;
  for (const page of w.bottom.values()) n += page.items.length;
  return n;
}
