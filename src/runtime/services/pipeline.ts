/**
 * The pipeline (SPEC 13): stored leads -> enrichment -> a draft from the segment's template -> the
 * queue (scored by the rubric on entry, `pending`). Storage reaches this service only through the
 * small interfaces below; `pipeline-wiring.ts` implements them over today's services.
 *
 * Templates are checked first: one template with an unknown token stops the run before any draft is
 * written. A lead is drafted once per motion (deterministic draft id), so a rerun drafts only what is
 * new and reports the rest as `already_drafted`.
 */
import { RefusedError } from '../errors.js';
import { isPlausibleEmail } from '../domain/canonical-email.js';
import {
  draftForLead,
  emptyReport,
  recordSkip,
  type PipelineLead,
  type PipelineReport,
} from '../domain/pipeline/draft.js';
import { emptyFacts, type LeadFacts } from '../domain/pipeline/enrichment.js';
import type { DraftTemplate } from '../domain/pipeline/template.js';
import type { DraftInput, DraftStatus } from '../domain/queue/draft.js';

export type LeadSourceFilter = 'rb2b' | 'clay' | 'all';

export interface PipelineLeadSource {
  listLeads(filter: { source: LeadSourceFilter }): Promise<PipelineLead[]>;
}

export interface LeadFactsSource {
  /** What the stored events say about these addresses (canonical email -> facts). */
  factsFor(canonicalEmails: readonly string[]): Promise<Map<string, LeadFacts>>;
}

export interface AddressStatus {
  lookup(canonicalEmails: readonly string[]): Promise<{ suppressed: Map<string, string>; sent: Set<string> }>;
}

export interface DraftSink {
  /** Which of these draft ids exist already. */
  existing(ids: readonly string[]): Promise<Set<string>>;
  /**
   * Add these drafts in one transaction (scored, intake decided per address as for one draft).
   * `existing` counts ids another writer stored meanwhile: nothing was written for those.
   */
  addMany(inputs: readonly (DraftInput & { id: string })[]): Promise<AddedDrafts>;
}

export interface AddedDrafts {
  added: number;
  existing: number;
  by_status: Partial<Record<DraftStatus, number>>;
}

/** Drafts written per transaction: one commit (and fsync) per chunk, not per draft. */
export const PIPELINE_CHUNK = 500;

export interface TemplateSource {
  /** Every template, parsed; throws a UserError naming the template and token when one is unusable. */
  load(): ReadonlyMap<string, DraftTemplate>;
}

export interface PipelineDeps {
  leads: PipelineLeadSource;
  facts: LeadFactsSource;
  addresses: AddressStatus;
  drafts: DraftSink;
  templates: TemplateSource;
  audit?: {
    append(entry: { actor: string; action: string; subject: string; details?: unknown }): Promise<unknown>;
  };
  /** Wraps the run in a trace envelope (runtime.traces.span). */
  span?: <T>(tool: string, fn: () => Promise<T>, input: unknown) => Promise<T>;
  /** One-at-a-time guard across processes (a second run waits its turn or is refused). */
  lock?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export interface PipelineRunOptions {
  mode: string;
  source?: LeadSourceFilter;
  limit?: number | undefined;
  actor: string;
  onProgress?: (done: number, total: number) => void;
}

export interface PipelineService {
  /** Parse every template (fails naming the template and token); returns the template names. */
  checkTemplates(): string[];
  run(options: PipelineRunOptions): Promise<PipelineReport>;
}

const EXTERNAL = 'already_sent_external';

export function createPipelineService(deps: PipelineDeps): PipelineService {
  async function execute(options: PipelineRunOptions): Promise<PipelineReport> {
    const source = options.source ?? 'all';
    const templates = deps.templates.load();
    const report = emptyReport(options.mode, source);
    const all = await deps.leads.listLeads({ source });
    all.sort((a, b) => (a.canonical_email < b.canonical_email ? -1 : 1));
    const canonicals = all.map((lead) => lead.canonical_email);
    const [status, facts] = await Promise.all([
      deps.addresses.lookup(canonicals),
      deps.facts.factsFor(canonicals),
    ]);
    const planned: { lead: PipelineLead; draft: DraftInput & { id: string }; template: string }[] = [];
    for (const lead of all) {
      if (!isPlausibleEmail(lead.email)) {
        recordSkip(report, lead.email, 'no_email', 'the lead has no usable email address');
        continue;
      }
      const suppression = status.suppressed.get(lead.canonical_email);
      if (suppression !== undefined) {
        if (suppression === EXTERNAL)
          recordSkip(report, lead.email, EXTERNAL, 'contacted outside CAIO (caio ledger import-sent)');
        else recordSkip(report, lead.email, 'suppressed', `address suppressed (${suppression})`);
        continue;
      }
      if (status.sent.has(lead.canonical_email)) {
        recordSkip(report, lead.email, 'already_sent', 'this address was already sent to');
        continue;
      }
      const result = draftForLead(lead, facts.get(lead.canonical_email) ?? emptyFacts(), templates);
      if (!result.ok) {
        recordSkip(report, lead.email, result.reason, result.detail);
        continue;
      }
      planned.push({ lead, draft: result.draft, template: result.template });
    }
    const existing = await deps.drafts.existing(planned.map((p) => p.draft.id));
    const fresh = planned.filter((p) => {
      if (!existing.has(p.draft.id)) return true;
      recordSkip(report, p.lead.email, 'already_drafted', `drafted before as ${p.draft.id}`);
      return false;
    });
    const toDraft = options.limit === undefined ? fresh : fresh.slice(0, Math.max(0, options.limit));
    report.considered = all.length;
    let done = 0;
    for (let i = 0; i < toDraft.length; i += PIPELINE_CHUNK) {
      const chunk = toDraft.slice(i, i + PIPELINE_CHUNK);
      const added = await deps.drafts.addMany(chunk.map((item) => item.draft));
      done += chunk.length;
      options.onProgress?.(done, toDraft.length);
      report.drafted += added.added;
      for (const [status, count] of Object.entries(added.by_status) as [DraftStatus, number][])
        report.by_status[status] = (report.by_status[status] ?? 0) + count;
      if (added.existing > 0) {
        // Another writer stored some of these ids since the check above (rare: the run holds the
        // lock). They are counted, not named: the chunk's result does not say which ones.
        report.skipped.already_drafted = (report.skipped.already_drafted ?? 0) + added.existing;
        continue;
      }
      for (const item of chunk) report.templates[item.template] = (report.templates[item.template] ?? 0) + 1;
    }
    await deps.audit?.append({
      actor: options.actor,
      action: 'pipeline.run',
      subject: `pipeline:${source}`,
      details: {
        mode: options.mode,
        considered: report.considered,
        drafted: report.drafted,
        by_status: report.by_status,
        skipped: report.skipped,
      },
    });
    return report;
  }

  return {
    checkTemplates: () => [...deps.templates.load().keys()],
    async run(options) {
      if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
        throw new RefusedError(`--limit must be a whole number >= 0, got ${options.limit}`, 'invalid_limit');
      }
      const body = () => execute(options);
      const guarded = deps.lock ? () => deps.lock!(body) : body;
      return deps.span
        ? deps.span('pipeline.run', guarded, { mode: options.mode, source: options.source ?? 'all' })
        : guarded();
    },
  };
}
