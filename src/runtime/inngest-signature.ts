/**
 * Inngest request signatures (SPEC 6.3): `t=<unix seconds>&s=<hex HMAC-SHA256(body + t)>`, keyed by
 * the signing key without its `signkey-<env>-` prefix, used as a UTF-8 string. A GET has an empty
 * body, so the signed string is just `t`. Matches inngest-js `signDataWithKey`.
 */
import { createHmac } from 'node:crypto';

export function stripSigningKeyPrefix(signingKey: string): string {
  return signingKey.replace(/^signkey-\w+-/, '');
}

export function signInngestRequest(
  signingKey: string,
  body = '',
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  const t = String(nowSeconds);
  const s = createHmac('sha256', stripSigningKeyPrefix(signingKey)).update(body).update(t).digest('hex');
  return `t=${t}&s=${s}`;
}
