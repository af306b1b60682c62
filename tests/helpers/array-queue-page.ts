/**
 * The queue's page query over drafts held in an array, for screen tests and the console benchmark:
 * the same contract as the record (regex per field, `!` invert, sort by age, opaque cursor), with
 * the cursor an offset. `sorted` is kept by creation order (oldest first) by the caller.
 */
import type { QueuePageQuery, QueuePageView, DraftView } from '../../src/screens/services.js';

export function arrayQueuePage(drafts: readonly DraftView[], query: QueuePageQuery): QueuePageView {
  const pattern = query.pattern ? new RegExp(query.pattern, 'i') : undefined;
  const needle = query.q?.toLowerCase();
  const filtered = Boolean(pattern || needle);
  const keep = (d: DraftView) => {
    if (!filtered) return true;
    const fields = [d.email, d.company, d.subject];
    const hit =
      (!pattern || fields.some((f) => pattern.test(f))) &&
      (!needle || fields.some((f) => f.toLowerCase().includes(needle)));
    return hit !== Boolean(query.invert);
  };
  const limit = query.limit ?? 50;
  const start = query.cursor ? Number(query.cursor) : 0;
  const items: DraftView[] = [];
  if (!filtered) {
    // No filter: the page is a slice (what an index on created_at gives the record).
    for (let k = start; k < Math.min(drafts.length, start + limit); k += 1) {
      items.push({ ...drafts[query.sort === '-age' ? drafts.length - 1 - k : k]! });
    }
    const end = start + items.length;
    return { items, next: end < drafts.length ? String(end) : null, total: drafts.length };
  }
  // One pass in the asked order: count every match, copy only the page's rows.
  let total = 0;
  const n = drafts.length;
  for (let k = 0; k < n; k += 1) {
    const row = drafts[query.sort === '-age' ? n - 1 - k : k]!;
    if (!keep(row)) continue;
    if (total >= start && items.length < limit) items.push({ ...row });
    total += 1;
  }
  const end = start + items.length;
  return { items, next: end < total ? String(end) : null, total };
}
