/**
 * The system of record of what was sent (SPEC 8), in the embedded SQLite database whatever the state
 * store: a Redis restart without persistence must never make an address sendable again.
 *
 * - `sent_log`: one row per dispatched draft (PRIMARY KEY draft_id: a draft is dispatched at most
 *   once, ever). `begin` writes the intent before the adapter is called; `complete` records the
 *   outcome. A partial unique index allows one live intent/send per address.
 * - `sent_addresses`: addresses that really received mail (whitelist/live sends, and sends recorded
 *   from Instantly webhooks). `log-only` dispatches are recorded in `sent_log` but never here.
 * - `suppressions`: bounces, unsubscribes, replies, interest marks.
 * - `ramp_events`: graduations and incidents (the ramp's durable history).
 *
 * Every method is synchronous (better-sqlite3) and each write is one IMMEDIATE transaction.
 */
import { z } from 'zod';
import type { SqliteDatabase } from '../stores/sqlite/database.js';
import type { RampDay } from '../domain/ramp.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sent_log (
  draft_id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL,
  canonical_email TEXT NOT NULL,
  email TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  mode TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('intent', 'sent', 'failed', 'unknown')),
  provider_id TEXT,
  detail TEXT,
  day TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS sent_log_one_live_send_per_address
  ON sent_log (canonical_email) WHERE status IN ('intent', 'sent', 'unknown') AND mode <> 'log-only';
CREATE INDEX IF NOT EXISTS sent_log_batch ON sent_log (batch_id);
CREATE INDEX IF NOT EXISTS sent_log_day ON sent_log (day);
CREATE TABLE IF NOT EXISTS sent_addresses (
  canonical_email TEXT PRIMARY KEY,
  first_sent_at TEXT NOT NULL,
  source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS suppressions (
  canonical_email TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  source TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ramp_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('graduation', 'incident')),
  tier INTEGER,
  day TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  note TEXT
);
`;

export type SentStatus = 'intent' | 'sent' | 'failed' | 'unknown';

const SentRowSchema = z.object({
  draft_id: z.string(),
  batch_id: z.string(),
  canonical_email: z.string(),
  email: z.string(),
  subject: z.string(),
  body: z.string(),
  mode: z.string(),
  status: z.enum(['intent', 'sent', 'failed', 'unknown']),
  provider_id: z.string().nullable(),
  detail: z.string().nullable(),
  day: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type SentRow = z.infer<typeof SentRowSchema>;

export interface SendIntent {
  draftId: string;
  batchId: string;
  canonicalEmail: string;
  email: string;
  subject: string;
  body: string;
  mode: string;
}

export type BeginResult =
  | { kind: 'new' }
  /** This draft was dispatched before (a resumed run): its row tells what happened. */
  | { kind: 'existing'; row: SentRow }
  | { kind: 'blocked'; reason: 'suppressed' | 'already_sent'; detail: string };

export interface SentLog {
  /**
   * Check that this draft may be sent and, with `writeIntent` (default), commit the intent row before
   * the adapter is called. Without it (adapters for which a repeat is harmless) nothing is written
   * and `complete` inserts the row with its outcome: one commit per item instead of two.
   */
  begin(intent: SendIntent, at: number, options?: { writeIntent?: boolean }): BeginResult;
  /** Record the outcome; `also` runs in the same transaction (an audit row, for one fsync). */
  complete(
    draftId: string,
    outcome: { status: Exclude<SentStatus, 'intent'>; providerId?: string | null; detail?: string | null },
    at: number,
    also?: () => void,
    /** Required when `begin` wrote no intent row. */
    intent?: SendIntent,
  ): void;
  get(draftId: string): SentRow | undefined;
  forBatch(batchId: string): SentRow[];
  countForBatch(batchId: string): number;
  /** Record an address as really sent to (Instantly `email_sent`, or our own live send). */
  recordAddressSent(canonicalEmail: string, source: string, at: number): void;
  suppress(canonicalEmail: string, reason: string, source: string, at: number): boolean;
  suppression(canonicalEmail: string): { reason: string; source: string; at: string } | undefined;
  /** Of the given addresses, which are suppressed (-> reason) and which were sent to. */
  lookup(canonicalEmails: readonly string[]): { suppressed: Map<string, string>; sent: Set<string> };
  /** Real (non log-only) sends and failures per UTC day, plus incidents, since `sinceDay`. */
  rampDays(sinceDay: string): RampDay[];
  rampTier(): { tier: number; graduatedOn: string | undefined };
  recordGraduation(tier: number, actor: string, note: string | null, at: number): void;
  recordIncident(actor: string, note: string, at: number): void;
}

const iso = (ms: number) => new Date(ms).toISOString();
const dayOf = (ms: number) => iso(ms).slice(0, 10);
const CHUNK = 500;
const SCAN_THRESHOLD = 1_000;

export function createSentLog(db: SqliteDatabase): SentLog {
  db.exec(SCHEMA);
  const q = {
    get: db.prepare('SELECT * FROM sent_log WHERE draft_id = ?'),
    insert: db.prepare(
      `INSERT INTO sent_log (draft_id, batch_id, canonical_email, email, subject, body, mode, status, day, created_at, updated_at)
       VALUES (@draftId, @batchId, @canonicalEmail, @email, @subject, @body, @mode, 'intent', @day, @at, @at)`,
    ),
    liveSendTo: db.prepare(
      `SELECT draft_id FROM sent_log WHERE canonical_email = ? AND status IN ('intent', 'sent', 'unknown') AND mode <> 'log-only' LIMIT 1`,
    ),
    complete: db.prepare(
      'UPDATE sent_log SET status = @status, provider_id = @providerId, detail = @detail, updated_at = @at WHERE draft_id = @draftId',
    ),
    forBatch: db.prepare('SELECT * FROM sent_log WHERE batch_id = ? ORDER BY created_at, draft_id'),
    countForBatch: db.prepare('SELECT count(*) AS n FROM sent_log WHERE batch_id = ?'),
    addSent: db.prepare(
      'INSERT OR IGNORE INTO sent_addresses (canonical_email, first_sent_at, source) VALUES (?, ?, ?)',
    ),
    isSent: db.prepare('SELECT 1 AS one FROM sent_addresses WHERE canonical_email = ?'),
    suppress: db.prepare(
      'INSERT OR IGNORE INTO suppressions (canonical_email, reason, source, at) VALUES (?, ?, ?, ?)',
    ),
    suppression: db.prepare('SELECT reason, source, at FROM suppressions WHERE canonical_email = ?'),
    days: db.prepare(
      `SELECT day, sum(status IN ('sent', 'unknown')) AS sent, sum(status = 'failed') AS failed
       FROM sent_log WHERE mode <> 'log-only' AND day >= ? GROUP BY day`,
    ),
    incidents: db.prepare(
      `SELECT day, count(*) AS n FROM ramp_events WHERE kind = 'incident' AND day >= ? GROUP BY day`,
    ),
    lastGraduation: db.prepare(
      `SELECT tier, day FROM ramp_events WHERE kind = 'graduation' ORDER BY seq DESC LIMIT 1`,
    ),
    allSuppressions: db.prepare('SELECT canonical_email, reason FROM suppressions'),
    allSent: db.prepare(
      `SELECT canonical_email FROM sent_addresses
       UNION ALL SELECT canonical_email FROM sent_log WHERE status IN ('intent', 'sent', 'unknown') AND mode <> 'log-only'`,
    ),
    addEvent: db.prepare(
      'INSERT INTO ramp_events (kind, tier, day, at, actor, note) VALUES (@kind, @tier, @day, @at, @actor, @note)',
    ),
  };
  const SuppressionRow = z.object({ reason: z.string(), source: z.string(), at: z.string() });

  const beginTx = db.transaction((intent: SendIntent, at: number, writeIntent: boolean): BeginResult => {
    const existing = q.get.get(intent.draftId);
    if (existing !== undefined) return { kind: 'existing', row: SentRowSchema.parse(existing) };
    const suppressed = q.suppression.get(intent.canonicalEmail);
    if (suppressed !== undefined) {
      const row = SuppressionRow.parse(suppressed);
      return {
        kind: 'blocked',
        reason: 'suppressed',
        detail: `address suppressed (${row.reason}, ${row.source})`,
      };
    }
    if (intent.mode !== 'log-only') {
      if (
        q.isSent.get(intent.canonicalEmail) !== undefined ||
        q.liveSendTo.get(intent.canonicalEmail) !== undefined
      ) {
        return { kind: 'blocked', reason: 'already_sent', detail: 'this address was already sent to' };
      }
    }
    if (writeIntent) q.insert.run({ ...intent, day: dayOf(at), at: iso(at) });
    return { kind: 'new' };
  });

  const completeTx = db.transaction(
    (
      draftId: string,
      status: Exclude<SentStatus, 'intent'>,
      providerId: string | null,
      detail: string | null,
      at: number,
      also: (() => void) | undefined,
      intent: SendIntent | undefined,
    ) => {
      if (intent && q.get.get(draftId) === undefined)
        q.insert.run({ ...intent, day: dayOf(at), at: iso(at) });
      q.complete.run({ draftId, status, providerId, detail, at: iso(at) });
      also?.();
      const row = q.get.get(draftId) as { canonical_email: string; mode: string } | undefined;
      if (status === 'sent' && row && row.mode !== 'log-only')
        q.addSent.run(row.canonical_email, iso(at), 'dispatch');
    },
  );

  return {
    begin: (intent, at, options) => {
      const writeIntent = options?.writeIntent ?? true;
      return writeIntent ? beginTx.immediate(intent, at, true) : beginTx.deferred(intent, at, false);
    },
    complete: (draftId, outcome, at, also, intent) =>
      completeTx.immediate(
        draftId,
        outcome.status,
        outcome.providerId ?? null,
        outcome.detail ?? null,
        at,
        also,
        intent,
      ),
    get(draftId) {
      const row = q.get.get(draftId);
      return row === undefined ? undefined : SentRowSchema.parse(row);
    },
    forBatch: (batchId) => q.forBatch.all(batchId).map((row) => SentRowSchema.parse(row)),
    countForBatch: (batchId) => (q.countForBatch.get(batchId) as { n: number }).n,
    recordAddressSent(canonicalEmail, source, at) {
      q.addSent.run(canonicalEmail, iso(at), source);
    },
    suppress(canonicalEmail, reason, source, at) {
      return q.suppress.run(canonicalEmail, reason, source, iso(at)).changes > 0;
    },
    suppression(canonicalEmail) {
      const row = q.suppression.get(canonicalEmail);
      return row === undefined ? undefined : SuppressionRow.parse(row);
    },
    lookup(canonicalEmails) {
      const suppressed = new Map<string, string>();
      const sent = new Set<string>();
      const unique = [...new Set(canonicalEmails)];
      if (unique.length > SCAN_THRESHOLD) {
        // Many addresses (a large preview): one scan of each table beats thousands of index probes.
        const wanted = new Set(unique);
        for (const row of q.allSuppressions.iterate() as Iterable<{
          canonical_email: string;
          reason: string;
        }>) {
          if (wanted.has(row.canonical_email)) suppressed.set(row.canonical_email, row.reason);
        }
        for (const row of q.allSent.iterate() as Iterable<{ canonical_email: string }>) {
          if (wanted.has(row.canonical_email)) sent.add(row.canonical_email);
        }
        return { suppressed, sent };
      }
      for (let i = 0; i < unique.length; i += CHUNK) {
        const chunk = unique.slice(i, i + CHUNK);
        const marks = chunk.map(() => '?').join(',');
        for (const row of db
          .prepare(`SELECT canonical_email, reason FROM suppressions WHERE canonical_email IN (${marks})`)
          .all(...chunk) as { canonical_email: string; reason: string }[]) {
          suppressed.set(row.canonical_email, row.reason);
        }
        for (const row of db
          .prepare(
            `SELECT canonical_email FROM sent_addresses WHERE canonical_email IN (${marks})
             UNION SELECT canonical_email FROM sent_log WHERE canonical_email IN (${marks})
               AND status IN ('intent', 'sent', 'unknown') AND mode <> 'log-only'`,
          )
          .all(...chunk, ...chunk) as { canonical_email: string }[]) {
          sent.add(row.canonical_email);
        }
      }
      return { suppressed, sent };
    },
    rampDays(sinceDay) {
      const byDay = new Map<string, RampDay>();
      const row = (day: string) => {
        let entry = byDay.get(day);
        if (!entry) byDay.set(day, (entry = { day, sent: 0, failed: 0, incidents: 0 }));
        return entry;
      };
      for (const r of q.days.all(sinceDay) as { day: string; sent: number; failed: number }[]) {
        Object.assign(row(r.day), { sent: r.sent, failed: r.failed });
      }
      for (const r of q.incidents.all(sinceDay) as { day: string; n: number }[]) row(r.day).incidents = r.n;
      return [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
    },
    rampTier() {
      const row = q.lastGraduation.get() as { tier: number; day: string } | undefined;
      return row ? { tier: row.tier, graduatedOn: row.day } : { tier: 0, graduatedOn: undefined };
    },
    recordGraduation(tier, actor, note, at) {
      q.addEvent.run({ kind: 'graduation', tier, day: dayOf(at), at: iso(at), actor, note });
    },
    recordIncident(actor, note, at) {
      q.addEvent.run({ kind: 'incident', tier: null, day: dayOf(at), at: iso(at), actor, note });
    },
  };
}
