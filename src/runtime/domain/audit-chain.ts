/**
 * The audit hash chain, as pure functions: the canonical serialisation of a row, its SHA-256 hash
 * chained to the previous row's hash, and the verification of a sequence of rows. No I/O here: the
 * record's audit service (`services/audit.ts`) feeds rows in and stores what these functions compute.
 *
 * hash(row) = SHA-256 hex of the UTF-8 JSON array
 *   ["caio-audit-v1", seq, time, actor, action, subject, details_json, prev_hash]
 * where details_json is the canonical JSON of `details` (object keys sorted, no whitespace). The seq
 * is inside the hash, so reordering rows or renumbering them breaks the chain as surely as editing one.
 */
import { createHash } from 'node:crypto';

export const AUDIT_CHAIN_VERSION = 'caio-audit-v1';
/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRowContent {
  seq: number;
  /** ISO-8601 UTC, e.g. 2026-11-21T10:04:05.123Z. */
  time: string;
  actor: string;
  action: string;
  subject: string;
  /** Canonical JSON text of the details (`null` when there are none). */
  details: string;
  prev_hash: string;
}

export interface AuditChainRow extends AuditRowContent {
  hash: string;
}

/** JSON with object keys sorted at every depth; `undefined` becomes null at the top, dropped inside objects. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value === undefined ? null : value));
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number' && !Number.isFinite(value)) return null;
    return value;
  }
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return sortKeys(withJson.toJSON());
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out[key] = sortKeys(item);
  }
  return out;
}

export function hashAuditRow(row: AuditRowContent): string {
  const material = JSON.stringify([
    AUDIT_CHAIN_VERSION,
    row.seq,
    row.time,
    row.actor,
    row.action,
    row.subject,
    row.details,
    row.prev_hash,
  ]);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

/** The row that follows `previous` (undefined = the first row). */
export function nextAuditRow(
  previous: Pick<AuditChainRow, 'seq' | 'hash'> | undefined,
  entry: { time: string; actor: string; action: string; subject: string; details?: unknown },
): AuditChainRow {
  const content: AuditRowContent = {
    seq: previous ? previous.seq + 1 : 1,
    time: entry.time,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    details: canonicalJson(entry.details ?? null),
    prev_hash: previous ? previous.hash : GENESIS_HASH,
  };
  return { ...content, hash: hashAuditRow(content) };
}

export type ChainProblem =
  | 'seq_gap'
  | 'prev_hash_mismatch'
  | 'hash_mismatch'
  | 'invalid_row'
  /** A head recorded earlier (a release decision) is no longer in the chain: the tail was cut. */
  | 'head_missing'
  /** The row at a recorded head's seq has another hash: the chain was rewritten up to it. */
  | 'head_mismatch'
  /** The table, or its append-only triggers, are gone. */
  | 'table_missing'
  | 'trigger_missing';

/** A head of the chain as someone saw it (each release decision stores one). */
export interface RecordedHead {
  seq: number;
  hash: string;
  recorded_at: string;
  reason: string;
}

export interface ChainBreak {
  /** The first row at which the chain does not hold. */
  seq: number;
  problem: ChainProblem;
  /** What differs, phrased for an operator. */
  message: string;
  expected: string;
  actual: string;
}

export type VerifyResult =
  | {
      ok: true;
      count: number;
      head: { seq: number; hash: string } | null;
      /** Recorded heads the chain was checked against. */
      heads_checked: number;
      warnings: string[];
    }
  /** `checked`: rows that verified before the break; `failures`: every problem found, one line each. */
  | { ok: false; checked: number; broken: ChainBreak; failures: string[]; warnings: string[] };

const short = (hash: string) => (hash.length > 12 ? `${hash.slice(0, 12)}…` : hash);

/**
 * Checks one row against its predecessor (undefined = it must be the first row). Returns the
 * problem, or undefined when the row holds. Order: numbering, then the link, then the content.
 */
export function checkAuditRow(
  row: AuditChainRow,
  previous: Pick<AuditChainRow, 'seq' | 'hash'> | undefined,
): ChainBreak | undefined {
  const expectedSeq = previous ? previous.seq + 1 : 1;
  if (row.seq !== expectedSeq) {
    return {
      seq: row.seq,
      problem: 'seq_gap',
      message:
        row.seq > expectedSeq
          ? `row ${row.seq} follows row ${expectedSeq - 1}: rows ${expectedSeq}..${row.seq - 1} are missing (deleted)`
          : `row ${row.seq} is out of order after row ${expectedSeq - 1}`,
      expected: String(expectedSeq),
      actual: String(row.seq),
    };
  }
  const expectedPrev = previous ? previous.hash : GENESIS_HASH;
  if (row.prev_hash !== expectedPrev) {
    return {
      seq: row.seq,
      problem: 'prev_hash_mismatch',
      message: previous
        ? `prev_hash of row ${row.seq} (${short(row.prev_hash)}) is not the hash of row ${previous.seq} (${short(expectedPrev)}): row ${previous.seq} was rewritten and re-hashed, or row ${row.seq}'s link was edited`
        : `row 1 must start the chain (prev_hash ${short(GENESIS_HASH)}), found ${short(row.prev_hash)}`,
      expected: expectedPrev,
      actual: row.prev_hash,
    };
  }
  const recomputed = hashAuditRow(row);
  if (recomputed !== row.hash) {
    return {
      seq: row.seq,
      problem: 'hash_mismatch',
      message: `row ${row.seq} was changed after it was written: its content (time, actor, action, subject or details) hashes to ${short(recomputed)}, the stored hash is ${short(row.hash)}`,
      expected: recomputed,
      actual: row.hash,
    };
  }
  return undefined;
}

/** A failed verification from one break (plus any other failures already found). */
export function chainFailure(
  broken: ChainBreak,
  checked = 0,
  failures: string[] = [],
  warnings: string[] = [],
): VerifyResult {
  return { ok: false, checked, broken, failures: [broken.message, ...failures], warnings };
}

function headBreak(head: RecordedHead, row: AuditChainRow | undefined, count: number): ChainBreak {
  const seen = `recorded ${head.recorded_at} (${head.reason})`;
  return row
    ? {
        seq: head.seq,
        problem: 'head_mismatch',
        message: `row ${head.seq} hashes to ${short(row.hash)}, but the head ${seen} was ${short(head.hash)}: the chain was rewritten up to that row`,
        expected: head.hash,
        actual: row.hash,
      }
    : {
        seq: head.seq,
        problem: 'head_missing',
        message: `row ${head.seq}, the head ${seen}, is gone: the trail now ends at row ${count}, so rows were removed from the end`,
        expected: `${head.seq}:${head.hash}`,
        actual: count === 0 ? 'no rows' : `ends at row ${count}`,
      };
}

type ChainInput = AuditChainRow | { invalid: { seq: number; reason: string } };

/**
 * Verify rows one at a time, in seq order, against every recorded head: a head beyond the last row
 * means the tail was cut, a head whose row hashes differently means the chain was rewritten. `push`
 * returns the failure at the first break (stop there); `finish` gives the result after the last row.
 * Lets a caller stream a large table page by page (sync or async).
 */
export function createChainVerifier(
  heads: readonly RecordedHead[] = [],
  warnings: string[] = [],
): { push(row: ChainInput): VerifyResult | undefined; finish(): VerifyResult } {
  const headsAt = new Map<number, RecordedHead[]>();
  for (const head of heads) {
    if (head.seq <= 0) continue;
    headsAt.set(head.seq, [...(headsAt.get(head.seq) ?? []), head]);
  }
  let previous: AuditChainRow | undefined;
  let count = 0;
  return {
    push(row) {
      if ('invalid' in row) {
        return chainFailure(
          {
            seq: row.invalid.seq,
            problem: 'invalid_row',
            message: `row ${row.invalid.seq} cannot be read: ${row.invalid.reason}`,
            expected: 'a well-formed row',
            actual: row.invalid.reason,
          },
          count,
          [],
          warnings,
        );
      }
      const broken = checkAuditRow(row, previous);
      if (broken) return chainFailure(broken, count, [], warnings);
      const mismatch = headsAt.get(row.seq)?.find((head) => head.hash !== row.hash);
      if (mismatch) return chainFailure(headBreak(mismatch, row, count), count, [], warnings);
      headsAt.delete(row.seq);
      previous = row;
      count += 1;
      return undefined;
    },
    finish() {
      const missing = [...headsAt.values()].flat().sort((a, b) => a.seq - b.seq)[0];
      if (missing) return chainFailure(headBreak(missing, undefined, count), count, [], warnings);
      return {
        ok: true,
        count,
        head: previous ? { seq: previous.seq, hash: previous.hash } : null,
        heads_checked: heads.length,
        warnings,
      };
    },
  };
}

/** Verify rows in seq order (any iterable) and against every recorded head; stops at the first break. */
export function verifyAuditChain(
  rows: Iterable<ChainInput>,
  warnings: string[] = [],
  heads: readonly RecordedHead[] = [],
): VerifyResult {
  const verifier = createChainVerifier(heads, warnings);
  for (const row of rows) {
    const failed = verifier.push(row);
    if (failed) return failed;
  }
  return verifier.finish();
}
