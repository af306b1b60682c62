/**
 * Batches, their runs and per-item state (SPEC 8). A batch is stored once at preview and never
 * changed (the database refuses UPDATE and DELETE). A run is created once per batch (its primary key
 * is the batch id: the record, not only a Redis claim, knows that a batch ran), with one row per item;
 * run changes are compare-and-set on `version`.
 */
import type { Executor, RepoContext } from '../context.js';
import type { BatchItemStatus, GatekeeperTables } from './gatekeeper.js';

export type BatchRow = GatekeeperTables['batches'];
export type BatchRunRow = GatekeeperTables['batch_runs'];
export type BatchItemRow = GatekeeperTables['batch_items'];

export interface StoredBatch {
  id: string;
  hash: string;
  mode: string;
  created_at: string;
  expires_at: string;
  previewed_by: string;
  items: readonly { draft_id: string; canonical_email: string }[];
  excluded: readonly unknown[];
}

export interface RunState {
  batch_id: string;
  status: 'executing' | 'executed';
  executed_by: string;
  started_at: string;
  finished_at: string | null;
  resumes: number;
  counts: { sent: number; failed: number; skipped: number; unknown: number };
  version: number;
}

function toRun(row: BatchRunRow): RunState {
  return {
    batch_id: row.batch_id,
    status: row.status,
    executed_by: row.executed_by,
    started_at: row.started_at,
    finished_at: row.finished_at,
    resumes: Number(row.resumes),
    counts: JSON.parse(row.counts) as RunState['counts'],
    version: Number(row.version),
  };
}

const CHUNK = 200;

export function createBatchesRepo(exec: Executor, ctx: RepoContext) {
  const iso = () => new Date(ctx.now()).toISOString();
  return {
    /** Store a batch once (the whole batch as JSON). false = the id exists already. */
    async insert(batch: StoredBatch): Promise<boolean> {
      const result = await exec
        .insertInto('batches')
        .values({
          id: batch.id,
          hash: batch.hash,
          mode: batch.mode,
          created_at: batch.created_at,
          expires_at: batch.expires_at,
          previewed_by: batch.previewed_by,
          item_count: batch.items.length,
          excluded_count: batch.excluded.length,
          batch: JSON.stringify(batch),
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    /** The stored batch JSON (parse it with the domain schema), or undefined. */
    async get(id: string): Promise<unknown> {
      const row = await exec.selectFrom('batches').select('batch').where('id', '=', id).executeTakeFirst();
      return row ? (JSON.parse(row.batch) as unknown) : undefined;
    },

    /** Newest first, with their runs; `limit` rows. */
    async list(limit = 200): Promise<{ batch: unknown; run: RunState | undefined }[]> {
      const rows = await exec
        .selectFrom('batches')
        .leftJoin('batch_runs', 'batch_runs.batch_id', 'batches.id')
        .select([
          'batches.batch as batch',
          'batch_runs.batch_id as run_batch_id',
          'batch_runs.status as run_status',
          'batch_runs.executed_by as executed_by',
          'batch_runs.started_at as started_at',
          'batch_runs.finished_at as finished_at',
          'batch_runs.resumes as resumes',
          'batch_runs.counts as counts',
          'batch_runs.version as version',
        ])
        .orderBy('batches.created_at', 'desc')
        .orderBy('batches.id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        batch: JSON.parse(row.batch) as unknown,
        run:
          row.run_batch_id === null
            ? undefined
            : toRun({
                batch_id: row.run_batch_id,
                status: row.run_status as RunState['status'],
                executed_by: row.executed_by ?? '',
                started_at: row.started_at ?? '',
                finished_at: row.finished_at,
                resumes: row.resumes ?? 0,
                counts: row.counts ?? '{}',
                version: row.version ?? 0,
              }),
      }));
    },

    async run(batchId: string): Promise<RunState | undefined> {
      const row = await exec
        .selectFrom('batch_runs')
        .selectAll()
        .where('batch_id', '=', batchId)
        .executeTakeFirst();
      return row ? toRun(row) : undefined;
    },

    /**
     * Create the run of a batch with one pending row per item. false = it ran (or runs) already: the
     * record refuses a second run even when the Redis claim is gone.
     */
    async startRun(batch: StoredBatch, executedBy: string): Promise<RunState | undefined> {
      const at = iso();
      const run: BatchRunRow = {
        batch_id: batch.id,
        status: 'executing',
        executed_by: executedBy,
        started_at: at,
        finished_at: null,
        resumes: 0,
        counts: JSON.stringify({ sent: 0, failed: 0, skipped: 0, unknown: 0 }),
        version: 1,
      };
      const result = await exec
        .insertInto('batch_runs')
        .values(run)
        .onConflict((oc) => oc.column('batch_id').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) return undefined;
      const items: BatchItemRow[] = batch.items.map((item, position) => ({
        batch_id: batch.id,
        position,
        draft_id: item.draft_id,
        canonical_email: item.canonical_email,
        status: 'pending',
        detail: null,
        updated_at: at,
      }));
      for (let i = 0; i < items.length; i += CHUNK)
        await exec
          .insertInto('batch_items')
          .values(items.slice(i, i + CHUNK))
          .execute();
      return toRun(run);
    },

    /** Compare-and-set on the run's version; undefined = someone else changed it first. */
    async updateRun(
      current: RunState,
      change: Partial<Pick<RunState, 'status' | 'finished_at' | 'resumes' | 'counts'>>,
    ): Promise<RunState | undefined> {
      const next: RunState = { ...current, ...change, version: current.version + 1 };
      const result = await exec
        .updateTable('batch_runs')
        .set({
          status: next.status,
          finished_at: next.finished_at,
          resumes: next.resumes,
          counts: JSON.stringify(next.counts),
          version: next.version,
        })
        .where('batch_id', '=', current.batch_id)
        .where('version', '=', current.version)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0 ? next : undefined;
    },

    async setItem(
      batchId: string,
      draftId: string,
      status: BatchItemStatus,
      detail: string | null,
    ): Promise<void> {
      await exec
        .updateTable('batch_items')
        .set({ status, detail, updated_at: iso() })
        .where('batch_id', '=', batchId)
        .where('draft_id', '=', draftId)
        .execute();
    },

    async items(batchId: string): Promise<BatchItemRow[]> {
      return exec
        .selectFrom('batch_items')
        .selectAll()
        .where('batch_id', '=', batchId)
        .orderBy('position')
        .execute();
    },
  };
}
export type BatchesRepo = ReturnType<typeof createBatchesRepo>;
