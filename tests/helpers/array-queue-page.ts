/**
 * The queue's page query over drafts held in an array, for screen tests and the console benchmark:
 * the same contract as the record (regex per field, `!` invert, sort by age, opaque cursor), with
 * the cursor an offset. `sorted` is kept by creation order (oldest first) by the caller.
 */
import type { QueuePageQuery, QueuePageView, DraftView } from '../../src/screens/services.js';

export function arrayQueuePage(drafts: readonly DraftView[], query: QueuePageQuery): QueuePageView {
  const pattern = query.pattern ? new RegExp(query.pattern, 'i') : undefined;
  const needle = query.q?.toLowerCase();
  const fields = (d: DraftView) => [d.email, d.company, d.subject];
  const rows =
    pattern || needle
      ? drafts.filter((d) => {
          const hit =
            (!pattern || fields(d).some((f) => pattern.test(f))) &&
            (!needle || fields(d).some((f) => f.toLowerCase().includes(needle)));
          return hit !== Boolean(query.invert);
        })
      : drafts;
  const limit = query.limit ?? 50;
  const start = query.cursor ? Number(query.cursor) : 0;
  const total = rows.length;
  const items: DraftView[] = [];
  for (let i = start; i < Math.min(total, start + limit); i += 1) {
    const row = query.sort === '-age' ? rows[total - 1 - i] : rows[i];
    if (row) items.push({ ...row });
  }
  const end = start + items.length;
  return { items, next: end < total ? String(end) : null, total };
}
