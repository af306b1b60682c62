/**
 * SHA-256 as hex for the request path (operator tokens, webhook bodies). Node's one-shot
 * `crypto.hash` (20.12+) when there is one: it costs a fraction of `createHash().update().digest()`,
 * which builds a Hash object (and its OpenSSL context) per call. Same digest either way.
 */
import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: string | Buffer, encoding: 'hex') => string;
const oneShot = (crypto as { hash?: OneShot }).hash;

export const sha256Hex: (data: string | Buffer) => string =
  typeof oneShot === 'function'
    ? (data) => oneShot('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');
