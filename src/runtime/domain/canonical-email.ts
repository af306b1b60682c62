/**
 * Canonical email keys for dedup and suppression (SPEC 7). One person, one key:
 *
 * - trim surrounding whitespace, lowercase the whole address;
 * - `googlemail.com` is `gmail.com`;
 * - Gmail only: dots in the local part are ignored (`j.doe` = `jdoe`), because Gmail ignores them
 *   and every other provider treats them as significant;
 * - every domain: a `+tag` suffix of the local part is removed (`jane+promo@acme.io` = `jane@acme.io`).
 *   Subaddressing with `+` is honoured by Gmail, Outlook/Microsoft 365, iCloud, Fastmail, Proton and
 *   most company servers. Removing it everywhere can, in theory, merge two distinct mailboxes; keeping
 *   it could send again to a person who unsubscribed. Suppression errs on the side of not sending.
 *
 * Pure: no I/O. An address without exactly one usable `@` is returned trimmed and lowercased so the
 * caller's own validation can report it; `isPlausibleEmail` is that validation.
 */

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

export function canonicalEmail(raw: string): string {
  const address = raw.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return address;
  let local = address.slice(0, at);
  let domain = address.slice(at + 1);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (GMAIL_DOMAINS.has(domain)) local = local.replace(/\./g, '');
  return `${local}@${domain}`;
}

/** A deliberately simple shape check: one `@`, a non-empty local part, a dotted domain, no spaces. */
export function isPlausibleEmail(raw: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw.trim());
}

/** The domain of an address (lowercase), for `@domain` whitelist entries. */
export function emailDomain(raw: string): string {
  const address = canonicalEmail(raw);
  return address.slice(address.lastIndexOf('@') + 1);
}
