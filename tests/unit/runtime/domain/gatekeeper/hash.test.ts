import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  batchHash,
  canonicalSerialisation,
  sha256Hex,
  shortHash,
  type HashedItem,
} from '../../../../../src/runtime/domain/gatekeeper/hash.js';

const item = (id: string, overrides: Partial<HashedItem> = {}): HashedItem => ({
  draft_id: id,
  canonical_email: `${id}@acme.io`,
  subject: `Subject ${id}`,
  body_sha256: sha256Hex(`body ${id}`),
  ...overrides,
});

describe('gatekeeper hash', () => {
  it('is SHA-256 of the documented canonical serialisation', () => {
    const items = [item('b'), item('a')];
    const text = canonicalSerialisation('log-only', items);
    expect(text).toBe(
      [
        'caio-gatekeeper-v1',
        'mode="log-only"',
        'items=2',
        JSON.stringify(['a', 'a@acme.io', 'Subject a', sha256Hex('body a')]),
        JSON.stringify(['b', 'b@acme.io', 'Subject b', sha256Hex('body b')]),
        '',
      ].join('\n'),
    );
    expect(batchHash('log-only', items)).toBe(createHash('sha256').update(text).digest('hex'));
    expect(batchHash('log-only', items)).toMatch(/^[0-9a-f]{64}$/);
    expect(shortHash(batchHash('log-only', items))).toHaveLength(12);
  });

  it('ignores item order but changes with every field and the mode', () => {
    const base = batchHash('live', [item('a'), item('b')]);
    expect(batchHash('live', [item('b'), item('a')])).toBe(base);
    const variants = [
      batchHash('log-only', [item('a'), item('b')]),
      batchHash('live', [item('a')]),
      batchHash('live', [item('a'), item('b', { canonical_email: 'x@acme.io' })]),
      batchHash('live', [item('a'), item('b', { subject: 'Subject b ' })]),
      batchHash('live', [item('a'), item('b', { body_sha256: sha256Hex('body b.') })]),
      batchHash('live', [item('a'), item('c')]),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it('cannot be forged by separators inside a subject', () => {
    const one = [item('a', { subject: 'x","y' })];
    const two = [item('a', { subject: 'x' })];
    expect(batchHash('live', one)).not.toBe(batchHash('live', two));
  });
});
