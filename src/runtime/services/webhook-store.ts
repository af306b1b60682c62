/**
 * Webhook events in SQLite (SPEC 6.2). A delivery is acknowledged only after its row is COMMITted
 * (WAL + synchronous=FULL: it survives kill -9 and power loss). Group commit keeps that fast: every
 * insert requested during one event-loop turn joins one transaction, flushed on `setImmediate`, and
 * each caller's promise settles after that single COMMIT. The unique (source, idempotency_key) index
 * makes a retried delivery an acknowledged duplicate instead of a second row.
 */
import { z } from 'zod';
import type { SqliteDatabase } from '../stores/sqlite/database.js';

export const WEBHOOK_STATUSES = ['stored', 'processed', 'quarantined'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

export interface NewWebhookEvent {
  source: string;
  idempotencyKey: string;
  payload: Buffer;
  status: 'stored' | 'quarantined';
  error?: string | undefined;
}

export interface InsertResult {
  id: number;
  /** True when a row with the same source and idempotency key already existed. */
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

export interface ListOptions {
  source?: string | undefined;
  status?: WebhookStatus | undefined;
  limit?: number | undefined;
  /** Cursor: only events older than this id (the `next` of the previous page). */
  after?: number | undefined;
}

export interface WebhookPage {
  events: WebhookEventSummary[];
  /** Cursor for the next page, or null at the end. */
  next: number | null;
}

export interface WebhookStore {
  /** Durably store one delivery; resolves after the COMMIT that contains it. */
  insert(event: NewWebhookEvent): Promise<InsertResult>;
  /** Commit whatever is pending now (shutdown). */
  flush(): Promise<void>;
  get(id: number): WebhookEvent | undefined;
  list(options?: ListOptions): WebhookPage;
  /** Ids of events still waiting for processing (fewer than `maxAttempts` tries), oldest first. */
  pendingIds(limit: number, maxAttempts?: number): number[];
  markProcessed(id: number): void;
  /** Processing failed: stays `stored` for a retry, with the error and one more attempt counted. */
  markFailed(id: number, error: string): void;
  counts(): Record<WebhookStatus, number>;
  /** Flush, then refuse new inserts. */
  close(): Promise<void>;
}

export interface WebhookStoreOptions {
  now?: () => number;
  /** Most rows per transaction (default 2000). */
  maxBatch?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('stored', 'processed', 'quarantined')),
  received_at TEXT NOT NULL,
  processed_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  payload BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS webhook_events_key ON webhook_events (source, idempotency_key);
CREATE INDEX IF NOT EXISTS webhook_events_status ON webhook_events (status, id);
`;

const summaryRow = z.object({
  id: z.number().int(),
  source: z.string(),
  idempotency_key: z.string(),
  status: z.enum(WEBHOOK_STATUSES),
  received_at: z.string(),
  processed_at: z.string().nullable(),
  attempts: z.number().int(),
  error: z.string().nullable(),
});
const eventRow = summaryRow.extend({ payload: z.instanceof(Buffer) });

const SUMMARY_COLUMNS = 'id, source, idempotency_key, status, received_at, processed_at, attempts, error';

interface Pending {
  event: NewWebhookEvent;
  resolve(result: InsertResult): void;
  reject(error: unknown): void;
}

export function createWebhookStore(db: SqliteDatabase, options: WebhookStoreOptions = {}): WebhookStore {
  const now = options.now ?? Date.now;
  const maxBatch = options.maxBatch ?? 2000;
  db.exec(SCHEMA);

  const insertStmt = db.prepare(
    `INSERT INTO webhook_events (source, idempotency_key, status, received_at, error, payload)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, idempotency_key) DO NOTHING`,
  );
  const existingStmt = db.prepare(
    'SELECT id, status FROM webhook_events WHERE source = ? AND idempotency_key = ?',
  );
  const getStmt = db.prepare(`SELECT ${SUMMARY_COLUMNS}, payload FROM webhook_events WHERE id = ?`);
  const pendingStmt = db.prepare(
    "SELECT id FROM webhook_events WHERE status = 'stored' AND attempts < ? ORDER BY id LIMIT ?",
  );
  const processedStmt = db.prepare(
    "UPDATE webhook_events SET status = 'processed', processed_at = ?, attempts = attempts + 1, error = NULL WHERE id = ? AND status = 'stored'",
  );
  const failedStmt = db.prepare(
    "UPDATE webhook_events SET attempts = attempts + 1, error = ? WHERE id = ? AND status = 'stored'",
  );
  const countStmt = db.prepare('SELECT status, COUNT(*) AS n FROM webhook_events GROUP BY status');

  const existingRow = z.object({ id: z.number().int(), status: z.enum(WEBHOOK_STATUSES) });

  const commitBatch = db.transaction((batch: Pending[]): InsertResult[] => {
    const receivedAt = new Date(now()).toISOString();
    return batch.map(({ event }) => {
      const info = insertStmt.run(
        event.source,
        event.idempotencyKey,
        event.status,
        receivedAt,
        event.error ?? null,
        event.payload,
      );
      if (info.changes === 1)
        return { id: Number(info.lastInsertRowid), duplicate: false, status: event.status };
      const existing = existingRow.parse(existingStmt.get(event.source, event.idempotencyKey));
      return { id: existing.id, duplicate: true, status: existing.status };
    });
  });

  const queue: Pending[] = [];
  let scheduled = false;
  let closed = false;

  const flushNow = () => {
    scheduled = false;
    while (queue.length > 0) {
      const batch = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue.splice(0);
      let results: InsertResult[];
      try {
        results = commitBatch(batch);
      } catch (error) {
        for (const item of batch) item.reject(error);
        continue;
      }
      batch.forEach((item, index) => item.resolve(results[index] as InsertResult));
    }
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flushNow);
  };

  return {
    insert(event) {
      if (closed) return Promise.reject(new Error('the webhook store is closed (shutting down)'));
      return new Promise<InsertResult>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        schedule();
      });
    },
    async flush() {
      flushNow();
    },
    get(id) {
      const row = getStmt.get(id);
      return row === undefined ? undefined : eventRow.parse(row);
    },
    list(listOptions = {}) {
      const limit = Math.min(Math.max(listOptions.limit ?? 50, 1), 500);
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (listOptions.source) {
        where.push('source = ?');
        params.push(listOptions.source);
      }
      if (listOptions.status) {
        where.push('status = ?');
        params.push(listOptions.status);
      }
      if (listOptions.after !== undefined) {
        where.push('id < ?');
        params.push(listOptions.after);
      }
      const sql = `SELECT ${SUMMARY_COLUMNS} FROM webhook_events ${
        where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''
      } ORDER BY id DESC LIMIT ?`;
      const rows = db
        .prepare(sql)
        .all(...params, limit + 1)
        .map((row) => summaryRow.parse(row));
      const more = rows.length > limit;
      const events = more ? rows.slice(0, limit) : rows;
      return { events, next: more ? (events[events.length - 1]?.id ?? null) : null };
    },
    pendingIds(limit, maxAttempts = 10) {
      return pendingStmt.all(maxAttempts, limit).map((row) => z.object({ id: z.number() }).parse(row).id);
    },
    markProcessed(id) {
      processedStmt.run(new Date(now()).toISOString(), id);
    },
    markFailed(id, error) {
      failedStmt.run(error.slice(0, 2000), id);
    },
    counts() {
      const counts: Record<WebhookStatus, number> = { stored: 0, processed: 0, quarantined: 0 };
      for (const row of countStmt.all()) {
        const parsed = z.object({ status: z.enum(WEBHOOK_STATUSES), n: z.number() }).parse(row);
        counts[parsed.status] = parsed.n;
      }
      return counts;
    },
    async close() {
      flushNow();
      closed = true;
    },
  };
}
