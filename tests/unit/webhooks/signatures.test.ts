import { describe, expect, it } from 'vitest';
import {
  constantTimeEqual,
  signStandardWebhook,
  verifyStandardWebhook,
} from '../../../src/runtime/domain/webhooks/signatures.js';

// The public test vector of the Standard Webhooks repository.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const headers = (overrides: Partial<Record<'id' | 'timestamp' | 'signature', string | undefined>> = {}) => ({
  id: ID,
  timestamp: String(TIMESTAMP),
  signature: SIGNATURE,
  ...overrides,
});

describe('Standard Webhooks', () => {
  it('signs the public test vector', () => {
    expect(signStandardWebhook(SECRET, ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
  });

  it('verifies the test vector at its timestamp and within 5 minutes both ways', () => {
    expect(verifyStandardWebhook(SECRET, headers(), BODY, TIMESTAMP)).toEqual({ ok: true });
    expect(verifyStandardWebhook(SECRET, headers(), BODY, TIMESTAMP + 300).ok).toBe(true);
    expect(verifyStandardWebhook(SECRET, headers(), BODY, TIMESTAMP - 300).ok).toBe(true);
  });

  it('refuses timestamps outside the tolerance, either way', () => {
    expect(verifyStandardWebhook(SECRET, headers(), BODY, TIMESTAMP + 301)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('old'),
    });
    expect(verifyStandardWebhook(SECRET, headers(), BODY, TIMESTAMP - 301)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('future'),
    });
  });

  it('refuses a changed body, id, secret or malformed headers', () => {
    expect(verifyStandardWebhook(SECRET, headers(), '{"test": 2432232315}', TIMESTAMP).ok).toBe(false);
    expect(verifyStandardWebhook(SECRET, headers({ id: 'msg_other' }), BODY, TIMESTAMP).ok).toBe(false);
    expect(
      verifyStandardWebhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', headers(), BODY, TIMESTAMP).ok,
    ).toBe(false);
    expect(verifyStandardWebhook(SECRET, headers({ signature: undefined }), BODY, TIMESTAMP).ok).toBe(false);
    expect(verifyStandardWebhook(SECRET, headers({ timestamp: 'soon' }), BODY, TIMESTAMP).ok).toBe(false);
    expect(verifyStandardWebhook(SECRET, headers({ signature: 'v1,short' }), BODY, TIMESTAMP).ok).toBe(false);
    expect(
      verifyStandardWebhook(SECRET, headers({ signature: 'v2,' + SIGNATURE.slice(3) }), BODY, TIMESTAMP).ok,
    ).toBe(false);
  });

  it('accepts any matching signature of a space-separated list (key rotation)', () => {
    expect(
      verifyStandardWebhook(SECRET, headers({ signature: `v1,bm9wZQ== ${SIGNATURE}` }), BODY, TIMESTAMP).ok,
    ).toBe(true);
  });
});

describe('constantTimeEqual', () => {
  it('compares strings of any length without throwing', () => {
    expect(constantTimeEqual('secret-value', 'secret-value')).toBe(true);
    expect(constantTimeEqual('secret-value', 'secret-valuE')).toBe(false);
    expect(constantTimeEqual('', 'secret-value')).toBe(false);
    expect(constantTimeEqual('x'.repeat(10_000), 'secret-value')).toBe(false);
  });

  it('tells apart values that differ only past the end, in padding, or beyond the compare width', () => {
    const long = 'k'.repeat(300);
    expect(constantTimeEqual(long, long)).toBe(true);
    expect(constantTimeEqual(`${long.slice(0, 299)}K`, long)).toBe(false);
    expect(constantTimeEqual('secret-value\u0000', 'secret-value')).toBe(false);
    expect(constantTimeEqual('secret-valu', 'secret-value')).toBe(false);
    expect(constantTimeEqual(`secret-value${'x'.repeat(300)}`, 'secret-value')).toBe(false);
    expect(constantTimeEqual('sécret-välue', 'sécret-välue')).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
