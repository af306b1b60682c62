/**
 * Intake in the record (SPEC 6.2): webhook events, stored before the 2xx and deduplicated across
 * every host by (source, idempotency_key), then processed after the reply; and leads
 * (tables/intake-leads.ts). Rows are listed newest first in pages (`after` = the last id).
 *
 * How a key is found differs by dialect (migrations/013-webhook-key-hash.ts): PostgreSQL has a unique
 * (source, idempotency_key) index and `on conflict do nothing`; SQLite has an index on `key_hash` (48
 * bits of the key's SHA-256) and a `not exists` check of the full key, exact under its single writer.
 */
import { CompiledQuery, type Generated } from 'kysely';
import { z } from 'zod';
import { sha256Hex } from '../../../domain/sha256.js';
import type { Executor, RepoContext } from '../context.js';
import type { LeadsTable } from './intake-leads.js';

export const WEBHOOK_STATUSES = ['stored', 'processed', 'quarantined'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

export interface IntakeTables {
  webhook_events: {
    id: Generated<number>;
    source: string;
    idempotency_key: string;
    /** webhookKeyHash(source, idempotency_key); always set on SQLite, null on PostgreSQL rows older than migration 13. */
    key_hash: number | null;
    status: WebhookStatus;
    received_at: string;
    processed_at: string | null;
    attempts: Generated<number>;
    error: string | null;
    payload: Buffer;
  };
  leads: LeadsTable;
}

export interface NewWebhookEvent {
  source: string;
  idempotencyKey: string;
  payload: Buffer;
  status: 'stored' | 'quarantined';
  error?: string | undefined;
}

export interface InsertResult {
  id: number;
  /** True when a row with the same source and idempotency key already existed (on any host). */
  duplicate: boolean;
  status: WebhookStatus;
}

export interface WebhookEventSummary {
  id: number;
  source: string;
  idempotency_key: string;
  status: WebhookStatus;
  received_at: string;
  processed_at: string | null;
  attempts: number;
  error: string | null;
}

export interface WebhookEvent extends WebhookEventSummary {
  payload: Buffer;
}

export interface WebhookListOptions {
  source?: string | undefined;
  status?: WebhookStatus | undefined;
  /** 1-500, default 50. */
  limit?: number | undefined;
  /** Cursor: only events older than this id (the `next` of the previous page). */
  after?: number | undefined;
}

export interface WebhookPage {
  events: WebhookEventSummary[];
  /** Cursor for the next page, or null at the end. */
  next: number | null;
}

export interface WebhookPayloadPage {
  /** Oldest first, with payloads. */
  events: WebhookEvent[];
  /** Cursor for the next page (pass it as `since`), or null at the end. */
  next: number | null;
}

const summaryRow = z.object({
  id: z.coerce.number().int(),
  source: z.string(),
  idempotency_key: z.string(),
  status: z.enum(WEBHOOK_STATUSES),
  received_at: z.string(),
  processed_at: z.string().nullable(),
  attempts: z.coerce.number().int(),
  error: z.string().nullable(),
});
const eventRow = summaryRow.extend({ payload: z.instanceof(Buffer) });

const SUMMARY_COLUMNS = [
  'id',
  'source',
  'idempotency_key',
  'status',
  'received_at',
  'processed_at',
  'attempts',
  'error',
] as const;

/** Rows per INSERT statement (SQLite allows 32,766 parameters; PostgreSQL 65,535). */
const INSERT_CHUNK = 200;
const MAX_ERROR_LENGTH = 2000;

const keyOf = (source: string, key: string) => `${source}\u0000${key}`;

/** 48 bits of SHA-256(source, key): a safe integer, the same in JavaScript, SQLite and PostgreSQL. */
export function webhookKeyHash(source: string, key: string): number {
  return Number.parseInt(sha256Hex(keyOf(source, key)).slice(0, 12), 16);
}

/**
 * The intake INSERT, written here rather than built by Kysely: at thousands of deliveries a second
 * the query builder's per-value nodes were a visible share of the CPU and garbage. On SQLite a batch
 * is cut into statements of these fixed sizes, so the few statement texts stay prepared (a text per
 * batch size would be prepared again and again); PostgreSQL prepares nothing, so it gets one per chunk.
 */
const SQLITE_ROWS = [128, 32, 8, 1];
const INTAKE_COLUMNS = '"source", "idempotency_key", "key_hash", "status", "received_at", "error", "payload"';
const PARAMETERS_PER_ROW = 7;
const statements = new Map<string, string>();

function insertText(dialect: RepoContext['dialect'], rows: number): string {
  const cacheKey = `${dialect}:${rows}`;
  let text = statements.get(cacheKey);
  if (text) return text;
  const tuples: string[] = [];
  for (let row = 0; row < rows; row += 1) {
    const base = row * PARAMETERS_PER_ROW;
    tuples.push(
      dialect === 'postgres'
        ? `(${Array.from({ length: PARAMETERS_PER_ROW }, (_, at) => `$${base + at + 1}`).join(', ')})`
        : `(${Array.from({ length: PARAMETERS_PER_ROW }, () => '?').join(', ')})`,
    );
  }
  const returning = 'returning "id", "source", "idempotency_key", "status"';
  text =
    dialect === 'postgres'
      ? `insert into "webhook_events" (${INTAKE_COLUMNS}) values ${tuples.join(', ')} ` +
        `on conflict ("source", "idempotency_key") do nothing ${returning}`
      : // VALUES columns are column1.. in INTAKE_COLUMNS order; a batch holds each key once (insertMany).
        `insert into "webhook_events" (${INTAKE_COLUMNS}) select * from (values ${tuples.join(', ')}) as "v" ` +
        `where not exists (select 1 from "webhook_events" as "w" where "w"."key_hash" = "v"."column3" ` +
        `and "w"."source" = "v"."column1" and "w"."idempotency_key" = "v"."column2") ${returning}`;
  if (statements.size < 64) statements.set(cacheKey, text);
  return text;
}

/** Chunk lengths for `count` rows: fixed sizes on SQLite, INSERT_CHUNK on PostgreSQL. */
function chunkLengths(dialect: RepoContext['dialect'], count: number): number[] {
  const lengths: number[] = [];
  let left = count;
  if (dialect === 'postgres') {
    for (; left > 0; left -= Math.min(left, INSERT_CHUNK)) lengths.push(Math.min(left, INSERT_CHUNK));
    return lengths;
  }
  for (const size of SQLITE_ROWS) {
    for (; left >= size; left -= size) lengths.push(size);
  }
  return lengths;
}

/** `limit + 1` rows read: the first `limit`, and the cursor (the last one's id) when there were more. */
function pageOf<T extends { id: number }>(rows: T[], limit: number): { events: T[]; next: number | null } {
  const more = rows.length > limit;
  const events = more ? rows.slice(0, limit) : rows;
  return { events, next: more ? (events[events.length - 1]?.id ?? null) : null };
}

export function createWebhookEventsRepo(exec: Executor, ctx: RepoContext) {
  return {
    /**
     * Store deliveries; a delivery whose (source, key) exists already — stored by any host, or
     * earlier in `events` — is a duplicate and answers the existing row. Results follow `events`.
     * Call it inside a transaction to commit other effects with the rows.
     */
    async insertMany(events: readonly NewWebhookEvent[]): Promise<InsertResult[]> {
      const receivedAt = new Date(ctx.now()).toISOString();
      const firstIndex = new Map<string, number>();
      const unique: NewWebhookEvent[] = [];
      for (const event of events) {
        const key = keyOf(event.source, event.idempotencyKey);
        if (firstIndex.has(key)) continue;
        firstIndex.set(key, unique.length);
        unique.push(event);
      }
      // One order on every host, so concurrent batches wait on the unique index instead of deadlocking.
      const ordered = [...unique].sort((a, b) =>
        keyOf(a.source, a.idempotencyKey) < keyOf(b.source, b.idempotencyKey) ? -1 : 1,
      );
      const inserted = new Map<string, InsertResult>();
      let start = 0;
      for (const length of chunkLengths(ctx.dialect, ordered.length)) {
        const parameters: unknown[] = [];
        for (let index = start; index < start + length; index += 1) {
          const event = ordered[index] as NewWebhookEvent;
          parameters.push(
            event.source,
            event.idempotencyKey,
            webhookKeyHash(event.source, event.idempotencyKey),
            event.status,
            receivedAt,
            event.error?.slice(0, MAX_ERROR_LENGTH) ?? null,
            event.payload,
          );
        }
        start += length;
        const { rows } = await exec.executeQuery<{
          id: number | string;
          source: string;
          idempotency_key: string;
          status: WebhookStatus;
        }>(CompiledQuery.raw(insertText(ctx.dialect, length), parameters));
        for (const row of rows) {
          inserted.set(keyOf(row.source, row.idempotency_key), {
            id: Number(row.id),
            duplicate: false,
            status: row.status,
          });
        }
      }
      const missing = unique.filter((event) => !inserted.has(keyOf(event.source, event.idempotencyKey)));
      const existing = new Map<string, InsertResult>();
      for (let start = 0; start < missing.length; start += INSERT_CHUNK) {
        const chunk = missing.slice(start, start + INSERT_CHUNK);
        let query = exec.selectFrom('webhook_events').select(['id', 'source', 'idempotency_key', 'status']);
        // SQLite finds keys by their hash (a collision's row is fetched too, and matches no key below).
        query =
          ctx.dialect === 'postgres'
            ? query.where('source', 'in', [...new Set(chunk.map((event) => event.source))]).where(
                'idempotency_key',
                'in',
                chunk.map((event) => event.idempotencyKey),
              )
            : query.where(
                'key_hash',
                'in',
                chunk.map((event) => webhookKeyHash(event.source, event.idempotencyKey)),
              );
        const rows = await query.execute();
        for (const row of rows) {
          existing.set(keyOf(row.source, row.idempotency_key), {
            id: Number(row.id),
            duplicate: true,
            status: row.status,
          });
        }
      }
      const seen = new Set<string>();
      return events.map((event) => {
        const key = keyOf(event.source, event.idempotencyKey);
        const first = !seen.has(key);
        seen.add(key);
        const own = inserted.get(key);
        if (own) return first ? own : { ...own, duplicate: true };
        const found = existing.get(key);
        if (!found) throw new Error(`webhook event ${event.source}/${event.idempotencyKey} vanished`);
        return found;
      });
    },

    async get(id: number): Promise<WebhookEvent | undefined> {
      const row = await exec
        .selectFrom('webhook_events')
        .select([...SUMMARY_COLUMNS, 'payload'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : eventRow.parse(row);
    },

    /** Newest first, `limit` per page; `next` is the cursor of the following page. */
    async list(options: WebhookListOptions = {}): Promise<WebhookPage> {
      const limit = Math.min(Math.max(Math.floor(options.limit ?? 50), 1), 500);
      let query = exec.selectFrom('webhook_events').select(SUMMARY_COLUMNS);
      if (options.source) query = query.where('source', '=', options.source);
      if (options.status) query = query.where('status', '=', options.status);
      if (options.after !== undefined) query = query.where('id', '<', options.after);
      const rows = (
        await query
          .orderBy('id', 'desc')
          .limit(limit + 1)
          .execute()
      ).map((row) => summaryRow.parse(row));
      return pageOf(rows, limit);
    },

    /**
     * Events of one source with their payloads, oldest first, `limit` per page (1-1000, default 500),
     * only those newer than `since` (the `next` of the previous page): one query per page, for work
     * that reads many events (pipeline enrichment).
     */
    async listPayloads(options: {
      source: string;
      since?: number | undefined;
      limit?: number | undefined;
    }): Promise<WebhookPayloadPage> {
      const limit = Math.min(Math.max(Math.floor(options.limit ?? 500), 1), 1000);
      const rows = (
        await exec
          .selectFrom('webhook_events')
          .select([...SUMMARY_COLUMNS, 'payload'])
          .where('source', '=', options.source)
          .where('id', '>', options.since ?? 0)
          .orderBy('id', 'asc')
          .limit(limit + 1)
          .execute()
      ).map((row) => eventRow.parse(row));
      return pageOf(rows, limit);
    },

    /** Ids of events still waiting for processing (fewer than `maxAttempts` tries), oldest first. */
    async pendingIds(limit: number, maxAttempts = 10): Promise<number[]> {
      const rows = await exec
        .selectFrom('webhook_events')
        .select('id')
        .where('status', '=', 'stored')
        .where('attempts', '<', maxAttempts)
        .orderBy('id', 'asc')
        .limit(Math.max(1, Math.floor(limit)))
        .execute();
      return rows.map((row) => Number(row.id));
    },

    /** Only a `stored` row flips, so two hosts processing one event change it once. */
    async markProcessed(id: number): Promise<boolean> {
      const result = await exec
        .updateTable('webhook_events')
        .set((eb) => ({
          status: 'processed',
          processed_at: new Date(ctx.now()).toISOString(),
          attempts: eb('attempts', '+', 1),
          error: null,
        }))
        .where('id', '=', id)
        .where('status', '=', 'stored')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Processing failed: stays `stored` for a retry, with the error and one more attempt counted. */
    async markFailed(id: number, error: string): Promise<void> {
      await exec
        .updateTable('webhook_events')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), error: error.slice(0, MAX_ERROR_LENGTH) }))
        .where('id', '=', id)
        .where('status', '=', 'stored')
        .execute();
    },

    async counts(): Promise<Record<WebhookStatus, number>> {
      const counts: Record<WebhookStatus, number> = { stored: 0, processed: 0, quarantined: 0 };
      const rows = await exec
        .selectFrom('webhook_events')
        .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      for (const row of rows) {
        const parsed = z.object({ status: z.enum(WEBHOOK_STATUSES), n: z.coerce.number() }).parse(row);
        counts[parsed.status] = parsed.n;
      }
      return counts;
    },
  };
}
export type WebhookEventsRepo = ReturnType<typeof createWebhookEventsRepo>;
