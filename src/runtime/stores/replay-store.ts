/**
 * Stored replay runs and baselines, over the record (SQLite or PostgreSQL, every host alike): the
 * gate's history for the comparison with the previous run, the scorecard's trend and the release
 * ritual's evidence. A promotion to baseline is audited in the same record transaction.
 */
import { RefusedError } from '../errors.js';
import type { RecordStore } from './record/record.js';
import type { ReplayBaseline, ReplayListOptions, ReplayRun, ReplayRunInput } from './record/tables/replay.js';

export type { ReplayBaseline, ReplayListOptions, ReplayRun, ReplayRunInput } from './record/tables/replay.js';

export const BASELINE_PROMOTE_ACTION = 'replay.baseline.promote';

export interface ReplayStore {
  record(run: ReplayRunInput): Promise<ReplayRun>;
  /** Store a run and make it its golden set's baseline, with the audit row, in one transaction. */
  recordPromoted(run: ReplayRunInput, by: string): Promise<ReplayBaseline>;
  /** The newest run, optionally for one golden-set folder. */
  latest(goldenSet?: string): Promise<ReplayRun | undefined>;
  /** Newest first; `since`/`until` are ISO timestamps (inclusive, exclusive); optionally one golden set. */
  list(options?: ReplayListOptions): Promise<ReplayRun[]>;
  get(id: number): Promise<ReplayRun | undefined>;
  /** Make a stored run the baseline that later runs of its golden set are compared with (audited). */
  promote(runId: number, by: string, at: string): Promise<ReplayBaseline>;
  baseline(goldenSet: string): Promise<ReplayBaseline | undefined>;
}

function auditEntry(baseline: ReplayBaseline) {
  const { run } = baseline;
  return {
    actor: baseline.promoted_by,
    action: BASELINE_PROMOTE_ACTION,
    subject: `replay-run/${run.id}`,
    details: {
      golden_set: run.golden_set,
      pass_rate: run.pass_rate,
      holdout_total: run.holdout_total,
      holdout_passed: run.holdout_passed,
      cases_hash: run.cases_hash,
      holdout_hash: run.holdout_hash,
      rubric_hash: run.rubric_hash,
    },
  };
}

export function createReplayStore(record: RecordStore): ReplayStore {
  return {
    record: (run) => record.replay.insert(run),
    recordPromoted: (run, by) =>
      record.transaction(async (tx) => {
        const stored = await tx.replay.insert(run);
        const baseline = (await tx.replay.promote(stored.id, by, run.ran_at)) as ReplayBaseline;
        await tx.audit.append(auditEntry(baseline));
        return baseline;
      }),
    latest: (goldenSet) => record.replay.latest(goldenSet),
    list: (options) => record.replay.list(options),
    get: (id) => record.replay.get(id),
    promote: (runId, by, at) =>
      record.transaction(async (tx) => {
        const baseline = await tx.replay.promote(runId, by, at);
        if (!baseline)
          throw new RefusedError(
            `No stored replay run #${runId}`,
            'replay_run_not_found',
            'Promote a run that is stored.',
          );
        await tx.audit.append(auditEntry(baseline));
        return baseline;
      }),
    baseline: (goldenSet) => record.replay.baseline(goldenSet),
  };
}
