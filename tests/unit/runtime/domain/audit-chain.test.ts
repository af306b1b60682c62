import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  canonicalJson,
  hashAuditRow,
  nextAuditRow,
  verifyAuditChain,
  type AuditChainRow,
} from '../../../../src/runtime/domain/audit-chain.js';

const entry = (i: number) => ({
  time: `2026-11-21T10:00:0${i % 10}.000Z`,
  actor: 'hos',
  action: 'queue.approve',
  subject: `draft-${i}`,
  details: { i, reviewer: { name: 'Ann', id: 7 } },
});

function chain(n: number): AuditChainRow[] {
  const rows: AuditChainRow[] = [];
  for (let i = 0; i < n; i++) rows.push(nextAuditRow(rows.at(-1), entry(i)));
  return rows;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth so equal values serialise equally', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('maps undefined to null at the top and drops it inside objects', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });
});

describe('nextAuditRow', () => {
  it('starts at seq 1 with the genesis hash and links every row to the previous hash', () => {
    const rows = chain(3);
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3]);
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    expect(rows[2]?.prev_hash).toBe(rows[1]?.hash);
    expect(rows[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes every field: changing any one changes the hash', () => {
    const row = chain(1)[0] as AuditChainRow;
    const base = hashAuditRow(row);
    for (const change of [
      { seq: 2 },
      { time: '2026-11-21T10:00:00.001Z' },
      { actor: 'hos2' },
      { action: 'queue.reject' },
      { subject: 'draft-x' },
      { details: '{"i":1}' },
      { prev_hash: '1'.repeat(64) },
    ]) {
      expect(hashAuditRow({ ...row, ...change })).not.toBe(base);
    }
  });
});

describe('verifyAuditChain', () => {
  it('accepts an intact chain and reports its head', () => {
    const rows = chain(5);
    expect(verifyAuditChain(rows)).toEqual({
      ok: true,
      count: 5,
      head: { seq: 5, hash: rows[4]?.hash },
      heads_checked: 0,
      warnings: [],
    });
    expect(verifyAuditChain([])).toEqual({ ok: true, count: 0, head: null, heads_checked: 0, warnings: [] });
  });

  it('checks the chain against recorded heads: a cut tail or a rewritten head fails', () => {
    const rows = chain(5);
    const at = (seq: number, hash = rows[seq - 1]?.hash ?? '') => ({
      seq,
      hash,
      recorded_at: '2026-11-01T00:00:00.000Z',
      reason: 'release.decision r1/staging',
    });
    expect(verifyAuditChain(rows, [], [at(3), at(5), at(0, 'x')])).toMatchObject({
      ok: true,
      heads_checked: 3,
    });
    const cut = verifyAuditChain(rows.slice(0, 3), [], [at(3), at(5)]);
    expect(cut).toMatchObject({ ok: false, checked: 3, broken: { seq: 5, problem: 'head_missing' } });
    expect(verifyAuditChain([], [], [at(5)])).toMatchObject({
      ok: false,
      broken: { problem: 'head_missing' },
    });
    const other = verifyAuditChain(rows, [], [at(4, 'f'.repeat(64))]);
    expect(other).toMatchObject({ ok: false, broken: { seq: 4, problem: 'head_mismatch' } });
  });

  it('names an edited row (content no longer matches its hash)', () => {
    const rows = chain(5);
    rows[2] = { ...(rows[2] as AuditChainRow), actor: 'mallory' };
    const result = verifyAuditChain(rows);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.checked).toBe(2);
    expect(result.broken).toMatchObject({ seq: 3, problem: 'hash_mismatch' });
    expect(result.broken.message).toContain('row 3 was changed');
  });

  it('catches an edited row that was re-hashed, at the next link', () => {
    const rows = chain(5);
    const edited = { ...(rows[1] as AuditChainRow), subject: 'other' };
    rows[1] = { ...edited, hash: hashAuditRow(edited) };
    const result = verifyAuditChain(rows);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.broken).toMatchObject({ seq: 3, problem: 'prev_hash_mismatch' });
  });

  it('catches a deleted row as a gap in the numbering', () => {
    const rows = chain(5);
    rows.splice(2, 1);
    const result = verifyAuditChain(rows);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.broken).toMatchObject({ seq: 4, problem: 'seq_gap', expected: '3', actual: '4' });
      expect(result.broken.message).toContain('rows 3..3 are missing');
    }
  });

  it('catches a first row that does not start from the genesis hash', () => {
    const rows = chain(3).slice(1);
    const first = { ...(rows[0] as AuditChainRow), seq: 1 };
    rows[0] = { ...first, hash: hashAuditRow(first) };
    const result = verifyAuditChain(rows);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.broken).toMatchObject({ seq: 1, problem: 'prev_hash_mismatch' });
  });

  it('reports an unreadable row', () => {
    const rows: Parameters<typeof verifyAuditChain>[0] = [
      ...chain(2),
      { invalid: { seq: 3, reason: 'hash: bad' } },
    ];
    const result = verifyAuditChain(rows);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.broken).toMatchObject({ seq: 3, problem: 'invalid_row' });
  });
});
