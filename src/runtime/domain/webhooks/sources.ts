/**
 * The four webhook sources of SPEC 6.2: their payload schemas (zod) and the effects a valid delivery
 * has on the runtime (suppress an address, record a send, upsert a lead). Pure: parse in, effects out.
 */
import { z } from 'zod';

export const WEBHOOK_SOURCES = ['instantly', 'heyreach', 'clay', 'rb2b'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

export function isWebhookSource(value: string): value is WebhookSource {
  return (WEBHOOK_SOURCES as readonly string[]).includes(value);
}

export const SECRET_VARIABLE = {
  instantly: 'INSTANTLY_WEBHOOK_SECRET',
  heyreach: 'HEYREACH_WEBHOOK_SECRET',
  clay: 'CLAY_WEBHOOK_SECRET',
  rb2b: 'RB2B_WEBHOOK_SECRET',
} as const satisfies Record<WebhookSource, string>;

/** RB2B disconnects the integration on any 4xx: invalid payloads are quarantined and answered 202. */
export function quarantineStatus(source: WebhookSource): 400 | 202 {
  return source === 'rb2b' ? 202 : 400;
}

export type SuppressReason = 'bounced' | 'unsubscribed' | 'replied' | 'interested';

export interface LeadFields {
  email: string;
  first_name?: string | undefined;
  last_name?: string | undefined;
  company?: string | undefined;
  title?: string | undefined;
  segment?: string | undefined;
  tier?: string | undefined;
}

export type WebhookEffect =
  | { kind: 'suppress'; email: string; reason: SuppressReason }
  | { kind: 'sent'; email: string }
  | { kind: 'lead'; lead: LeadFields; source: 'rb2b' | 'clay' }
  /** An interested or booked lead: write a call brief (SPEC 13, meeting prep). */
  | { kind: 'prep'; email: string; trigger: 'lead_interested' | 'lead_meeting_booked' };

export type ParseResult = { ok: true; effects: WebhookEffect[] } | { ok: false; message: string };

const email = z.email().max(320);
const optionalText = z.string().max(1000).optional();

// Instantly ---------------------------------------------------------------------------------------
export const INSTANTLY_EVENT_TYPES = [
  'email_sent',
  'email_opened',
  'email_link_clicked',
  'link_clicked',
  'reply_received',
  'auto_reply_received',
  'email_bounced',
  'lead_unsubscribed',
  'lead_interested',
  'lead_not_interested',
  'lead_neutral',
  'lead_meeting_booked',
  'lead_meeting_completed',
  'lead_closed',
  'lead_out_of_office',
  'lead_wrong_person',
  'campaign_completed',
  'account_error',
] as const;

const INSTANTLY_SUPPRESS: Partial<Record<(typeof INSTANTLY_EVENT_TYPES)[number], SuppressReason>> = {
  reply_received: 'replied',
  email_bounced: 'bounced',
  lead_unsubscribed: 'unsubscribed',
  lead_interested: 'interested',
};

const instantlySchema = z.looseObject({
  event_type: z.enum(INSTANTLY_EVENT_TYPES),
  lead_email: email.optional(),
  email: email.optional(),
  timestamp: z.string().max(100).optional(),
  campaign_id: optionalText,
});

function parseInstantly(payload: unknown): ParseResult {
  const parsed = instantlySchema.safeParse(payload);
  if (!parsed.success) return invalid('instantly', parsed.error);
  const { event_type: type } = parsed.data;
  const address = parsed.data.lead_email ?? parsed.data.email;
  const reason = INSTANTLY_SUPPRESS[type];
  const prep = type === 'lead_interested' || type === 'lead_meeting_booked';
  if ((reason || prep || type === 'email_sent') && !address) {
    return { ok: false, message: `instantly ${type} event needs lead_email` };
  }
  const effects: WebhookEffect[] = [];
  if (reason && address) effects.push({ kind: 'suppress', email: address, reason });
  if (prep && address) effects.push({ kind: 'prep', email: address, trigger: type });
  if (effects.length > 0) return { ok: true, effects };
  if (type === 'email_sent' && address) return { ok: true, effects: [{ kind: 'sent', email: address }] };
  return { ok: true, effects: [] };
}

// HeyReach ----------------------------------------------------------------------------------------
export const HEYREACH_EVENT_TYPES = [
  'CONNECTION_REQUEST_SENT',
  'CONNECTION_REQUEST_ACCEPTED',
  'MESSAGE_SENT',
  'MESSAGE_REPLY_RECEIVED',
  'EVERY_MESSAGE_REPLY_RECEIVED',
  'INMAIL_SENT',
  'INMAIL_REPLY_RECEIVED',
  'FOLLOW_SENT',
  'LIKED_POST',
  'VIEWED_PROFILE',
  'CAMPAIGN_COMPLETED',
  'LEAD_TAG_UPDATED',
] as const;

const HEYREACH_REPLIES = new Set<string>([
  'MESSAGE_REPLY_RECEIVED',
  'EVERY_MESSAGE_REPLY_RECEIVED',
  'INMAIL_REPLY_RECEIVED',
]);

const heyreachLead = z.looseObject({
  email_address: email.optional(),
  emailAddress: email.optional(),
  email: email.optional(),
  profile_url: optionalText,
  first_name: optionalText,
  last_name: optionalText,
});

const heyreachSchema = z
  .looseObject({
    event_type: z.string().max(100).optional(),
    eventType: z.string().max(100).optional(),
    lead: heyreachLead.optional(),
  })
  .transform((value, ctx) => {
    const raw = value.event_type ?? value.eventType;
    const type = raw?.toUpperCase();
    if (!type || !(HEYREACH_EVENT_TYPES as readonly string[]).includes(type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['event_type'],
        message: raw ? `unknown event type "${raw.slice(0, 60)}"` : 'event_type is required',
      });
      return z.NEVER;
    }
    const lead = value.lead;
    return { type, email: lead?.email_address ?? lead?.emailAddress ?? lead?.email };
  });

function parseHeyreach(payload: unknown): ParseResult {
  const parsed = heyreachSchema.safeParse(payload);
  if (!parsed.success) return invalid('heyreach', parsed.error);
  const { type, email: address } = parsed.data;
  if (HEYREACH_REPLIES.has(type) && address) {
    return { ok: true, effects: [{ kind: 'suppress', email: address, reason: 'replied' }] };
  }
  return { ok: true, effects: [] };
}

// Clay --------------------------------------------------------------------------------------------
const claySchema = z
  .looseObject({
    email: email.optional(),
    Email: email.optional(),
    work_email: email.optional(),
    first_name: optionalText,
    last_name: optionalText,
    company: optionalText,
    company_name: optionalText,
    title: optionalText,
    job_title: optionalText,
    segment: optionalText,
    tier: optionalText,
  })
  .transform((row, ctx) => {
    const address = row.email ?? row.Email ?? row.work_email;
    if (!address) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'a Clay row needs an email column' });
      return z.NEVER;
    }
    const lead: LeadFields = {
      email: address,
      first_name: row.first_name,
      last_name: row.last_name,
      company: row.company ?? row.company_name,
      title: row.title ?? row.job_title,
      segment: row.segment,
      tier: row.tier,
    };
    return lead;
  });

function parseClay(payload: unknown): ParseResult {
  const parsed = claySchema.safeParse(payload);
  if (!parsed.success) return invalid('clay', parsed.error);
  return { ok: true, effects: [{ kind: 'lead', lead: compact(parsed.data), source: 'clay' }] };
}

// RB2B (title-case keys) --------------------------------------------------------------------------
const rb2bSchema = z
  .looseObject({
    'First Name': optionalText,
    'Last Name': optionalText,
    Title: optionalText,
    'Company Name': optionalText,
    'Business Email': email.optional(),
    'LinkedIn Url': optionalText,
    Website: optionalText,
    Industry: optionalText,
    'Seen At': optionalText,
    'Captured URL': optionalText,
  })
  .refine((row) => row['Business Email'] || row['LinkedIn Url'] || row['Company Name'] || row.Website, {
    message: 'an RB2B visitor needs at least one of Business Email, LinkedIn Url, Company Name, Website',
  });

function parseRb2b(payload: unknown): ParseResult {
  const parsed = rb2bSchema.safeParse(payload);
  if (!parsed.success) return invalid('rb2b', parsed.error);
  const row = parsed.data;
  const address = row['Business Email'];
  if (!address) return { ok: true, effects: [] };
  const lead = compact({
    email: address,
    first_name: row['First Name'],
    last_name: row['Last Name'],
    company: row['Company Name'],
    title: row.Title,
  });
  return { ok: true, effects: [{ kind: 'lead', lead, source: 'rb2b' }] };
}

// -------------------------------------------------------------------------------------------------
export function parseWebhookPayload(source: WebhookSource, payload: unknown): ParseResult {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { ok: false, message: `${source} payload must be a JSON object` };
  }
  switch (source) {
    case 'instantly':
      return parseInstantly(payload);
    case 'heyreach':
      return parseHeyreach(payload);
    case 'clay':
      return parseClay(payload);
    case 'rb2b':
      return parseRb2b(payload);
  }
}

function invalid(source: WebhookSource, error: z.ZodError): ParseResult {
  const issues = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return { ok: false, message: `invalid ${source} payload: ${issues.join('; ')}` };
}

function compact(lead: LeadFields): LeadFields {
  const out: LeadFields = { email: lead.email };
  for (const [key, value] of Object.entries(lead) as [keyof LeadFields, string | undefined][]) {
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}
