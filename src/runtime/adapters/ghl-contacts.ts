/**
 * GHL_MODE=live: the addresses of GHL contacts carrying a tag (the CRM's mark for "contacted"), for
 * `caio ledger import-sent --source ghl --fetch --tag T`. Pages through GET /contacts/ with the
 * location id (100 per page, `startAfterId`/`startAfter` cursors), at most `maxPages` pages.
 */
import { createHttpClient } from './http-client.js';
import { httpOptions } from './email.js';
import type { GhlOptions } from './ghl.js';

const GHL_VERSION = '2021-07-28';

interface ContactsPage {
  contacts?: { email?: unknown; tags?: unknown }[];
  meta?: { startAfterId?: unknown; startAfter?: unknown };
}

export async function fetchGhlTaggedEmails(
  options: GhlOptions,
  tag: string,
  maxPages = 200,
): Promise<{ emails: string[]; pages: number; truncated: boolean }> {
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}`, version: GHL_VERSION },
    ...httpOptions(options),
  });
  const wanted = tag.trim().toLowerCase();
  const emails: string[] = [];
  let cursor: { id: string; at: string } | undefined;
  for (let page = 1; page <= maxPages; page++) {
    const query = new URLSearchParams({ locationId: options.locationId, limit: '100' });
    if (cursor) {
      query.set('startAfterId', cursor.id);
      query.set('startAfter', cursor.at);
    }
    const answer = (await http.getJson(`/contacts/?${query.toString()}`)) as ContactsPage;
    const contacts = Array.isArray(answer.contacts) ? answer.contacts : [];
    for (const contact of contacts) {
      const tags = Array.isArray(contact.tags) ? contact.tags.map((t) => String(t).toLowerCase()) : [];
      if (typeof contact.email === 'string' && contact.email !== '' && tags.includes(wanted))
        emails.push(contact.email);
    }
    const nextId = answer.meta?.startAfterId;
    const nextAt = answer.meta?.startAfter;
    if (
      contacts.length === 0 ||
      typeof nextId !== 'string' ||
      nextId === '' ||
      nextAt === undefined ||
      nextAt === null
    )
      return { emails, pages: page, truncated: false };
    cursor = { id: nextId, at: String(nextAt) };
  }
  return { emails, pages: maxPages, truncated: true };
}
