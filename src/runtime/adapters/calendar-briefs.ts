/**
 * Where an approved call brief goes (SPEC 13, calendar adapter): `mock` answers with a deterministic
 * id and touches nothing; `live` attaches the brief to the lead's GHL contact as a note (upsert the
 * contact by email, then POST /contacts/:id/notes), where the booked appointment shows it.
 */
import { createHash } from 'node:crypto';
import { createHttpClient } from './http-client.js';
import type { GhlOptions } from './ghl.js';
import type { CalendarMode } from './types.js';

export interface BriefNote {
  briefId: string;
  email: string;
  title: string;
  body: string;
}

export interface CalendarBriefs {
  readonly mode: CalendarMode;
  writeBrief(note: BriefNote): Promise<{ id: string }>;
}

export function createMockCalendarBriefs(): CalendarBriefs {
  return {
    mode: 'mock',
    async writeBrief(note) {
      return { id: `mock_${createHash('sha256').update(note.briefId).digest('hex').slice(0, 16)}` };
    },
  };
}

export function createGhlCalendarBriefs(options: GhlOptions): CalendarBriefs {
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}`, version: '2021-07-28' },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
  });
  return {
    mode: 'live',
    async writeBrief(note) {
      const contact = (await http.postJson('/contacts/upsert', {
        locationId: options.locationId,
        email: note.email,
      })) as { contact?: { id?: unknown } };
      const contactId = contact.contact?.id;
      if (typeof contactId !== 'string') throw new Error('GHL answered without contact.id');
      const answer = (await http.postJson(`/contacts/${encodeURIComponent(contactId)}/notes`, {
        body: `${note.title}\n\n${note.body}`,
      })) as { note?: { id?: unknown }; id?: unknown };
      const id = answer.note?.id ?? answer.id;
      if (typeof id !== 'string') throw new Error('GHL answered without a note id');
      return { id };
    },
  };
}
