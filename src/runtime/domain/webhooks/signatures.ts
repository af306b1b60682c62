/**
 * Webhook credentials: a shared secret compared in constant time, or Standard Webhooks signatures
 * (https://www.standardwebhooks.com) when the secret starts with `whsec_`. Pure functions over bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string equality that cannot throw on a length mismatch (see `secretMatcher`). */
export function constantTimeEqual(given: string, expected: string): boolean {
  return secretMatcher(expected)(given);
}

/** Every comparison walks at least this many code units, whatever the lengths involved. */
const MIN_COMPARE_WIDTH = 256;

/**
 * A constant-time matcher for one secret. Each check walks a fixed width — max(256, secret length)
 * code units — XOR-accumulating the differences, with the length mismatch folded into the result, so
 * its time depends on neither the content nor the length of the presented value (beyond that width
 * the presented value is not read at all) and it cannot throw. Plain JS on purpose: a SHA-256 of the
 * presented value, the textbook alternative, costs ~2 µs in a tight loop but ~9 µs per request inside
 * the busy server (cold OpenSSL digest set-up on every `createHash`), which was most of the
 * auth overhead measured by bench/http-auth.mjs.
 */
export function secretMatcher(expected: string): (given: string) => boolean {
  const width = Math.max(MIN_COMPARE_WIDTH, expected.length);
  const want = new Uint16Array(width);
  for (let i = 0; i < expected.length; i += 1) want[i] = expected.charCodeAt(i);
  const wantLength = expected.length;
  return (given) => {
    let diff = given.length ^ wantLength;
    // charCodeAt past the end is NaN, and NaN | 0 is 0: short values compare against the zero padding.
    for (let i = 0; i < width; i += 1) diff |= (given.charCodeAt(i) | 0) ^ (want[i] as number);
    return diff === 0;
  };
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

/**
 * The checks that need no body (headers present, timestamp within tolerance): run before the body is
 * read, so a delivery that cannot pass is refused without buffering anything.
 */
export function checkStandardWebhookHeaders(
  headers: StandardWebhookHeaders,
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
  return { ok: true };
}

export function verifyStandardWebhook(
  secret: string,
  headers: StandardWebhookHeaders,
  body: string | Buffer,
  nowSeconds: number,
  toleranceSeconds = TIMESTAMP_TOLERANCE_SECONDS,
): VerifyResult {
  const early = checkStandardWebhookHeaders(headers, nowSeconds, toleranceSeconds);
  if (!early.ok) return early;
  // Present and well-formed: checked just above.
  const [id, timestamp, signature] = [headers.id, headers.timestamp, headers.signature] as string[] as [
    string,
    string,
    string,
  ];
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
