/**
 * Which service methods leave a trace envelope (SPEC 5), and what each one summarises: approve,
 * reject, undo, bulk approve, preview, execute (dispatch is traced per item in outbound-wiring.ts)
 * and the replay gate. Inputs are ids and choices, never draft bodies or addresses.
 */
import type { Batch } from '../domain/gatekeeper/batch.js';
import type { Draft } from '../domain/queue/draft.js';
import type { OutboundServices } from './outbound-wiring.js';
import type { ExecuteResult, PreviewScope } from './gatekeeper.js';
import type { BulkResult } from './queue.js';
import type { ReplayReport } from './replay.js';
import { traceMethods, type SpanPort } from './traced.js';

const decided = (draft: Draft) => ({ id: draft.id, status: draft.status });

export function replaySummary(report: ReplayReport) {
  return {
    total: report.total,
    passed: report.passed,
    pass_rate: report.pass_rate,
    block_build: report.block_build,
    stored_run_id: report.stored_run_id,
  };
}

export function tracedOutbound(services: OutboundServices, traces: SpanPort | undefined): OutboundServices {
  const queue = traceMethods(services.queue, traces, {
    approve: {
      tool: 'queue.approve',
      caseId: (id: string) => id,
      input: (id: string, actor: string) => ({ id, actor }),
      output: decided,
    },
    reject: {
      tool: 'queue.reject',
      caseId: (id: string) => id,
      input: (id: string, actor: string, category: string) => ({ id, actor, category }),
      output: decided,
    },
    undo: {
      tool: 'queue.undo',
      caseId: (id: string) => id,
      input: (id: string, actor: string) => ({ id, actor }),
      output: decided,
    },
    approveMany: {
      tool: 'queue.approve_many',
      input: (ids: readonly string[], actor: string) => ({ ids, actor }),
      output: (results: BulkResult[]) => ({
        approved: results.filter((result) => result.ok).length,
        refused: results.filter((result) => !result.ok).length,
      }),
    },
  });
  const gatekeeper = traceMethods(services.gatekeeper, traces, {
    preview: {
      tool: 'batch.preview',
      input: (scope: PreviewScope, actor: string) => ({ ...scope, actor }),
      output: (batch: Batch) => ({
        id: batch.id,
        hash: batch.hash,
        items: batch.items.length,
        excluded: batch.excluded.length,
      }),
    },
    execute: {
      tool: 'batch.execute',
      caseId: (batchId: string) => batchId,
      input: (batchId: string, _hash: string, actor: string, options?: { resume?: boolean }) => ({
        batch_id: batchId,
        actor,
        resume: options?.resume ?? false,
      }),
      output: (result: ExecuteResult) => ({ batch_id: result.batch_id, counts: result.counts }),
    },
  });
  return { ...services, queue, gatekeeper };
}
