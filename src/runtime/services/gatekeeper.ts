/**
 * The Gatekeeper (SPEC 8): preview builds an immutable batch of approved drafts with a hash over what
 * will be sent; execute sends exactly that batch, once, under the dispatch lock.
 *
 * Collections: `batches` (written once at preview, never rewritten) and `batch_runs` (execution state).
 * Execute, in order: batch exists -> hash -> never started (or --resume of a started run) -> unexpired
 * -> two-person rule -> dispatch lock -> every item unchanged since preview -> one-time claim -> per
 * item: fence check, mark batched (CAS), dispatch through the sent log, mark sent/failed.
 */
import { createAddressFacts } from './address-facts.js';
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
import { selectBatch, type SendMode } from '../domain/gatekeeper/selection.js';
import {
  DraftSchema,
  SelectableDraftSchema,
  type Motion,
  type SelectableDraft,
} from '../domain/queue/draft.js';
import { transition, type DraftAction } from '../domain/queue/transitions.js';
import { decideGraduation, rampStatus, type RampStatus } from '../domain/ramp.js';
import type { CasResult, Lock, StateStore, StoredRecord } from '../stores/state-store.js';
import type { Dispatcher } from './dispatch.js';
import { DRAFTS, type AuditSink } from './queue.js';
import type { SentLog } from './sent-log.js';

export const BATCHES = 'batches';
export const BATCH_RUNS = 'batch_runs';
export const DISPATCH_LOCK = 'dispatch';
const CLAIM_NAMESPACE = 'batch-execute';

export interface GatekeeperDeps {
  state: StateStore;
  sentLog: SentLog;
  dispatcher: Dispatcher;
  config: Pick<
    Config,
    | 'GATEKEEPER_BATCH_TTL_SECONDS'
    | 'RAMP_START_DAILY_LIMIT'
    | 'RAMP_CLEAN_DAYS_TO_GRADUATE'
    | 'EMAIL_SEND_MODE'
    | 'EMAIL_WHITELIST'
  >;
  audit?: AuditSink | undefined;
  now?: () => number;
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

export function createGatekeeper(deps: GatekeeperDeps) {
  const { state, sentLog, dispatcher, config } = deps;
  const addressFacts = createAddressFacts(state, sentLog);
  const now = deps.now ?? Date.now;
  const lockTtlMs = deps.lockTtlMs ?? 30_000;
  const mode: SendMode = config.EMAIL_SEND_MODE;
  const audit = (actor: string, action: string, subject: string, details?: unknown) =>
    deps.audit?.append({ actor, action, subject, details });

  function ramp(): RampStatus {
    const at = now();
    const tier = sentLog.rampTier();
    return rampStatus({
      startLimit: config.RAMP_START_DAILY_LIMIT,
      cleanDaysToGraduate: config.RAMP_CLEAN_DAYS_TO_GRADUATE,
      tier: tier.tier,
      graduatedOn: tier.graduatedOn,
      days: sentLog.rampDays(iso(at - 60 * DAY_MS).slice(0, 10)),
      today: iso(at).slice(0, 10),
    });
  }

  function graduate(actor: string, confirmed: boolean, note: string | null = null) {
    const status = ramp();
    const decision = decideGraduation(status, config.RAMP_START_DAILY_LIMIT, confirmed);
    if (!decision.ok)
      throw new RefusedError(
        decision.message,
        'ramp_not_eligible',
        'Check the ramp status for the clean-day count.',
      );
    sentLog.recordGraduation(decision.tier, actor, note, now());
    audit(actor, 'ramp.graduate', `tier-${decision.tier}`, {
      from: status.tier,
      daily_limit: decision.daily_limit,
      note,
    });
    return ramp();
  }

  function recordIncident(actor: string, note: string): RampStatus {
    sentLog.recordIncident(actor, note, now());
    audit(actor, 'ramp.incident', 'ramp', { note });
    return ramp();
  }

  async function loadBatch(id: string): Promise<Batch> {
    const record = await state.getRecord(BATCHES, id);
    if (!record) {
      throw new UserError(`No batch with id "${id}"`, {
        exitCode: 1,
        code: 'batch_not_found',
        nextStep: 'List the batches, or preview a new one.',
      });
    }
    return BatchSchema.parse(record.value);
  }

  async function loadRun(id: string): Promise<StoredRecord<BatchRun> | undefined> {
    const record = await state.getRecord(BATCH_RUNS, id);
    return record ? { ...record, value: BatchRunSchema.parse(record.value) } : undefined;
  }

  async function preview(scope: PreviewScope, actor: string, options: PreviewOptions = {}): Promise<Batch> {
    const at = now();
    const versions = new Map<string, number>();
    const drafts: SelectableDraft[] = [];
    const records = scope.ids
      ? [...(await state.getRecords(DRAFTS, scope.ids)).values()]
      : await state.listRecords(DRAFTS);
    for (const record of records) {
      // Cheap status check first: only approved drafts are validated (explicit ids: all, to explain).
      if (!scope.ids && (record.value as { status?: unknown } | null)?.status !== 'approved') continue;
      const parsed = SelectableDraftSchema.safeParse(record.value);
      if (!parsed.success) continue;
      versions.set(parsed.data.id, record.version);
      drafts.push(parsed.data);
    }
    const facts = await addressFacts.lookup(drafts.map((d) => d.canonical_email));
    const rampNow = ramp();
    const selection = selectBatch({
      drafts,
      requestedIds: scope.ids,
      motion: scope.motion,
      suppressed: facts.suppressed,
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
    const batch: Batch = {
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
    if (options.persist === false) return batch;
    // An empty batch would be stored and "executed" for nothing: refuse it, saying why it is empty.
    if (items.length === 0) {
      const reasons = new Map<string, number>();
      for (const excluded of selection.excluded)
        reasons.set(excluded.reason, (reasons.get(excluded.reason) ?? 0) + 1);
      const why =
        reasons.size === 0
          ? 'no approved drafts in scope'
          : `every draft in scope was excluded (${[...reasons].map(([reason, n]) => `${n} ${reason}`).join(', ')})`;
      refuse(
        'empty_preview',
        `Nothing to preview: ${why}; no batch was stored`,
        'Approve drafts first, then preview again.',
      );
    }
    const stored = await state.compareAndSet(BATCHES, batch.id, 0, batch);
    if (!stored.ok) throw new Error(`batch id collision: ${batch.id}`);
    audit(actor, 'batch.preview', batch.id, {
      hash: batch.hash,
      mode,
      items: items.length,
      excluded: selection.excluded.length,
      expires_at: batch.expires_at,
    });
    return batch;
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
    const before = await loadRun(batchId);
    const ruled = checkExecution({
      batch,
      run: before?.value,
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
      refuse(
        'dispatch_locked',
        'The dispatch lock is held by another execution; nothing was sent',
        'Wait for the running batch to finish, then try again.',
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
   * but two batches previewed the same day would together exceed it. Log-only dispatches send
   * nothing and do not count.
   */
  function checkAllowance(batch: Batch, toSend: number): void {
    if (mode === 'log-only' || toSend === 0) return;
    const status = ramp();
    if (toSend > status.remaining_today) {
      refuse(
        'ramp_limit',
        `Batch ${batch.id} would send ${toSend} email(s) but the ramp allows ${status.remaining_today} more today (${status.sent_today} of ${status.daily_limit} sent); nothing was sent`,
        'Preview again (the new batch keeps within what is left today), or graduate the ramp when it is eligible.',
      );
    }
  }

  async function executeLocked(
    batch: Batch,
    actor: string,
    resume: boolean,
    lock: Lock,
  ): Promise<ExecuteResult> {
    const ids = batch.items.map((item) => item.draft_id);
    let records = await state.getRecords(DRAFTS, ids);
    let runRecord = await loadRun(batch.id);
    if (!resume) {
      if (runRecord) {
        refuse(
          'already_executed',
          `Batch ${batch.id} was already executed by ${runRecord.value.executed_by}`,
          'Preview a new batch.',
        );
      }
      const changed = batch.items.flatMap((item) => {
        const record = records.get(item.draft_id);
        const draft = record ? DraftSchema.safeParse(record.value) : undefined;
        if (record && draft?.success && record.version === item.version && draft.data.status === 'approved')
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
      checkAllowance(batch, batch.items.length);
      const claim = await state.claimOnce(CLAIM_NAMESPACE, batch.id, `${actor}:${lock.fence}`);
      if (!claim.claimed)
        refuse(
          'already_executed',
          `Batch ${batch.id} was already executed (claimed by ${claim.by})`,
          'Preview a new batch.',
        );
      const run: BatchRun = {
        batch_id: batch.id,
        status: 'executing',
        executed_by: actor,
        started_at: iso(now()),
        finished_at: null,
        counts: { sent: 0, failed: 0, skipped: 0, unknown: 0 },
        resumes: 0,
      };
      const created = await state.compareAndSet(BATCH_RUNS, batch.id, 0, run);
      if (!created.ok)
        refuse('already_executed', `Batch ${batch.id} was already executed`, 'Preview a new batch.');
      runRecord = created.record as StoredRecord<BatchRun>;
      audit(actor, 'batch.execute', batch.id, { hash: batch.hash, mode, items: batch.items.length });
    } else {
      if (!runRecord || runRecord.value.status !== 'executing') {
        refuse(
          'not_started',
          `Batch ${batch.id} has no interrupted run to resume`,
          'List the batches to see its status.',
        );
      }
      checkAllowance(batch, batch.items.filter((item) => sentLog.get(item.draft_id) === undefined).length);
      const resumed = await state.compareAndSet(BATCH_RUNS, batch.id, runRecord.version, {
        ...runRecord.value,
        resumes: runRecord.value.resumes + 1,
      });
      if (!resumed.ok)
        refuse(
          'dispatch_locked',
          `Batch ${batch.id} is being resumed by someone else`,
          'Wait, then check the batch list.',
        );
      runRecord = resumed.record as StoredRecord<BatchRun>;
      audit(actor, 'batch.resume', batch.id, {
        hash: batch.hash,
        already_recorded: sentLog.countForBatch(batch.id),
      });
      records = await state.getRecords(DRAFTS, ids);
    }

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
      outcomes.push(await executeItem(batch, item, records.get(item.draft_id), actor));
    }
    const counts = { sent: 0, failed: 0, skipped: 0, unknown: 0 };
    for (const outcome of outcomes) counts[outcome.status] += 1;
    const finished: BatchRun = { ...runRecord.value, status: 'executed', finished_at: iso(now()), counts };
    await state.compareAndSet(BATCH_RUNS, batch.id, runRecord.version, finished);
    audit(actor, 'batch.executed', batch.id, { counts, resumes: runRecord.value.resumes });
    return { batch_id: batch.id, executed_by: actor, resumed: resume, counts, items: outcomes };
  }

  function lost(batch: Batch, actor: string, outcomes: ItemOutcome[]): never {
    audit(actor, 'batch.lock_lost', batch.id, { dispatched: outcomes.length });
    refuse(
      'lock_lost',
      `Lost the dispatch lock after ${outcomes.length} of ${batch.items.length} items of batch ${batch.id}; stopped`,
      `Resume batch ${batch.id} (hash ${batch.hash}) to send what is left.`,
    );
  }

  /** Move a draft with CAS; on a race re-read once. Returns the new record or undefined. */
  async function move(
    id: string,
    record: StoredRecord,
    action: DraftAction,
  ): Promise<StoredRecord | undefined> {
    let current: StoredRecord | undefined = record;
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
    record: StoredRecord | undefined,
    actor: string,
  ): Promise<ItemOutcome> {
    const skip = (detail: string): ItemOutcome => ({ draft_id: item.draft_id, status: 'skipped', detail });
    if (!record) return skip('draft no longer exists');
    let draft = DraftSchema.parse(record.value);
    let current: StoredRecord = record;
    if (draft.status === 'approved' && record.version === item.version) {
      const moved = await move(item.draft_id, record, { type: 'batch', batchId: batch.id, at: iso(now()) });
      if (!moved) return skip('changed while the batch was starting');
      current = moved;
      draft = DraftSchema.parse(moved.value);
    } else if (draft.batch_id === batch.id && (draft.status === 'sent' || draft.status === 'failed')) {
      const row = sentLog.get(item.draft_id);
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
    const outcome = await dispatcher.dispatchItem({ batchId: batch.id, draft, actor });
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

  async function list(): Promise<BatchSummary[]> {
    const [batches, runs] = await Promise.all([state.listRecords(BATCHES), state.listRecords(BATCH_RUNS)]);
    const runById = new Map<string, BatchRun>();
    for (const record of runs) {
      const parsed = BatchRunSchema.safeParse(record.value);
      if (parsed.success) runById.set(record.id, parsed.data);
    }
    const at = now();
    const out: BatchSummary[] = [];
    for (const record of batches) {
      const parsed = BatchSchema.safeParse(record.value);
      if (!parsed.success) continue;
      const b = parsed.data;
      const run = runById.get(b.id);
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
    return out.sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
  }

  async function get(id: string) {
    const batch = await loadBatch(id);
    const run = await loadRun(id);
    return {
      batch,
      status: batchStatus(batch, run?.value, now()),
      run: run?.value ?? null,
      sent: sentLog.forBatch(id),
    };
  }

  return { mode, preview, execute, list, get, ramp, graduate, recordIncident };
}

export type Gatekeeper = ReturnType<typeof createGatekeeper>;
