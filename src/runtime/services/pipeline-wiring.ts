/**
 * The pipeline's storage edges over today's services: leads from LeadService, facts from the stored
 * webhook events, address status from the sent log + shared store, drafts into QueueService. When the
 * record layer lands, these five small functions are what gets re-pointed.
 */
import type { LeadFacts } from '../domain/pipeline/enrichment.js';
import { emptyFacts, factsFromEvent } from '../domain/pipeline/enrichment.js';
import { canonicalEmail } from '../domain/canonical-email.js';
import { RefusedError } from '../errors.js';
import type { StateStore } from '../stores/state-store.js';
import type { LeadService } from './leads.js';
import {
  createPipelineService,
  type DraftSink,
  type LeadFactsSource,
  type PipelineDeps,
  type PipelineLeadSource,
  type PipelineService,
} from './pipeline.js';
import { createTemplateSource, templatesDir } from './pipeline-templates.js';
import { DRAFTS, type AuditSink, type QueueService } from './queue.js';
import { textLines } from './queue-import.js';
import type { RecordStore } from '../stores/record/record.js';
import type { TraceWriter } from './traces.js';
import type { WebhookStore } from '../stores/webhook-store.js';

const FACT_SOURCES = ['rb2b', 'clay', 'instantly'] as const;
const PAGE = 500;

export function leadSourceOver(leads: Pick<LeadService, 'list'>): PipelineLeadSource {
  return {
    async listLeads({ source }) {
      const found = [];
      let after: string | undefined;
      for (;;) {
        const page = await leads.list({ limit: PAGE, ...(after === undefined ? {} : { after }) });
        for (const lead of page.leads)
          if (source === 'all' || lead.sources.includes(source)) found.push(lead);
        if (page.next === null) break;
        after = page.next;
      }
      return found;
    },
  };
}

/** Facts from stored (not quarantined) webhook events, applied oldest first. */
export function factsOverWebhooks(webhooks: Pick<WebhookStore, 'listPayloads'>): LeadFactsSource {
  return {
    async factsFor(canonicals) {
      const wanted = new Set(canonicals);
      const result = new Map<string, LeadFacts>();
      for (const source of FACT_SOURCES) {
        // Oldest first, a page (with payloads) per query.
        let since: number | undefined;
        for (;;) {
          const page = await webhooks.listPayloads({
            source,
            limit: PAGE,
            ...(since === undefined ? {} : { since }),
          });
          for (const event of page.events) {
            if (event.status === 'quarantined') continue;
            let payload: unknown;
            try {
              payload = JSON.parse(event.payload.toString('utf8'));
            } catch {
              continue;
            }
            const found = factsFromEvent({ id: event.id, source, received_at: event.received_at, payload });
            if (!found) continue;
            const key = canonicalEmail(found.email);
            if (!wanted.has(key)) continue;
            let facts = result.get(key);
            if (!facts) result.set(key, (facts = emptyFacts()));
            found.add(facts);
          }
          if (page.next === null) break;
          since = page.next;
        }
      }
      return result;
    },
  };
}

export function draftSinkOver(
  queue: Pick<QueueService, 'importStream'>,
  state: Pick<StateStore, 'getRecords'>,
): DraftSink {
  return {
    async existing(ids) {
      const found = new Set<string>();
      for (let i = 0; i < ids.length; i += PAGE) {
        const records = await state.getRecords(DRAFTS, ids.slice(i, i + PAGE));
        for (const id of records.keys()) found.add(id);
      }
      return found;
    },
    async addMany(inputs) {
      // The queue's import path: one transaction for the whole chunk, the same scoring and intake.
      const lines = inputs.map((input) => JSON.stringify(input)).join('\n');
      const report = await queue.importStream(textLines(lines), {
        source: 'pipeline',
        batchSize: Math.max(1, inputs.length),
      });
      const first = report.errors[0];
      if (first) throw new Error(`pipeline draft ${first.line} was refused by the queue: ${first.reason}`);
      return { added: report.imported, existing: report.existing, by_status: report.by_status };
    },
  };
}

export interface PipelineWiring {
  state: StateStore;
  record: RecordStore;
  leads: Pick<LeadService, 'list'>;
  queue: Pick<QueueService, 'importStream'>;
  webhooks: Pick<WebhookStore, 'listPayloads'>;
  audit?: AuditSink | undefined;
  traces?: Pick<TraceWriter, 'span'> | undefined;
  goldenSetDir?: string | undefined;
}

const LOCK_TTL_MS = 15 * 60_000;

export function createPipeline(wiring: PipelineWiring): PipelineService {
  const { state } = wiring;
  const deps: PipelineDeps = {
    leads: leadSourceOver(wiring.leads),
    facts: factsOverWebhooks(wiring.webhooks),
    addresses: {
      async lookup(canonicals) {
        const found = await wiring.record.addresses.lookup(canonicals);
        const suppressed = new Map<string, string>();
        for (const [canonical, fact] of found.suppressed) suppressed.set(canonical, fact.reason);
        return { suppressed, sent: found.sent };
      },
    },
    drafts: draftSinkOver(wiring.queue, state),
    templates: createTemplateSource(templatesDir(wiring.goldenSetDir)),
    ...(wiring.audit ? { audit: wiring.audit } : {}),
    ...(wiring.traces
      ? {
          span: <T>(tool: string, fn: () => Promise<T>, input: unknown) =>
            wiring.traces!.span(tool, fn, { input, agent: 'pipeline' }),
        }
      : {}),
    async lock(fn) {
      const lock = await state.acquireLock('pipeline-run', LOCK_TTL_MS);
      if (!lock) {
        throw new RefusedError(
          'Another pipeline run is in progress',
          'pipeline_busy',
          'Wait for it to finish, then run the pipeline again (a rerun only drafts new leads).',
        );
      }
      try {
        return await fn();
      } finally {
        await state.releaseLock(lock);
      }
    },
  };
  return createPipelineService(deps);
}
