/**
 * What is known about a lead beyond its stored fields, read from the webhook events it arrived with:
 * RB2B visits (Captured URL, Industry, Seen At), Clay columns beyond the lead fields, and earlier
 * Instantly events. Pure: payloads in, facts and token values out.
 */
import type { ContextRef } from '../queue/draft.js';
import type { TokenValues } from './template.js';

export interface LeadFacts {
  visits: { ref: string; url: string; seen_at: string }[];
  industry?: { ref: string; value: string } | undefined;
  columns: { ref: string; name: string; value: string }[];
  events: { ref: string; type: string; at: string }[];
}

export const emptyFacts = (): LeadFacts => ({ visits: [], columns: [], events: [] });

/** The lead fields a Clay row fills itself (see domain/webhooks/sources.ts); anything else is a fact. */
const CLAY_LEAD_COLUMNS = new Set([
  'email',
  'Email',
  'work_email',
  'first_name',
  'last_name',
  'company',
  'company_name',
  'title',
  'job_title',
  'segment',
  'tier',
]);
const MAX_COLUMNS = 8;
const MAX_VALUE = 200;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== ''
    ? value.trim().slice(0, MAX_VALUE)
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : undefined;

export interface StoredEventView {
  id: number;
  source: string;
  received_at: string;
  payload: unknown;
}

/** The address an event is about and the facts it adds, or undefined when it says nothing useful. */
export function factsFromEvent(
  event: StoredEventView,
): { email: string; add: (facts: LeadFacts) => void } | undefined {
  const body = event.payload;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const row = body as Record<string, unknown>;
  switch (event.source) {
    case 'rb2b': {
      const email = text(row['Business Email']);
      if (!email) return undefined;
      const url = text(row['Captured URL']);
      const industry = text(row.Industry);
      const seen = text(row['Seen At']) ?? event.received_at;
      return {
        email,
        add(facts) {
          if (url) facts.visits.push({ ref: `rb2b:visit:${event.id}`, url, seen_at: seen });
          if (industry) facts.industry = { ref: `rb2b:visit:${event.id}`, value: industry };
        },
      };
    }
    case 'clay': {
      const email = text(row.email) ?? text(row.Email) ?? text(row.work_email);
      if (!email) return undefined;
      const extra = Object.entries(row)
        .filter(([name]) => !CLAY_LEAD_COLUMNS.has(name))
        .flatMap(([name, value]) => {
          const shown = text(value);
          return shown ? [{ ref: `clay:row:${event.id}`, name, value: shown }] : [];
        })
        .slice(0, MAX_COLUMNS);
      return {
        email,
        add(facts) {
          for (const column of extra) {
            facts.columns = facts.columns.filter((c) => c.name !== column.name);
            facts.columns.push(column);
            if (column.name.toLowerCase() === 'industry')
              facts.industry = { ref: column.ref, value: column.value };
          }
        },
      };
    }
    case 'instantly': {
      const email = text(row.lead_email) ?? text(row.email);
      const type = text(row.event_type);
      if (!email || !type) return undefined;
      const at = text(row.timestamp) ?? event.received_at;
      return {
        email,
        add(facts) {
          facts.events.push({ ref: `instantly:${type}:${event.id}`, type, at });
        },
      };
    }
    default:
      return undefined;
  }
}

/** "/products/quorra-forecast?x=1" -> "quorra forecast"; "/" -> "home". */
export function pageWords(url: string): string {
  let path = url;
  try {
    path = new URL(url, 'https://example.invalid').pathname;
  } catch {
    // keep the raw text
  }
  const last =
    path
      .split('/')
      .filter((part) => part !== '')
      .pop() ?? '';
  const words = decodeURIComponentSafe(last)
    .replace(/\.[a-z0-9]{2,5}$/i, '')
    .replace(/[-_+]+/g, ' ')
    .replace(/[^\p{L}\p{N} ]/gu, '')
    .trim()
    .toLowerCase();
  return words === '' ? 'home' : words;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export interface EnrichableLead {
  email: string;
  first_name?: string | undefined;
  last_name?: string | undefined;
  company?: string | undefined;
  title?: string | undefined;
  segment?: string | undefined;
}

/** Token values and the context refs that ground them. */
export function enrich(
  lead: EnrichableLead,
  facts: LeadFacts,
  senderName: string | undefined,
): { values: TokenValues; context: ContextRef[] } {
  const context: ContextRef[] = [];
  const company = lead.company?.trim();
  const visit = facts.visits.reduce<LeadFacts['visits'][number] | undefined>(
    (latest, v) => (!latest || v.seen_at >= latest.seen_at ? v : latest),
    undefined,
  );
  const page = visit ? pageWords(visit.url) : undefined;
  if (visit && page) {
    context.push({
      ref: visit.ref,
      text: `${company ? `${company} visitor` : 'Visitor'} read the ${page} page (${visit.url}).`,
    });
  }
  if (facts.industry && !context.some((c) => c.ref === facts.industry?.ref && c.text.includes('industry'))) {
    context.push({ ref: facts.industry.ref, text: `Industry: ${facts.industry.value}.` });
  }
  const columns = facts.columns.filter((c) => c.name.toLowerCase() !== 'industry');
  if (columns.length > 0) {
    context.push({
      ref: columns[0]?.ref ?? 'clay:row',
      text: columns.map((c) => `${c.name}: ${c.value}`).join('; '),
    });
  }
  for (const event of facts.events.slice(-3)) {
    context.push({ ref: event.ref, text: `Instantly ${event.type} on ${event.at.slice(0, 10)}.` });
  }

  let hook: string | undefined;
  if (company && page)
    hook = `Noticed someone at ${company} reading the ${page} page, so I will keep this practical.`;
  else if (company && facts.industry)
    hook = `Sales teams in ${facts.industry.value.toLowerCase()} like ${company} live and die by their calls.`;
  else if (company && lead.title)
    hook = `As ${lead.title} at ${company}, you decide where the team's selling time goes.`;
  else if (company) hook = `I have been looking at how teams like ${company} run their sales calls.`;

  const full = [lead.first_name, lead.last_name].filter((p) => p && p.trim() !== '').join(' ');
  const values: TokenValues = {
    first_name: lead.first_name,
    last_name: lead.last_name,
    full_name: full === '' ? undefined : full,
    company,
    title: lead.title,
    segment: lead.segment,
    hook,
    visited_page: page,
    industry: facts.industry?.value,
    sender_name: senderName,
  };
  return { values, context };
}
