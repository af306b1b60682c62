/**
 * The call brief for a lead who showed interest or booked a meeting (SPEC 13): who, company, what
 * they did, context refs, talking points, and a deterministic confidence score — the share of the
 * brief that is grounded in stored facts rather than left blank. Pure.
 */
import { createHash } from 'node:crypto';
import type { ContextRef } from '../queue/draft.js';
import { enrich, pageWords, type EnrichableLead, type LeadFacts } from '../pipeline/enrichment.js';

export const PREP_TRIGGERS = ['lead_interested', 'lead_meeting_booked'] as const;
export type PrepTrigger = (typeof PREP_TRIGGERS)[number];

export interface CallBrief {
  who: string;
  company: string | null;
  what_they_did: string[];
  context: ContextRef[];
  talking_points: string[];
  /** 0..1: grounded parts of the brief, weighted (see CONFIDENCE_WEIGHTS). */
  confidence: number;
  /** Which grounded parts were found (for the reviewer). */
  grounded: (keyof typeof CONFIDENCE_WEIGHTS)[];
}

/** What a complete brief rests on; the weights sum to 1. */
export const CONFIDENCE_WEIGHTS = {
  name: 0.15,
  title: 0.15,
  company: 0.2,
  trigger: 0.1,
  visits: 0.15,
  research: 0.15,
  history: 0.1,
} as const;

export function prepId(canonicalEmail: string, trigger: PrepTrigger): string {
  return `prep_${createHash('sha256').update(`${canonicalEmail}\n${trigger}`).digest('hex').slice(0, 16)}`;
}

const TRIGGER_TEXT: Record<PrepTrigger, string> = {
  lead_interested: 'marked as interested in Instantly',
  lead_meeting_booked: 'booked a meeting through Instantly',
};

export function buildBrief(
  lead: EnrichableLead & { canonical_email: string },
  facts: LeadFacts,
  trigger: PrepTrigger,
): CallBrief {
  const name = [lead.first_name, lead.last_name].filter((p) => p && p.trim() !== '').join(' ');
  const { context } = enrich(lead, facts, undefined);
  const grounded: CallBrief['grounded'] = ['trigger'];
  if (name) grounded.push('name');
  if (lead.title) grounded.push('title');
  if (lead.company) grounded.push('company');
  if (facts.visits.length > 0) grounded.push('visits');
  if (facts.columns.length > 0 || facts.industry) grounded.push('research');
  const history = facts.events.filter((e) => e.type !== trigger);
  if (history.length > 0) grounded.push('history');

  const whatTheyDid = [`${TRIGGER_TEXT[trigger]}`];
  for (const visit of facts.visits.slice(-3))
    whatTheyDid.push(`read the ${pageWords(visit.url)} page (${visit.seen_at.slice(0, 10)})`);
  for (const event of history.slice(-3))
    whatTheyDid.push(`${event.type.replace(/_/g, ' ')} (${event.at.slice(0, 10)})`);

  const points: string[] = [];
  const visited = facts.visits.at(-1);
  if (visited) points.push(`Start from what they read: the ${pageWords(visited.url)} page.`);
  if (lead.title) points.push(`As ${lead.title}, ask what they own and how they measure it today.`);
  if (facts.industry) points.push(`Bring an example from ${facts.industry.value}.`);
  for (const column of facts.columns.slice(0, 2))
    points.push(`Confirm what we know: ${column.name} = ${column.value}.`);
  points.push('Agree on one next step before the call ends.');

  const confidence =
    Math.round(grounded.reduce((sum, part) => sum + CONFIDENCE_WEIGHTS[part], 0) * 100) / 100;
  return {
    who: name === '' ? lead.email : `${name}${lead.title ? `, ${lead.title}` : ''} <${lead.email}>`,
    company: lead.company ?? null,
    what_they_did: whatTheyDid,
    context,
    talking_points: points,
    confidence,
    grounded,
  };
}

/** The brief as a queue item: subject and a plain-text body the reviewer reads like a draft. */
export function briefText(brief: CallBrief): { subject: string; body: string } {
  const lines = [
    `Who: ${brief.who}`,
    `Company: ${brief.company ?? 'unknown'}`,
    `Confidence: ${Math.round(brief.confidence * 100)}% (grounded: ${brief.grounded.join(', ')})`,
    '',
    'What they did:',
    ...brief.what_they_did.map((line) => `- ${line}`),
    '',
    'Talking points:',
    ...brief.talking_points.map((line) => `- ${line}`),
  ];
  if (brief.context.length > 0) {
    lines.push('', 'Context:', ...brief.context.map((c) => `- [${c.ref}] ${c.text}`));
  }
  const who = brief.who.replace(/ <.*>$/, '');
  return {
    subject: `Call prep: ${who}${brief.company ? ` (${brief.company})` : ''}`,
    body: lines.join('\n'),
  };
}
