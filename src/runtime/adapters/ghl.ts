/**
 * GoHighLevel CRM and calendar adapters. `sandbox` / `mock` answer locally with deterministic ids
 * and touch nothing; `live` call the GHL API (Bearer key, Version header, location id).
 */
import { createHash } from 'node:crypto';
import { createHttpClient } from './http-client.js';
import { httpOptions } from './email.js';
import type { CalendarAdapter, CrmAdapter } from './types.js';

const GHL_VERSION = '2021-07-28';

export interface GhlOptions {
  apiKey: string;
  baseUrl: string;
  locationId: string;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
}

const localId = (prefix: string, text: string) =>
  `${prefix}_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;

export function createSandboxCrm(): CrmAdapter {
  return {
    mode: 'sandbox',
    async upsertContact(contact) {
      return { id: localId('sandbox', contact.email.toLowerCase()) };
    },
  };
}

function ghlClient(options: GhlOptions) {
  return createHttpClient({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}`, version: GHL_VERSION },
    ...httpOptions(options),
  });
}

export function createGhlCrm(options: GhlOptions): CrmAdapter {
  const http = ghlClient(options);
  return {
    mode: 'live',
    async upsertContact(contact) {
      const answer = (await http.postJson('/contacts/upsert', {
        locationId: options.locationId,
        email: contact.email,
        firstName: contact.firstName,
        lastName: contact.lastName,
        companyName: contact.companyName,
        tags: contact.tags,
      })) as { contact?: { id?: unknown } };
      const id = answer.contact?.id;
      if (typeof id !== 'string') throw new Error('GHL answered without contact.id');
      return { id };
    },
  };
}

export function createMockCalendar(): CalendarAdapter {
  return {
    mode: 'mock',
    async book(meeting) {
      return { id: localId('mock', `${meeting.calendarId}|${meeting.email}|${meeting.startTime}`) };
    },
  };
}

export function createGhlCalendar(options: GhlOptions): CalendarAdapter {
  const http = ghlClient(options);
  return {
    mode: 'live',
    async book(meeting) {
      const answer = (await http.postJson('/calendars/events/appointments', {
        locationId: options.locationId,
        calendarId: meeting.calendarId,
        title: meeting.title,
        startTime: meeting.startTime,
        endTime: meeting.endTime,
        email: meeting.email,
      })) as { id?: unknown };
      if (typeof answer.id !== 'string') throw new Error('GHL answered without an appointment id');
      return { id: answer.id };
    },
  };
}
