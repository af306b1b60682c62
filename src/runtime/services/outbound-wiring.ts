/**
 * How the runtime container builds the queue and Gatekeeper services (one call in runtime.ts).
 * The rubric scores each draft on entry; a broken rubric file never stops the runtime: drafts then
 * carry a `rubric_error` finding and the default taxonomy applies.
 */
import type { Config } from '../config.js';
import { createAdapters } from '../adapters/index.js';
import { createRubric } from '../domain/rubric/index.js';
import { DEFAULT_REJECTION_TAXONOMY } from '../domain/queue/draft.js';
import type { RampStatus } from '../domain/ramp.js';
import { errorMessage } from '../errors.js';
import { hostname } from 'node:os';
import type { RecordStore } from '../stores/record/record.js';
import type { StateStore } from '../stores/state-store.js';
import type { ItemOutcome } from '../domain/gatekeeper/batch.js';
import { recordAddressBook } from './address-book.js';
import { draftsFromRecord } from './drafts-bridge.js';
import { createDispatcher, createLazyDispatcher, type DispatchRequest } from './dispatch.js';
import { createGatekeeper, type Gatekeeper } from './gatekeeper.js';
import { createQueueService, type AuditSink, type QueueService, type ScoreFn } from './queue.js';
import { loadRubricConfig } from './rubric-config.js';
import { traceMethods, type SpanPort } from './traced.js';

export interface OutboundServices {
  queue: QueueService;
  gatekeeper: Gatekeeper;
  ramp: RampService;
}

/** The ramp as other services see it (status, graduation with confirmation, incidents). */
export interface RampService {
  status(): Promise<RampStatus>;
  graduate(actor: string, confirmed: boolean, note?: string | null): Promise<RampStatus>;
  recordIncident(actor: string, note: string): Promise<RampStatus>;
}

export interface OutboundOptions {
  now?: (() => number) | undefined;
  /** The trigger of an outbound --live run may not execute its batch. */
  twoPersonRule?: boolean | undefined;
  goldenSetDir?: string | undefined;
}

function rubricScoring(goldenSetDir: string | undefined): { score: ScoreFn; taxonomy: readonly string[] } {
  try {
    const config = loadRubricConfig(goldenSetDir);
    const rubric = createRubric(config);
    return {
      score: (input) => rubric.evaluate(input).findings,
      taxonomy: config.rejection_taxonomy.length > 0 ? config.rejection_taxonomy : DEFAULT_REJECTION_TAXONOMY,
    };
  } catch (error) {
    const reason = errorMessage(error);
    return {
      score: () => {
        throw new Error(`rubric configuration unusable: ${reason}`);
      },
      taxonomy: DEFAULT_REJECTION_TAXONOMY,
    };
  }
}

export function createOutboundServices(
  deps: {
    config: Config;
    /** The record: drafts and decisions, suppressions and sends, batches, ledger, ramp, audit. */
    record: RecordStore;
    state: StateStore;
    audit?: AuditSink | undefined;
    /** Each dispatch leaves a trace envelope. */
    traces?: SpanPort | undefined;
  },
  options: OutboundOptions = {},
): OutboundServices {
  const { config, record, state } = deps;
  const now = options.now ?? Date.now;
  const { score, taxonomy } = rubricScoring(options.goldenSetDir);
  const queue = createQueueService({ record, addresses: recordAddressBook, config, score, taxonomy, now });
  const dispatcher = traceMethods(
    createLazyDispatcher(config.EMAIL_SEND_MODE, () =>
      createDispatcher({ record, adapters: createAdapters(config), now, host: hostname() }),
    ),
    deps.traces,
    {
      dispatchItem: {
        tool: 'dispatch.item',
        caseId: (request: DispatchRequest) => request.draft.id,
        input: (request: DispatchRequest) => ({ batch_id: request.batchId, mode: config.EMAIL_SEND_MODE }),
        output: (outcome: ItemOutcome) => outcome,
      },
    },
  );
  const gatekeeper = createGatekeeper({
    record,
    // Drafts are in the record; the Gatekeeper still reads them through the state-store bridge.
    state: draftsFromRecord(state, record),
    dispatcher,
    config,
    now,
    twoPersonRule: options.twoPersonRule ?? false,
  });
  const ramp: RampService = {
    status: async () => gatekeeper.ramp(),
    graduate: async (actor, confirmed, note) => gatekeeper.graduate(actor, confirmed, note ?? null),
    recordIncident: async (actor, note) => gatekeeper.recordIncident(actor, note),
  };
  return { queue, gatekeeper, ramp };
}
