/**
 * The audit trail (SPEC 5): append-only rows in the embedded SQLite database, each hash-chained to
 * the previous one (see `domain/audit-chain.ts`).
 *
 * - `append` is synchronous and runs in a write transaction (BEGIN IMMEDIATE when called on its own,
 *   a savepoint inside a caller's `db.transaction(...)`), so a local change and its audit row commit
 *   together, and the previous hash is read under the write lock: processes sharing the file still
 *   form one chain. `seq` and `prev_hash` are unique, so even a caller that reads a stale head inside
 *   a deferred transaction fails instead of forking the chain. Callers that wrap `append` in their
 *   own transaction should start it with `.immediate()` (see docs/audit-and-traces.md).
 * - UPDATE and DELETE are refused by triggers; `verify` still recomputes every hash, so a row edited
 *   by someone who dropped a trigger or edited the file is found.
 * - `verifyAuditTrail` never writes: a missing table or trigger is a failure, repaired only by
 *   `repairAuditTriggers` (`caio audit repair-triggers`), which leaves an audit row saying so. The
 *   chain is also checked against every recorded head (audit-heads.ts): `recordHead` stores one in
 *   the caller's transaction (each release decision does).
 */
import { z } from 'zod';
import {
  GENESIS_HASH,
  chainFailure,
  nextAuditRow,
  verifyAuditChain,
  type AuditChainRow,
  type ChainBreak,
  type RecordedHead,
  type VerifyResult,
} from '../domain/audit-chain.js';
import { RefusedError, UserError } from '../errors.js';
import type { SqliteDatabase } from '../stores/sqlite/database.js';
import {
  AUDIT_HEADS_SCHEMA,
  AUDIT_HEADS_TABLE,
  AUDIT_HEADS_TRIGGERS,
  listAuditHeads,
  recordAuditHead,
} from './audit-heads.js';

export type { VerifyResult, ChainBreak, RecordedHead } from '../domain/audit-chain.js';
import { toAuditRow, type AuditEntry, type AuditRow } from '../stores/record/tables/audit.js';

export type { AuditEntry, AuditRow } from '../stores/record/tables/audit.js';

export interface AuditLog {
  append(entry: AuditEntry): AuditRow;
  /** Recompute the whole chain and check it against every recorded head (read only). */
  verify(): VerifyResult;
  /** Store the current head (in the caller's transaction when there is one). */
  recordHead(reason: string): RecordedHead;
  /** The last `n` rows, oldest first. */
  tail(n: number): AuditRow[];
  /** One row by its seq. */
  get(seq: number): AuditRow | undefined;
  count(): number;
}

export interface AuditLogOptions {
  now?: () => number;
}

export const AUDIT_TABLE = 'audit_log';
const TRIGGERS = {
  audit_log_no_update: 'UPDATE',
  audit_log_no_delete: 'DELETE',
} as const;

/** Every append-only trigger, with its table and event. */
const ALL_TRIGGERS: { name: string; table: string; event: string }[] = [
  ...Object.entries(TRIGGERS).map(([name, event]) => ({ name, table: AUDIT_TABLE, event })),
  ...Object.entries(AUDIT_HEADS_TRIGGERS).map(([name, event]) => ({ name, table: AUDIT_HEADS_TABLE, event })),
];

const AUDIT_SCHEMA = `CREATE TABLE IF NOT EXISTS ${AUDIT_TABLE} (
  seq INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL UNIQUE
)`;

const entrySchema = z.object({
  actor: z.string().trim().min(1, 'actor is required').max(200),
  action: z.string().trim().min(1, 'action is required').max(200),
  subject: z.string().trim().max(1000),
  details: z.unknown().optional(),
});

const rowSchema = z.object({
  seq: z.number().int().positive(),
  time: z.string().min(1),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  details: z.string(),
  prev_hash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

const COLUMNS = 'seq, time, actor, action, subject, details, prev_hash, hash';

function createTrigger(db: SqliteDatabase, trigger: { name: string; table: string; event: string }): void {
  db.exec(
    `CREATE TRIGGER IF NOT EXISTS ${trigger.name} BEFORE ${trigger.event} ON ${trigger.table} BEGIN SELECT RAISE(ABORT, '${trigger.table} is append-only: ${trigger.event} is not allowed'); END`,
  );
}

function tableExists(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

export interface AuditSchemaState {
  table: boolean;
  headsTable: boolean;
  missingTriggers: string[];
}

/** What exists of the audit schema (read only). */
export function inspectAuditSchema(db: SqliteDatabase): AuditSchemaState {
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[]).map(
      (row) => row.name,
    ),
  );
  const table = tableExists(db, AUDIT_TABLE);
  const headsTable = tableExists(db, AUDIT_HEADS_TABLE);
  return {
    table,
    headsTable,
    missingTriggers: ALL_TRIGGERS.filter(
      (trigger) => !present.has(trigger.name) && (trigger.table === AUDIT_TABLE ? table : headsTable),
    ).map((trigger) => trigger.name),
  };
}

/**
 * Create the tables with their triggers when they do not exist yet. Triggers missing from an
 * existing table are NOT restored here: that is evidence for `verify`, repaired on purpose only.
 */
function ensureSchema(db: SqliteDatabase): void {
  if (db.readonly) return;
  // Both tables there: nothing to create, so no write lock to wait for.
  if (tableExists(db, AUDIT_TABLE) && tableExists(db, AUDIT_HEADS_TABLE)) return;
  db.transaction(() => {
    for (const [name, schema] of [
      [AUDIT_TABLE, AUDIT_SCHEMA],
      [AUDIT_HEADS_TABLE, AUDIT_HEADS_SCHEMA],
    ] as const) {
      if (tableExists(db, name)) continue;
      db.exec(schema);
      for (const trigger of ALL_TRIGGERS.filter((t) => t.table === name)) createTrigger(db, trigger);
    }
  }).immediate();
}

function readRows(
  db: SqliteDatabase,
): Generator<AuditChainRow | { invalid: { seq: number; reason: string } }> {
  const all = db.prepare(`SELECT ${COLUMNS} FROM ${AUDIT_TABLE} ORDER BY seq ASC`);
  return (function* () {
    for (const raw of all.iterate()) {
      const parsed = rowSchema.safeParse(raw);
      if (parsed.success) yield parsed.data;
      else {
        const seq = Number((raw as { seq?: unknown }).seq);
        yield {
          invalid: {
            seq: Number.isFinite(seq) ? seq : 0,
            reason: parsed.error.issues
              .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
              .join('; '),
          },
        };
      }
    }
  })();
}

function schemaBreak(problem: ChainBreak['problem'], message: string, actual: string): ChainBreak {
  return { seq: 0, problem, message, expected: 'present', actual };
}

/**
 * Verify the audit trail in `db` without writing anything: the table and its append-only triggers
 * must exist, every row must chain, and the chain must hold every recorded head.
 */
export function verifyAuditTrail(db: SqliteDatabase): VerifyResult {
  const schema = inspectAuditSchema(db);
  const failures: string[] = [];
  if (!schema.headsTable)
    failures.push(`the ${AUDIT_HEADS_TABLE} table is missing (dropped?): recorded heads cannot be checked`);
  for (const name of schema.missingTriggers)
    failures.push(
      `append-only trigger ${name} is missing (dropped by hand?): UPDATE or DELETE were possible; restore it only after investigating`,
    );
  if (!schema.table) {
    return chainFailure(
      schemaBreak(
        'table_missing',
        `the ${AUDIT_TABLE} table is missing: the audit trail was dropped`,
        'missing',
      ),
      0,
      failures,
    );
  }
  const heads = listAuditHeads(db) ?? [];
  const result = verifyAuditChain(readRows(db), [], heads);
  if (!result.ok) return { ...result, failures: [...result.failures, ...failures] };
  if (failures.length === 0) return result;
  const first = schema.missingTriggers[0];
  return chainFailure(
    first
      ? schemaBreak('trigger_missing', failures.find((f) => f.includes(first)) ?? first, 'missing')
      : schemaBreak('table_missing', failures[0] ?? AUDIT_HEADS_TABLE, 'missing'),
    result.count,
    failures.filter((f) => !first || !f.includes(first)),
  );
}

/**
 * Restore missing append-only triggers (and a missing heads table), leaving an audit row that says
 * which. Refused when the audit table itself is gone: that needs investigating, not repairing.
 */
export function repairAuditTriggers(
  db: SqliteDatabase,
  actor: string,
  now: () => number = Date.now,
): string[] {
  const before = inspectAuditSchema(db);
  if (!before.table) {
    throw new RefusedError(
      `The ${AUDIT_TABLE} table is missing: there is nothing to repair, the trail was dropped`,
      'audit_table_missing',
      'Restore caio.db from a backup and find out who had write access to it.',
    );
  }
  const restored: string[] = [];
  db.transaction(() => {
    if (!before.headsTable) {
      db.exec(AUDIT_HEADS_SCHEMA);
      restored.push(AUDIT_HEADS_TABLE);
    }
    const after = inspectAuditSchema(db);
    for (const trigger of ALL_TRIGGERS.filter((t) => after.missingTriggers.includes(t.name))) {
      createTrigger(db, trigger);
      restored.push(trigger.name);
    }
    if (restored.length > 0) {
      const head = db.prepare(`SELECT seq, hash FROM ${AUDIT_TABLE} ORDER BY seq DESC LIMIT 1`).get() as
        { seq: number; hash: string } | undefined;
      const row = nextAuditRow(head, {
        time: new Date(now()).toISOString(),
        actor,
        action: 'audit.repair_triggers',
        subject: AUDIT_TABLE,
        details: { restored },
      });
      db.prepare(
        `INSERT INTO ${AUDIT_TABLE} (${COLUMNS}) VALUES (@seq, @time, @actor, @action, @subject, @details, @prev_hash, @hash)`,
      ).run(row);
    }
  }).immediate();
  return restored;
}

export function createAuditLog(db: SqliteDatabase, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? Date.now;
  ensureSchema(db);

  const headStmt = db.prepare(`SELECT seq, hash FROM ${AUDIT_TABLE} ORDER BY seq DESC LIMIT 1`);
  const insertStmt = db.prepare(
    `INSERT INTO ${AUDIT_TABLE} (${COLUMNS}) VALUES (@seq, @time, @actor, @action, @subject, @details, @prev_hash, @hash)`,
  );
  const tailStmt = db.prepare(
    `SELECT ${COLUMNS} FROM (SELECT ${COLUMNS} FROM ${AUDIT_TABLE} ORDER BY seq DESC LIMIT ?) ORDER BY seq ASC`,
  );
  const getStmt = db.prepare(`SELECT ${COLUMNS} FROM ${AUDIT_TABLE} WHERE seq = ?`);
  const countStmt = db.prepare(`SELECT count(*) AS n FROM ${AUDIT_TABLE}`).pluck();

  const appendTx = db.transaction((entry: z.output<typeof entrySchema>): AuditChainRow => {
    const head = headStmt.get() as { seq: number; hash: string } | undefined;
    const row = nextAuditRow(head, { ...entry, time: new Date(now()).toISOString() });
    insertStmt.run(row);
    return row;
  });

  return {
    append(entry) {
      const parsed = entrySchema.safeParse(entry);
      if (!parsed.success) {
        throw new UserError(
          `Invalid audit entry: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
          {
            code: 'audit_entry_invalid',
            nextStep: 'Give an actor (who), an action (what) and a subject (on what).',
          },
        );
      }
      // Nested inside a caller's transaction this becomes a savepoint; on its own, BEGIN IMMEDIATE.
      return toAuditRow(appendTx.immediate(parsed.data));
    },

    verify() {
      return verifyAuditTrail(db);
    },

    recordHead(reason) {
      const head = headStmt.get() as { seq: number; hash: string } | undefined;
      return recordAuditHead(
        db,
        head ?? { seq: 0, hash: GENESIS_HASH },
        reason,
        new Date(now()).toISOString(),
      );
    },

    tail(n) {
      const limit = Math.max(0, Math.floor(n));
      return (tailStmt.all(limit) as unknown[]).map((raw) => toAuditRow(rowSchema.parse(raw)));
    },

    get(seq) {
      const raw = getStmt.get(seq);
      return raw === undefined ? undefined : toAuditRow(rowSchema.parse(raw));
    },

    count() {
      return countStmt.get() as number;
    },
  };
}
