/**
 * Meeting prep over today's services: leads from LeadService, facts from the stored webhook events,
 * briefs into QueueService (kind `prep`), "written to the calendar" marks in the state store's
 * `prep_published` collection (a compare-and-set claim: one write per brief across hosts).
 */
import type { Config } from '../config.js';
import {
  createGhlCalendarBriefs,
  createMockCalendarBriefs,
  type CalendarBriefs,
} from '../adapters/calendar-briefs.js';
import { UserError } from '../errors.js';
import type { StateStore } from '../stores/state-store.js';
import type { LeadService } from './leads.js';
import { createMeetingPrep, type MeetingPrep, type PublishedBriefs } from './meeting-prep.js';
import { factsOverWebhooks } from './pipeline-wiring.js';
import type { AuditSink, QueueService } from './queue.js';
import type { WebhookStore } from '../stores/webhook-store.js';

export const PREP_PUBLISHED = 'prep_published';
const ABANDONED_WRITE_MS = 10 * 60_000;

export function publishedOver(state: StateStore, now: () => number = Date.now): PublishedBriefs {
  return {
    async claim(briefId) {
      const current = await state.getRecord(PREP_PUBLISHED, briefId);
      const mark = current?.value as { status?: unknown; at?: unknown } | undefined;
      // Taken, unless a host died while writing it (a write never takes this long).
      const abandoned =
        mark?.status === 'writing' &&
        typeof mark.at === 'string' &&
        now() - Date.parse(mark.at) > ABANDONED_WRITE_MS;
      if (current && !abandoned) return false;
      const cas = await state.compareAndSet(PREP_PUBLISHED, briefId, current?.version ?? 0, {
        status: 'writing',
        at: new Date(now()).toISOString(),
      });
      return cas.ok;
    },
    async record(briefId, calendarId) {
      const current = await state.getRecord(PREP_PUBLISHED, briefId);
      await state.compareAndSet(PREP_PUBLISHED, briefId, current?.version ?? 0, {
        status: 'written',
        calendar_id: calendarId,
        at: new Date(now()).toISOString(),
      });
    },
    async release(briefId) {
      await state.deleteRecord(PREP_PUBLISHED, briefId);
    },
  };
}

/** The configured calendar, built on first use (a live mode without credentials fails then, clearly). */
export function calendarBriefsFor(
  config: Pick<Config, 'CALENDAR_MODE' | 'GHL_API_KEY' | 'GHL_BASE_URL' | 'GHL_LOCATION_ID'>,
): CalendarBriefs {
  if (config.CALENDAR_MODE !== 'live') return createMockCalendarBriefs();
  let live: CalendarBriefs | undefined;
  return {
    mode: 'live',
    writeBrief(note) {
      if (!config.GHL_API_KEY || !config.GHL_LOCATION_ID) {
        throw new UserError('CALENDAR_MODE=live needs GHL_API_KEY and GHL_LOCATION_ID', {
          code: 'config_invalid',
          nextStep: 'Set them in your env file, or use CALENDAR_MODE=mock.',
        });
      }
      live ??= createGhlCalendarBriefs({
        apiKey: config.GHL_API_KEY,
        baseUrl: config.GHL_BASE_URL,
        locationId: config.GHL_LOCATION_ID,
      });
      return live.writeBrief(note);
    },
  };
}

export function createMeetingPrepService(wiring: {
  config: Config;
  state: StateStore;
  leads: Pick<LeadService, 'get'>;
  queue: Pick<QueueService, 'add' | 'list'>;
  webhooks: Pick<WebhookStore, 'listPayloads'>;
  audit?: AuditSink | undefined;
  calendar?: CalendarBriefs;
  now?: () => number;
}): MeetingPrep {
  const { queue } = wiring;
  return createMeetingPrep({
    leads: { get: (email) => wiring.leads.get(email) },
    facts: factsOverWebhooks(wiring.webhooks),
    queue: {
      async add(input, options) {
        const result = await queue.add(input, 'event', options);
        return result.kind === 'added' ? { status: result.draft.status } : 'exists';
      },
      async approvedBriefs() {
        return (await queue.list({ status: 'approved' })).filter((draft) => draft.kind === 'prep');
      },
    },
    calendar: wiring.calendar ?? calendarBriefsFor(wiring.config),
    published: publishedOver(wiring.state, wiring.now),
    minConfidence: wiring.config.MEETING_PREP_MIN_CONFIDENCE,
    ...(wiring.audit ? { audit: wiring.audit } : {}),
  });
}
