/**
 * The audit trail (SPEC 5), one chain in the record for every host: `append` writes a hash-chained
 * row (see `stores/record/tables/audit.ts`), `verify` recomputes the chain and checks it against every
 * recorded head (`audit_heads`) without writing anything.
 *
 * A change and its audit row commit together: inside `record.transaction`, call `tx.audit.append`
 * (and `recordHead(tx, …)` for a head the change saw). This service is for rows that record no other
 * change of the record (a pipeline run, a golden case written to disk, a campaign paused at Instantly)
 * and for reading the trail.
 */
import {
  chainFailure,
  createChainVerifier,
  verifyAuditChain,
  type AuditChainRow,
  type ChainBreak,
  type VerifyResult,
} from '../domain/audit-chain.js';
import { RefusedError } from '../errors.js';
import type { RecordStore, Repos } from '../stores/record/record.js';
import { readLegacyAuditTrail } from '../stores/sqlite/legacy-audit.js';
import { AUDIT_HEADS_TABLE } from '../stores/record/tables/audit-heads.js';
import {
  AUDIT_TABLE,
  auditRowSchema,
  type AuditEntry,
  type AuditRow,
} from '../stores/record/tables/audit.js';

export type { VerifyResult, ChainBreak, RecordedHead } from '../domain/audit-chain.js';
export type { AuditEntry, AuditRow } from '../stores/record/tables/audit.js';

export interface AuditService {
  /**
   * Append one row in its own transaction. With `recordHead`, the row's own seq and hash are also
   * stored as a recorded head (that reason), in the same transaction.
   */
  append(entry: AuditEntry, options?: { recordHead?: string }): Promise<AuditRow>;
  /** The chain head, undefined when the trail is empty. */
  head(): Promise<{ seq: number; hash: string } | undefined>;
  /** Recompute the whole chain and check it against every recorded head (read only). */
  verify(): Promise<VerifyResult>;
  /** The last `n` rows, oldest first. */
  tail(n: number): Promise<AuditRow[]>;
  /** One row by its seq. */
  get(seq: number): Promise<AuditRow | undefined>;
  count(): Promise<number>;
}

export function createAuditService(record: Pick<RecordStore, 'transaction' | keyof Repos>): AuditService {
  return {
    async append(entry, options = {}) {
      const reason = options.recordHead;
      if (reason === undefined) return record.audit.append(entry);
      return record.transaction(async (tx) => {
        const row = await tx.audit.append(entry);
        await tx.auditHeads.record({ seq: row.seq, hash: row.hash, reason });
        return row;
      });
    },
    head: () => record.audit.head(),
    verify: () => verifyAuditTrail(record),
    tail: (n) => record.audit.tail(n),
    get: (seq) => record.audit.get(seq),
    count: () => record.audit.count(),
  };
}

function schemaBreak(problem: ChainBreak['problem'], message: string): ChainBreak {
  return { seq: 0, problem, message, expected: 'present', actual: 'missing' };
}

async function* readRows(
  repos: Pick<Repos, 'audit'>,
): AsyncGenerator<AuditChainRow | { invalid: { seq: number; reason: string } }> {
  for await (const raw of repos.audit.rows()) {
    const parsed = auditRowSchema.safeParse(raw);
    if (parsed.success) yield parsed.data;
    else {
      const seq = Number(raw.seq);
      yield {
        invalid: {
          seq: Number.isFinite(seq) ? seq : 0,
          reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
        },
      };
    }
  }
}

/**
 * Verify the record's audit trail without writing anything: the chain table, the heads table and
 * their append-only triggers must exist, every row must chain, and the chain must hold every
 * recorded head. Reports the first broken row.
 */
export async function verifyAuditTrail(repos: Pick<Repos, 'audit' | 'auditHeads'>): Promise<VerifyResult> {
  const [chain, heads] = await Promise.all([repos.audit.integrity(), repos.auditHeads.integrity()]);
  const failures: string[] = [];
  if (!heads.table)
    failures.push(`the ${AUDIT_HEADS_TABLE} table is missing (dropped?): recorded heads cannot be checked`);
  const missingTriggers = [
    ...(chain.table ? chain.missingTriggers : []),
    ...(heads.table ? heads.missingTriggers : []),
  ];
  for (const name of missingTriggers)
    failures.push(
      `append-only trigger ${name} is missing (dropped by hand?): UPDATE or DELETE were possible; restore it only after investigating`,
    );
  if (!chain.table)
    return chainFailure(
      schemaBreak('table_missing', `the ${AUDIT_TABLE} table is missing: the audit trail was dropped`),
      0,
      failures,
    );
  // Heads first, then the rows (in pages): a head recorded meanwhile is always below the rows read.
  const recorded = heads.table ? await repos.auditHeads.list() : [];
  const verifier = createChainVerifier(recorded);
  let result: VerifyResult | undefined;
  for await (const row of readRows(repos)) {
    result = verifier.push(row);
    if (result) break;
  }
  result ??= verifier.finish();
  if (!result.ok) return { ...result, failures: [...result.failures, ...failures] };
  if (failures.length === 0) return result;
  const first = missingTriggers[0];
  return chainFailure(
    first
      ? schemaBreak('trigger_missing', failures.find((f) => f.includes(first)) ?? first)
      : schemaBreak('table_missing', failures[0] ?? AUDIT_HEADS_TABLE),
    result.count,
    failures.filter((f) => !first || !f.includes(first)),
  );
}

/**
 * Restore missing append-only triggers (and a missing heads table), leaving an audit row that says
 * which, in one transaction. Refused when the chain table itself is gone: that needs investigating.
 */
export async function repairAuditTriggers(
  record: Pick<RecordStore, 'transaction' | 'audit'>,
  actor: string,
): Promise<string[]> {
  const before = await record.audit.integrity();
  if (!before.table) {
    throw new RefusedError(
      `The ${AUDIT_TABLE} table is missing: there is nothing to repair, the trail was dropped`,
      'audit_table_missing',
      'Restore the record from a backup and find out who had write access to it.',
    );
  }
  return record.transaction(async (tx) => {
    const restored = [...(await tx.audit.repair()), ...(await tx.auditHeads.repair())];
    if (restored.length > 0)
      await tx.audit.append({
        actor,
        action: 'audit.repair_triggers',
        subject: AUDIT_TABLE,
        details: { restored },
      });
    return restored;
  });
}

/**
 * The chain a host kept in its own HIVE_DIR/caio.db before it shared a PostgreSQL record (read only):
 * undefined when there is none, else its rows verified as a chain of their own.
 */
export function verifyLegacyTrail(path: string): { count: number; result: VerifyResult } | undefined {
  const legacy = readLegacyAuditTrail(path);
  if (!legacy || legacy.rows.length === 0) return undefined;
  const rows = legacy.rows.map((raw) => {
    const parsed = auditRowSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const seq = Number(raw.seq);
    return {
      invalid: { seq: Number.isFinite(seq) ? seq : 0, reason: parsed.error.issues[0]?.message ?? 'invalid' },
    };
  });
  return { count: legacy.rows.length, result: verifyAuditChain(rows, [], legacy.heads) };
}
