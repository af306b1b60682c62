/**
 * The Gatekeeper hash (SPEC 8): SHA-256 over a canonical serialisation of what will be sent —
 * per item the draft id, canonical email, subject and SHA-256 of the body, plus the send mode.
 *
 * Canonical form: one line per field group, items sorted by draft id, every value JSON-encoded (so
 * no separator inside a subject can forge another item), UTF-8. Changing the mode, an address, a
 * subject, a byte of a body, or adding/removing an item changes the hash; item order does not.
 */
import { createHash } from 'node:crypto';

export interface HashedItem {
  draft_id: string;
  canonical_email: string;
  subject: string;
  body_sha256: string;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function canonicalSerialisation(mode: string, items: readonly HashedItem[]): string {
  const sorted = [...items].sort((a, b) => (a.draft_id < b.draft_id ? -1 : a.draft_id > b.draft_id ? 1 : 0));
  const lines = [`caio-gatekeeper-v1`, `mode=${JSON.stringify(mode)}`, `items=${sorted.length}`];
  for (const item of sorted) {
    lines.push(JSON.stringify([item.draft_id, item.canonical_email, item.subject, item.body_sha256]));
  }
  return `${lines.join('\n')}\n`;
}

export function batchHash(mode: string, items: readonly HashedItem[]): string {
  return sha256Hex(canonicalSerialisation(mode, items));
}

/** First 12 hex characters: enough to read aloud, not to authorise (execute needs the full hash). */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
