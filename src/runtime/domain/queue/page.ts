/**
 * A page of the approval queue: what the console, `caio queue list` and `GET /api/queue` ask the record
 * for. Nothing reads the whole queue to show or count part of it: the record answers with one indexed,
 * paged query, and `total` counts the whole filtered set.
 */
import { z } from 'zod';
import { DRAFT_STATUSES, MOTIONS, type Draft } from './draft.js';

export const QUEUE_PAGE_MAX_LIMIT = 500;
export const QUEUE_SORTS = ['age', '-age'] as const;
/** `age`: oldest first (created_at ascending, the reviewing order); `-age`: newest first. */
export type QueueSort = (typeof QUEUE_SORTS)[number];

export const QueuePageQuerySchema = z.object({
  status: z.enum(DRAFT_STATUSES).optional(),
  motion: z.enum(MOTIONS).optional(),
  /** Case-insensitive substring over lead email, company and subject. */
  q: z.string().max(200).optional(),
  /** Case-insensitive regular expression over lead email, company and subject (the console's `/`). */
  pattern: z.string().max(200).optional(),
  /** Keep the rows that do NOT match `q` / `pattern` (the console's `/!`). */
  invert: z.boolean().optional(),
  sort: z.enum(QUEUE_SORTS).default('age'),
  limit: z.number().int().min(1).max(QUEUE_PAGE_MAX_LIMIT).default(50),
  /** Opaque: the `next` of the previous page. */
  cursor: z.string().max(500).optional(),
});
export type QueuePageQuery = z.input<typeof QueuePageQuerySchema>;
export type QueuePageQueryParsed = z.output<typeof QueuePageQuerySchema>;

export interface QueuePage {
  items: Draft[];
  /** Cursor of the next page, null on the last one. */
  next: string | null;
  /** How many drafts match the filter (all pages). */
  total: number;
}
