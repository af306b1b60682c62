/**
 * The Gatekeeper (SPEC 8): preview builds an immutable batch of approved drafts with a hash over what
 * will be sent; execute sends exactly that batch, once, under the dispatch lock.
 *
 * The record remembers (batches, immutable once stored; runs with per-item state; the send ledger;
 * the ramp), Redis coordinates (the dispatch lock with fencing, the one-time execute claim). Execute,
 * in order: batch exists -> hash -> never started in the record (or --resume of a started run) ->
 * unexpired -> two-person rule -> dispatch lock -> every item unchanged since preview -> ramp allowance
 * (every host's sends today) -> one-time claim -> the run row in the record -> per item: fence check,
 * mark batched (CAS), dispatch through the ledger (re-checks suppressions, sends and the ramp's daily
 * limit right before the send), mark sent/failed. A run row in the record refuses a second execution
 * even when the Redis claim is gone (FLUSHALL).
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.js';
import { RefusedError, UserError } from '../errors.js';
import {
  BatchRunSchema,
  BatchSchema,
  batchStatus,
  checkExecution,
  type Batch,
  type BatchItem,
  type BatchRun,
  type BatchStatus,
  type ItemOutcome,
} from '../domain/gatekeeper/batch.js';
import { batchHash, sha256Hex } from '../domain/gatekeeper/hash.js';
import {
  countByReason,
  emptyPreviewCauses,
  selectBatch,
  type EmptyPreviewCause,
  type Exclusion,
  type SendMode,
} from '../domain/gatekeeper/selection.js';
import {
  DraftSchema,
  SelectableDraftSchema,
  type Motion,
  type SelectableDraft,
} from '../domain/queue/draft.js';
import { transition, type DraftAction } from '../domain/queue/transitions.js';
import { decideGraduation, rampStatus, tierLimit, type RampStatus } from '../domain/ramp.js';
import type { RecordStore, Repos } from '../stores/record/record.js';
import type { RunState } from '../stores/record/tables/gatekeeper-batches.js';
import type { CasResult, Lock, StateStore, StoredRecord } from '../stores/state-store.js';
import type { Dispatcher } from './dispatch.js';
import { DRAFTS } from './queue.js';

export const DISPATCH_LOCK = 'dispatch';
/** One-time claim namespace of batch execution (`caio migrate` seeds it from the record's batch runs). */
export const CLAIM_NAMESPACE = 'batch-execute';

const EMPTY_PREVIEW_STEPS: Record<EmptyPreviewCause, string> = {
  none: 'Approve drafts first, then preview again.',
  ramp: "The ramp's allowance for today is used: preview again tomorrow, or graduate the ramp when it is eligible.",
  whitelist: 'Whitelist mode sends only to EMAIL_WHITELIST: add the recipients to it, then preview again.',
  scope: 'Only approved e-mail drafts can be batched: check the ids, approve the drafts, then preview again.',
  contacted:
    'Suppressed or already contacted addresses are never e-mailed again, so those drafts will not be sent: approve other drafts, then preview again.',
};

/** Exclusions an empty preview's details list (the counts cover them all). */
export const EXCLUSIONS_SHOWN = 100;

/**
 * A preview with nothing to send: no batch is stored. It carries every exclusion (with its reason),
 * so each surface can say why and name the step that helps.
 */
export class EmptyPreviewError extends RefusedError {
  readonly causes: EmptyPreviewCause[];
  /** What every surface shows beside the message (CLI `--json`, the HTTP answer). */
  readonly counts: {
    items: 0;
    excluded: number;
    excluded_by_reason: Partial<Record<Exclusion['reason'], number>>;
  };

  constructor(
    readonly mode: SendMode,
    readonly excluded: Exclusion[],
  ) {
    const byReason = countByReason(excluded);
    const counts = Object.entries(byReason)
      .map(([reason, n]) => `${n} ${reason}`)
      .join(', ');
    const causes = emptyPreviewCauses(excluded);
    super(
      excluded.length > 0
        ? `Nothing to send: all ${excluded.length} draft(s) in scope were excluded (${counts}); no batch was stored`
        : 'Nothing to send: no approved drafts in scope; no batch was stored',
      'empty_preview',
      causes.map((cause) => EMPTY_PREVIEW_STEPS[cause]).join(' '),
    );
    this.name = 'EmptyPreviewError';
    this.causes = causes;
    this.counts = { items: 0, excluded: excluded.length, excluded_by_reason: byReason };
    this.details = {
      mode,
      counts: this.counts,
      // The first ones, with the total above: a scope of 100,000 drafts would make a 10 MB answer.
      excluded: excluded.slice(0, EXCLUSIONS_SHOWN),
    };
  }
}

/**
 * Another host or process holds the dispatch lock: one execution at a time, on every host. This
 * request sent nothing, and no draft is ever sent twice (the one-time claim, the run record and the
 * sent log). `running` is set when the execution elsewhere is this batch's.
 */
export class DispatchLockedError extends RefusedError {
  constructor(
    readonly batchId: string,
    readonly running: { by: string; startedAt: string } | undefined,
  ) {
    super(
      running
        ? `Batch ${batchId} is being executed by ${running.by} on another host or process (started ${running.startedAt}); this request sent nothing, and no draft is ever sent twice`
        : `Another host or process is executing a batch (one at a time, on every host); this request sent nothing for batch ${batchId}, and no draft is ever sent twice`,
      'dispatch_locked',
      running
        ? 'Wait for that execution to finish, then look at the batch for its outcome; do not execute it again.'
        : 'Retry after that execution finishes: this batch then executes, or, if the other execution was this batch, the retry is refused as already executed.',
    );
    this.name = 'DispatchLockedError';
  }
}

export interface GatekeeperDeps {
  /** The record: batches, runs, ledger, suppressions, ramp, audit. */
  record: RecordStore;
  /** Coordination: the dispatch lock with fencing and the one-time claim (and, until the queue moves to the record, the drafts). */
  state: StateStore;
  dispatcher: Dispatcher;
  config: Pick<
    Config,
    | 'GATEKEEPER_BATCH_TTL_SECONDS'
    | 'RAMP_START_DAILY_LIMIT'
    | 'RAMP_CLEAN_DAYS_TO_GRADUATE'
    | 'EMAIL_SEND_MODE'
    | 'EMAIL_WHITELIST'
  >;
  now?: (() => number) | undefined;
  /** Who triggers an outbound --live run may not execute its batch (off by default). */
  twoPersonRule?: boolean;
  /** Dispatch lock TTL; extended while a batch runs. A crashed holder blocks resume this long. */
  lockTtlMs?: number;
}

export interface PreviewScope {
  motion?: Motion | 'all' | undefined;
  ids?: readonly string[] | undefined;
}

export interface PreviewOptions {
  /** false = dry run: compute everything, store nothing. */
  persist?: boolean;
  triggeredBy?: string | null;
}

export interface ExecuteResult {
  batch_id: string;
  executed_by: string;
  resumed: boolean;
  counts: BatchRun['counts'];
  items: ItemOutcome[];
}

export interface BatchSummary {
  id: string;
  hash: string;
  mode: SendMode;
  status: BatchStatus;
  created_at: string;
  expires_at: string;
  previewed_by: string;
  items: number;
  excluded: number;
  run: BatchRun | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

function toRun(run: RunState): BatchRun {
  return BatchRunSchema.parse(run);
}

export function createGatekeeper(deps: GatekeeperDeps) {
  const { record, state, dispatcher, config } = deps;
  const now = deps.now ?? Date.now;
  const lockTtlMs = deps.lockTtlMs ?? 30_000;
  const mode: SendMode = config.EMAIL_SEND_MODE;
  const audit = (tx: Repos, actor: string, action: string, subject: string, details?: unknown) =>
    tx.audit.append({ actor, action, subject, details });

  /** The ramp now, from the record: every host's sends (read inside a transaction to see a consistent count). */
  async function rampIn(repos: Repos): Promise<RampStatus> {
    const at = now();
    const [tier, days] = await Promise.all([
      repos.ramp.tier(),
      repos.ramp.days(iso(at - 60 * DAY_MS).slice(0, 10)),
    ]);
    return rampStatus({
      startLimit: config.RAMP_START_DAILY_LIMIT,
      cleanDaysToGraduate: config.RAMP_CLEAN_DAYS_TO_GRADUATE,
      tier: tier.tier,
      graduatedOn: tier.graduatedOn,
      days,
      today: iso(at).slice(0, 10),
    });
  }

  const ramp = (): Promise<RampStatus> => rampIn(record);

  async function graduate(
    actor: string,
    confirmed: boolean,
    note: string | null = null,
  ): Promise<RampStatus> {
    await record.transaction(async (tx) => {
      await tx.ledger.lockRamp();
      const status = await rampIn(tx);
      const decision = decideGraduation(status, config.RAMP_START_DAILY_LIMIT, confirmed);
      if (!decision.ok)
        throw new RefusedError(
          decision.message,
          'ramp_not_eligible',
          'Check the ramp status for the clean-day count.',
        );
      await tx.ramp.recordGraduation(decision.tier, actor, note, now());
      await audit(tx, actor, 'ramp.graduate', `tier-${decision.tier}`, {
        from: status.tier,
        daily_limit: decision.daily_limit,
        note,
      });
    });
    return ramp();
  }

  async function recordIncident(actor: string, note: string): Promise<RampStatus> {
    await record.transaction(async (tx) => {
      await tx.ramp.recordIncident(actor, note, now());
      await audit(tx, actor, 'ramp.incident', 'ramp', { note });
    });
    return ramp();
  }

  async function loadBatch(id: string): Promise<Batch> {
    const stored = await record.batches.get(id);
    if (stored === undefined) {
      throw new UserError(`No batch with id "${id}"`, {
        exitCode: 1,
        code: 'batch_not_found',
        nextStep: 'List the batches, or preview a new one.',
      });
    }
    return BatchSchema.parse(stored);
  }

  async function preview(scope: PreviewScope, actor: string, options: PreviewOptions = {}): Promise<Batch> {
    const at = now();
    const versions = new Map<string, number>();
    const drafts: SelectableDraft[] = [];
    const records = scope.ids
      ? [...(await state.getRecords(DRAFTS, scope.ids)).values()]
      : await state.listRecords(DRAFTS);
    for (const stored of records) {
      // Cheap status check first: only approved drafts are validated (explicit ids: all, to explain).
      if (!scope.ids && (stored.value as { status?: unknown } | null)?.status !== 'approved') continue;
      const parsed = SelectableDraftSchema.safeParse(stored.value);
      if (!parsed.success) continue;
      versions.set(parsed.data.id, stored.version);
      drafts.push(parsed.data);
    }
    const build = async (repos: Repos): Promise<Batch> => {
      const facts = await repos.addresses.lookup(drafts.map((d) => d.canonical_email));
      const suppressed = new Map<string, string>();
      for (const [canonical, row] of facts.suppressed) suppressed.set(canonical, row.reason);
      const rampNow = await rampIn(repos);
      const selection = selectBatch({
        drafts,
        requestedIds: scope.ids,
        motion: scope.motion,
        suppressed,
        sent: facts.sent,
        mode,
        whitelist: config.EMAIL_WHITELIST,
        remainingAllowance: rampNow.remaining_today,
      });
      const items: BatchItem[] = selection.items.map((draft) => ({
        draft_id: draft.id,
        email: draft.lead.email,
        canonical_email: draft.canonical_email,
        subject: draft.subject,
        body_sha256: draft.body_sha256 ?? sha256Hex(draft.body),
        version: versions.get(draft.id) ?? 0,
        motion: draft.motion,
      }));
      return {
        id: `b_${at.toString(36)}_${randomBytes(4).toString('hex')}`,
        hash: batchHash(mode, items),
        mode,
        scope: { motion: scope.ids ? null : (scope.motion ?? 'all'), ids: scope.ids ? [...scope.ids] : null },
        created_at: iso(at),
        expires_at: iso(at + config.GATEKEEPER_BATCH_TTL_SECONDS * 1000),
        previewed_by: actor,
        triggered_by: options.triggeredBy ?? null,
        ramp: {
          tier: rampNow.tier,
          daily_limit: rampNow.daily_limit,
          remaining_today: rampNow.remaining_today,
        },
        items,
        excluded: selection.excluded,
      };
    };
    if (options.persist === false) return build(record);
    // Under the ramp lock: the allowance seen is every host's, and the batch and its audit row commit together.
    return record.transaction(async (tx) => {
      await tx.ledger.lockRamp();
      const batch = await build(tx);
      if (batch.items.length === 0) throw new EmptyPreviewError(batch.mode, batch.excluded as Exclusion[]);
      if (!(await tx.batches.insert(batch))) throw new Error(`batch id collision: ${batch.id}`);
      await audit(tx, actor, 'batch.preview', batch.id, {
        hash: batch.hash,
        mode,
        items: batch.items.length,
        excluded: batch.excluded.length,
        expires_at: batch.expires_at,
      });
      return batch;
    });
  }

  function refuse(code: string, message: string, nextStep: string): never {
    throw new RefusedError(message, code, nextStep);
  }

  async function execute(
    batchId: string,
    hash: string,
    actor: string,
    options: { resume?: boolean } = {},
  ): Promise<ExecuteResult> {
    const resume = options.resume ?? false;
    const batch = await loadBatch(batchId);
    const before = await record.batches.run(batchId);
    const ruled = checkExecution({
      batch,
      run: before ? toRun(before) : undefined,
      hash,
      actor,
      now: now(),
      resume,
      twoPersonRule: deps.twoPersonRule ?? false,
    });
    if (ruled) refuse(ruled.code, ruled.message, ruled.nextStep);
    if (batch.mode !== mode) {
      refuse(
        'mode_changed',
        `Batch ${batchId} was previewed in ${batch.mode} mode but EMAIL_SEND_MODE is now ${mode}`,
        'Preview again in the current mode.',
      );
    }
    dispatcher.prepare();
    const lock = await state.acquireLock(DISPATCH_LOCK, lockTtlMs);
    if (!lock) {
      // Say whether it is this batch that runs elsewhere (its run row), or another one.
      const running = await record.batches.run(batchId).catch(() => undefined);
      throw new DispatchLockedError(
        batchId,
        running && running.status === 'executing'
          ? { by: running.executed_by, startedAt: running.started_at }
          : undefined,
      );
    }
    try {
      return await executeLocked(batch, actor, resume, lock);
    } finally {
      await state.releaseLock(lock).catch(() => false);
    }
  }

  /**
   * The ramp is checked again under the dispatch lock: a preview keeps within the allowance it saw,
   * but two batches previewed the same day (on any host) would together exceed it. Each send checks
   * once more in the ledger. Log-only dispatches send nothing and do not count.
   */
  async function checkAllowance(batch: Batch, toSend: number): Promise<RampStatus> {
    const status = await ramp();
    if (mode === 'log-only' || toSend === 0) return status;
    if (toSend > status.remaining_today) {
      refuse(
        'ramp_limit',
        `Batch ${batch.id} would send ${toSend} email(s) but the ramp allows ${status.remaining_today} more today (${status.sent_today} of ${status.daily_limit} sent); nothing was sent`,
        'Preview again (the new batch keeps within what is left today), or graduate the ramp when it is eligible.',
      );
    }
    return status;
  }

  async function executeLocked(
    batch: Batch,
    actor: string,
    resume: boolean,
    lock: Lock,
  ): Promise<ExecuteResult> {
    const ids = batch.items.map((item) => item.draft_id);
    let records = await state.getRecords(DRAFTS, ids);
    let run = await record.batches.run(batch.id);
    let rampNow: RampStatus;
    if (!resume) {
      if (run) {
        refuse(
          'already_executed',
          `Batch ${batch.id} was already executed by ${run.executed_by}`,
          'Preview a new batch.',
        );
      }
      const changed = batch.items.flatMap((item) => {
        const stored = records.get(item.draft_id);
        const draft = stored ? DraftSchema.safeParse(stored.value) : undefined;
        if (stored && draft?.success && stored.version === item.version && draft.data.status === 'approved')
          return [];
        return [`${item.draft_id} (${draft?.success ? `now ${draft.data.status}` : 'deleted'})`];
      });
      if (changed.length > 0) {
        refuse(
          'items_changed',
          `Batch ${batch.id} refused: ${changed.length} item(s) changed since the preview: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''}`,
          'Preview again to get a batch of what is approved now.',
        );
      }
      rampNow = await checkAllowance(batch, batch.items.length);
      const claim = await state.claimOnce(CLAIM_NAMESPACE, batch.id, `${actor}:${lock.fence}`);
      if (!claim.claimed)
        refuse(
          'already_executed',
          `Batch ${batch.id} was already executed (claimed by ${claim.by})`,
          'Preview a new batch.',
        );
      // The record, not only the claim, knows the batch ran: after FLUSHALL the run row still refuses.
      run = await record.transaction(async (tx) => {
        const started = await tx.batches.startRun(batch, actor);
        if (!started) return undefined;
        await audit(tx, actor, 'batch.execute', batch.id, {
          hash: batch.hash,
          mode,
          items: batch.items.length,
        });
        return started;
      });
      if (!run) refuse('already_executed', `Batch ${batch.id} was already executed`, 'Preview a new batch.');
    } else {
      if (!run || run.status !== 'executing') {
        refuse(
          'not_started',
          `Batch ${batch.id} has no interrupted run to resume`,
          'List the batches to see its status.',
        );
      }
      const recorded = new Set((await record.ledger.forBatch(batch.id)).map((row) => row.draft_id));
      rampNow = await checkAllowance(
        batch,
        batch.items.filter((item) => !recorded.has(item.draft_id)).length,
      );
      const current = run;
      run = await record.transaction(async (tx) => {
        const resumed = await tx.batches.updateRun(current, { resumes: current.resumes + 1 });
        if (resumed)
          await audit(tx, actor, 'batch.resume', batch.id, {
            hash: batch.hash,
            already_recorded: recorded.size,
          });
        return resumed;
      });
      if (!run)
        throw new DispatchLockedError(batch.id, { by: current.executed_by, startedAt: current.started_at });
      records = await state.getRecords(DRAFTS, ids);
    }

    const dailyLimit =
      mode === 'log-only' ? undefined : tierLimit(config.RAMP_START_DAILY_LIMIT, rampNow.tier);
    const outcomes: ItemOutcome[] = [];
    let lastExtend = now();
    let heldLock = lock;
    for (const item of batch.items) {
      if (now() - lastExtend > lockTtlMs / 3) {
        const extended = await state.extendLock(heldLock, lockTtlMs);
        if (!extended) return lost(batch, actor, outcomes);
        heldLock = extended;
        lastExtend = now();
      }
      if (!(await state.checkFence(DISPATCH_LOCK, heldLock.fence))) return lost(batch, actor, outcomes);
      outcomes.push(await executeItem(batch, item, records.get(item.draft_id), actor, dailyLimit));
    }
    const counts = { sent: 0, failed: 0, skipped: 0, unknown: 0 };
    for (const outcome of outcomes) counts[outcome.status] += 1;
    const finalRun = run;
    await record.transaction(async (tx) => {
      await tx.batches.updateRun(finalRun, { status: 'executed', finished_at: iso(now()), counts });
      await audit(tx, actor, 'batch.executed', batch.id, { counts, resumes: finalRun.resumes });
    });
    return { batch_id: batch.id, executed_by: actor, resumed: resume, counts, items: outcomes };
  }

  async function lost(batch: Batch, actor: string, outcomes: ItemOutcome[]): Promise<never> {
    await record.audit.append({
      actor,
      action: 'batch.lock_lost',
      subject: batch.id,
      details: { dispatched: outcomes.length },
    });
    refuse(
      'lock_lost',
      `Lost the dispatch lock after ${outcomes.length} of ${batch.items.length} items of batch ${batch.id}; stopped`,
      'Resume the batch (execute it again with resume).',
    );
  }

  /** Move a draft with CAS; on a race re-read once. Returns the new record or undefined. */
  async function move(
    id: string,
    stored: StoredRecord,
    action: DraftAction,
  ): Promise<StoredRecord | undefined> {
    let current: StoredRecord | undefined = stored;
    for (let attempt = 0; attempt < 3 && current; attempt += 1) {
      const draft = DraftSchema.parse(current.value);
      const result = transition(draft, action);
      if (!result.ok) return undefined;
      const cas: CasResult = await state.compareAndSet(DRAFTS, id, current.version, result.draft);
      if (cas.ok) return cas.record;
      current = cas.current;
    }
    return undefined;
  }

  async function executeItem(
    batch: Batch,
    item: BatchItem,
    stored: StoredRecord | undefined,
    actor: string,
    dailyLimit: number | undefined,
  ): Promise<ItemOutcome> {
    const skip = async (detail: string): Promise<ItemOutcome> => {
      await record.batches.setItem(batch.id, item.draft_id, 'skipped', detail);
      return { draft_id: item.draft_id, status: 'skipped', detail };
    };
    if (!stored) return skip('draft no longer exists');
    let draft = DraftSchema.parse(stored.value);
    let current: StoredRecord = stored;
    if (draft.status === 'approved' && stored.version === item.version) {
      const moved = await move(item.draft_id, stored, { type: 'batch', batchId: batch.id, at: iso(now()) });
      if (!moved) return skip('changed while the batch was starting');
      current = moved;
      draft = DraftSchema.parse(moved.value);
    } else if (draft.batch_id === batch.id && (draft.status === 'sent' || draft.status === 'failed')) {
      const row = await record.ledger.get(item.draft_id);
      return {
        draft_id: item.draft_id,
        status: row?.status === 'unknown' ? 'unknown' : draft.status,
        detail: row?.detail ?? draft.error,
      };
    } else if (!(draft.status === 'batched' && draft.batch_id === batch.id)) {
      return skip(`now ${draft.status}`);
    }
    if (sha256Hex(draft.body) !== item.body_sha256 || draft.subject !== item.subject)
      return skip('content differs from the preview');
    const outcome = await dispatcher.dispatchItem({
      batchId: batch.id,
      draft,
      actor,
      dailyLimit,
      also: (tx, result) => tx.batches.setItem(batch.id, item.draft_id, result.status, result.detail),
    });
    const at = iso(now());
    const next: DraftAction | undefined =
      outcome.status === 'sent'
        ? { type: 'send', batchId: batch.id, at }
        : outcome.status === 'failed'
          ? { type: 'fail', batchId: batch.id, at, error: outcome.detail ?? 'send failed' }
          : outcome.status === 'unknown'
            ? { type: 'fail', batchId: batch.id, at, error: outcome.detail ?? 'outcome unknown' }
            : outcome.detail?.startsWith('address suppressed')
              ? { type: 'suppress', reason: 'suppressed', source: 'dispatch', at }
              : { type: 'fail', batchId: batch.id, at, error: outcome.detail ?? 'skipped' };
    await move(item.draft_id, current, next);
    return outcome;
  }

  async function list(limit = 200): Promise<BatchSummary[]> {
    const at = now();
    const out: BatchSummary[] = [];
    for (const row of await record.batches.list(limit)) {
      const parsed = BatchSchema.safeParse(row.batch);
      if (!parsed.success) continue;
      const b = parsed.data;
      const run = row.run ? toRun(row.run) : undefined;
      out.push({
        id: b.id,
        hash: b.hash,
        mode: b.mode,
        status: batchStatus(b, run, at),
        created_at: b.created_at,
        expires_at: b.expires_at,
        previewed_by: b.previewed_by,
        items: b.items.length,
        excluded: b.excluded.length,
        run: run ?? null,
      });
    }
    return out;
  }

  async function get(id: string) {
    const batch = await loadBatch(id);
    const run = await record.batches.run(id);
    const parsed = run ? toRun(run) : undefined;
    return {
      batch,
      status: batchStatus(batch, parsed, now()),
      run: parsed ?? null,
      items: await record.batches.items(id),
      sent: await record.ledger.forBatch(id),
    };
  }

  return { mode, preview, execute, list, get, ramp, graduate, recordIncident };
}

export type Gatekeeper = ReturnType<typeof createGatekeeper>;
