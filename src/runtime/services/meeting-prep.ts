/**
 * Meeting prep (SPEC 13): an interested or booked lead gets a call brief. At or above
 * MEETING_PREP_MIN_CONFIDENCE it enters the queue approved (decided by `auto`); below, it waits
 * `pending` as kind `prep` for a reviewer, like a draft. `publishApproved` writes every approved,
 * not yet written brief through the calendar adapter — nothing unapproved ever reaches it.
 *
 * Storage comes through small interfaces (`PrepLeads`, `PrepQueue`, `PublishedBriefs`).
 */
import { canonicalEmail } from '../domain/canonical-email.js';
import { buildBrief, briefText, prepId, type PrepTrigger } from '../domain/meeting-prep/brief.js';
import type { EnrichableLead } from '../domain/pipeline/enrichment.js';
import { emptyFacts } from '../domain/pipeline/enrichment.js';
import type { Draft, DraftInput, DraftStatus } from '../domain/queue/draft.js';
import { errorMessage } from '../errors.js';
import type { CalendarBriefs } from '../adapters/calendar-briefs.js';
import type { LeadFactsSource } from './pipeline.js';

export interface PrepLeads {
  get(email: string): Promise<(EnrichableLead & { canonical_email: string }) | undefined>;
}

export interface PrepQueue {
  add(input: DraftInput, options: { autoApprovedBy?: string }): Promise<{ status: DraftStatus } | 'exists'>;
  approvedBriefs(): Promise<Draft[]>;
}

export interface PublishedBriefs {
  /** Claim the right to write this brief (once, across hosts); false when taken. */
  claim(briefId: string): Promise<boolean>;
  record(briefId: string, calendarId: string): Promise<void>;
  release(briefId: string): Promise<void>;
}

export interface MeetingPrepDeps {
  leads: PrepLeads;
  facts: LeadFactsSource;
  queue: PrepQueue;
  calendar: CalendarBriefs;
  published: PublishedBriefs;
  minConfidence: number;
  audit?: {
    append(entry: { actor: string; action: string; subject: string; details?: unknown }): Promise<unknown>;
  };
}

export interface PrepResult {
  id: string;
  confidence: number;
  status: DraftStatus | 'exists';
}

export function createMeetingPrep(deps: MeetingPrepDeps) {
  async function prepare(email: string, trigger: PrepTrigger): Promise<PrepResult> {
    const canonical = canonicalEmail(email);
    const lead = (await deps.leads.get(email)) ?? { email, canonical_email: canonical };
    const facts = (await deps.facts.factsFor([canonical])).get(canonical) ?? emptyFacts();
    const brief = buildBrief(lead, facts, trigger);
    const { subject, body } = briefText(brief);
    const id = prepId(canonical, trigger);
    const auto = brief.confidence >= deps.minConfidence;
    const added = await deps.queue.add(
      {
        id,
        kind: 'prep',
        motion: 'inbound',
        lead: {
          email: lead.email,
          ...(lead.first_name ? { first_name: lead.first_name } : {}),
          ...(lead.last_name ? { last_name: lead.last_name } : {}),
          ...(lead.company ? { company: lead.company } : {}),
          ...(lead.title ? { title: lead.title } : {}),
          ...(lead.segment ? { segment: lead.segment } : {}),
        },
        subject,
        body,
        context: brief.context,
      },
      auto ? { autoApprovedBy: `auto (confidence ${brief.confidence} >= ${deps.minConfidence})` } : {},
    );
    if (added === 'exists') return { id, confidence: brief.confidence, status: 'exists' };
    await deps.audit?.append({
      actor: 'meeting-prep',
      action: 'meeting_prep.brief',
      subject: id,
      details: {
        trigger,
        confidence: brief.confidence,
        status: added.status,
        min_confidence: deps.minConfidence,
      },
    });
    return { id, confidence: brief.confidence, status: added.status };
  }

  async function publishApproved(): Promise<{ written: string[]; failed: { id: string; error: string }[] }> {
    const written: string[] = [];
    const failed: { id: string; error: string }[] = [];
    for (const draft of await deps.queue.approvedBriefs()) {
      if (!(await deps.published.claim(draft.id))) continue;
      try {
        const { id } = await deps.calendar.writeBrief({
          briefId: draft.id,
          email: draft.lead.email,
          title: draft.subject,
          body: draft.body,
        });
        await deps.published.record(draft.id, id);
        await deps.audit?.append({
          actor: 'meeting-prep',
          action: 'meeting_prep.calendar_write',
          subject: draft.id,
          details: { mode: deps.calendar.mode, calendar_id: id, approved_by: draft.decided_by },
        });
        written.push(draft.id);
      } catch (error) {
        await deps.published.release(draft.id);
        failed.push({ id: draft.id, error: errorMessage(error) });
      }
    }
    return { written, failed };
  }

  return { prepare, publishApproved, calendarMode: deps.calendar.mode };
}

export type MeetingPrep = ReturnType<typeof createMeetingPrep>;
