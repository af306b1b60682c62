/**
 * Webhook credentials: a shared secret compared in constant time, or Standard Webhooks signatures
 * (https://www.standardwebhooks.com) when the secret starts with `whsec_`. Pure functions over bytes.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string equality that cannot throw on a length mismatch: both sides are hashed first. */
export function constantTimeEqual(given: string, expected: string): boolean {
  return secretMatcher(expected)(given);
}

/**
 * A constant-time matcher for one secret, with the secret's SHA-256 computed once: each check hashes
 * only the presented value (equal-length digests, so `timingSafeEqual` cannot throw).
 */
export function secretMatcher(expected: string): (given: string) => boolean {
  const digest = createHash('sha256').update(expected).digest();
  return (given) => timingSafeEqual(createHash('sha256').update(given).digest(), digest);
}

export const STANDARD_WEBHOOKS_PREFIX = 'whsec_';
/** Tolerance for `webhook-timestamp`, both ways (Standard Webhooks recommends 5 minutes). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export function isStandardWebhooksSecret(secret: string): boolean {
  return secret.startsWith(STANDARD_WEBHOOKS_PREFIX);
}

function signingKey(secret: string): Buffer {
  return Buffer.from(secret.slice(STANDARD_WEBHOOKS_PREFIX.length), 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): string {
  const mac = createHmac('sha256', signingKey(secret))
    .update(`${id}.${timestampSeconds}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}

export interface StandardWebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export function verifyStandardWebhook(
  secret: string,
  headers: StandardWebhookHeaders,
  body: string | Buffer,
  nowSeconds: number,
  toleranceSeconds = TIMESTAMP_TOLERANCE_SECONDS,
): VerifyResult {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'webhook-timestamp is not a unix time' };
  const skew = nowSeconds - Number(timestamp);
  if (Math.abs(skew) > toleranceSeconds) {
    return {
      ok: false,
      reason: `webhook-timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'old' : 'in the future'} (tolerance ${toleranceSeconds} s)`,
    };
  }
  const expected = Buffer.from(signStandardWebhook(secret, id, Number(timestamp), body).slice(3), 'base64');
  // The header may carry several space-separated signatures (key rotation): any v1 match passes.
  for (const part of signature.split(' ')) {
    const [version, value] = part.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'webhook-signature does not match' };
}
