/**
 * One lead to one draft, deterministically (SPEC 13): pick the segment's template, enrich, render.
 * Pure: the same lead, facts and templates always give the same draft with the same id, so a rerun
 * finds the draft it wrote before (idempotent per lead and motion).
 */
import { createHash } from 'node:crypto';
import type { DraftInput, Motion } from '../queue/draft.js';
import { enrich, type EnrichableLead, type LeadFacts } from './enrichment.js';
import { renderTemplate, type DraftTemplate } from './template.js';

export const SKIP_REASONS = [
  'no_email',
  'suppressed',
  'already_sent',
  'already_sent_external',
  'already_drafted',
  'no_template',
  'unresolved_token',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface PipelineLead extends EnrichableLead {
  canonical_email: string;
  tier?: string | undefined;
  sources: readonly string[];
}

export const DEFAULT_TEMPLATE = 'default';

/** RB2B visitors came to us (inbound); Clay rows are researched prospects (outbound). */
export function motionOf(lead: Pick<PipelineLead, 'sources'>): Motion {
  return lead.sources.includes('rb2b') ? 'inbound' : 'outbound';
}

/** `p_<motion>_<16 hex of sha256(canonical email, motion)>`: one id per lead and motion. */
export function pipelineDraftId(canonicalEmail: string, motion: Motion): string {
  const digest = createHash('sha256').update(`${canonicalEmail}\n${motion}`).digest('hex').slice(0, 16);
  return `p_${motion}_${digest}`;
}

export function templateFor(
  lead: Pick<PipelineLead, 'segment'>,
  templates: ReadonlyMap<string, DraftTemplate>,
): DraftTemplate | undefined {
  const segment = lead.segment?.trim().toLowerCase();
  return (segment ? templates.get(segment) : undefined) ?? templates.get(DEFAULT_TEMPLATE);
}

export type LeadDraft =
  | { ok: true; draft: DraftInput & { id: string; motion: Motion }; template: string }
  | { ok: false; reason: SkipReason; detail: string };

export function draftForLead(
  lead: PipelineLead,
  facts: LeadFacts,
  templates: ReadonlyMap<string, DraftTemplate>,
): LeadDraft {
  const template = templateFor(lead, templates);
  if (!template) {
    return {
      ok: false,
      reason: 'no_template',
      detail: `no template for segment "${lead.segment ?? ''}" and no ${DEFAULT_TEMPLATE}.md`,
    };
  }
  const { values, context } = enrich(lead, facts, template.sender);
  const rendered = renderTemplate(template, values);
  if (!rendered.ok) {
    return {
      ok: false,
      reason: 'unresolved_token',
      detail: `${template.name}.md needs ${rendered.missing.map((t) => `{{${t}}}`).join(', ')}, which this lead does not have`,
    };
  }
  const motion = motionOf(lead);
  return {
    ok: true,
    template: template.name,
    draft: {
      id: pipelineDraftId(lead.canonical_email, motion),
      motion,
      lead: {
        email: lead.email,
        ...(lead.first_name ? { first_name: lead.first_name } : {}),
        ...(lead.last_name ? { last_name: lead.last_name } : {}),
        ...(lead.company ? { company: lead.company } : {}),
        ...(lead.title ? { title: lead.title } : {}),
        ...(lead.segment ? { segment: lead.segment } : {}),
        ...(lead.tier ? { tier: lead.tier } : {}),
      },
      subject: rendered.subject,
      body: rendered.body,
      context: [...context, ...template.context],
    },
  };
}

/** Tally of a run: drafted, already there, skipped per reason (with a few examples). */
export interface PipelineReport {
  mode: string;
  source: 'rb2b' | 'clay' | 'all';
  considered: number;
  drafted: number;
  by_status: Record<string, number>;
  skipped: Partial<Record<SkipReason, number>>;
  skipped_examples: { email: string; reason: SkipReason; detail: string }[];
  templates: Record<string, number>;
}

export function emptyReport(mode: string, source: PipelineReport['source']): PipelineReport {
  return {
    mode,
    source,
    considered: 0,
    drafted: 0,
    by_status: {},
    skipped: {},
    skipped_examples: [],
    templates: {},
  };
}

const MAX_EXAMPLES = 20;

export function recordSkip(report: PipelineReport, email: string, reason: SkipReason, detail: string): void {
  report.skipped[reason] = (report.skipped[reason] ?? 0) + 1;
  if (report.skipped_examples.length < MAX_EXAMPLES) report.skipped_examples.push({ email, reason, detail });
}
