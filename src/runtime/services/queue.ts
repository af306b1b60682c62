/**
 * The approval queue (SPEC 7) over the record. Every decision is one record transaction: read the
 * draft, apply the pure transition, compare-and-set on the version read, append the audit row. Two
 * racing decisions, on any host, resolve to one; the loser is refused with what happened instead.
 *
 * Capacity (DAILY_APPROVAL_CAPACITY per operator identity, case-insensitive, across every host) is
 * counted from the record inside the approving transaction (serialised per identity), so nothing in
 * Redis can lose or double it. Dedup: at most one active draft per canonical address (the record
 * enforces it); suppressions and sent addresses come from the address book of the same transaction.
 */
import { randomBytes } from 'node:crypto';
import type { ZodError } from 'zod';
import type { Config } from '../config.js';
import { RefusedError, UserError, errorMessage } from '../errors.js';
import { canonicalEmail } from '../domain/canonical-email.js';
import { sha256Hex } from '../domain/gatekeeper/hash.js';
import {
  DEFAULT_REJECTION_TAXONOMY,
  DraftInputSchema,
  describeIssues,
  type Draft,
  type DraftInput,
  type DraftSource,
  type DraftStatus,
  type Finding,
  type Lead,
  type Motion,
  type SuppressionReason,
} from '../domain/queue/draft.js';
import { utcDay, type QueueMetrics } from '../domain/queue/metrics.js';
import { QueuePageQuerySchema, type QueuePage, type QueuePageQuery } from '../domain/queue/page.js';
import { UNDO_GRACE_MS, transition, type DraftAction } from '../domain/queue/transitions.js';
import type { RecordStore, Repos } from '../stores/record/record.js';
import type { StoredDraft } from '../stores/record/tables/drafts.js';
import type { AddressBookOf } from './address-book.js';
import { forEachLineBatch, textLines, type ImportProgress, type LineSource } from './queue-import.js';

export type { QueueMetrics } from '../domain/queue/metrics.js';

/** The drafts as the key-value collection older code reads them through (see drafts-bridge.ts). */
export const DRAFTS = 'drafts';

/** What the rubric sees (the rubric engineer's RubricInput). */
export interface ScoreInput {
  segment?: string;
  lead: Lead;
  context: { ref: string; text: string }[];
  draft: { subject: string; body: string };
}
export type ScoreFn = (input: ScoreInput) => readonly Finding[];

/** The audit trail as other services use it (the queue writes its rows into the record). */
export interface AuditSink {
  append(entry: { actor: string; action: string; subject: string; details?: unknown }): Promise<unknown>;
}

export interface QueueDeps {
  record: RecordStore;
  /** Suppressions and sent addresses, read and written inside the queue's own transactions. */
  addresses: AddressBookOf;
  config: Pick<Config, 'DAILY_APPROVAL_CAPACITY' | 'QUEUE_AGING_SLA_MINUTES'>;
  score?: ScoreFn | undefined;
  taxonomy?: readonly string[] | undefined;
  now?: () => number;
  undoGraceMs?: number;
  /** Drafts per import transaction (default 500). */
  importBatchSize?: number;
}

export type AddResult =
  | { kind: 'added'; draft: Draft }
  /** The id already exists: nothing was written (re-importing a file is harmless). */
  | { kind: 'exists'; id: string };

export interface ImportReport {
  imported: number;
  existing: number;
  by_status: Partial<Record<DraftStatus, number>>;
  errors: { line: number; reason: string }[];
}

export interface BulkResult {
  id: string;
  ok: boolean;
  status?: DraftStatus;
  code?: string;
  message?: string;
}

/** How many breached ids `metrics()` lists (the count is always exact). */
export const BREACHED_IDS_SHOWN = 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

export function newDraftId(now: number): string {
  return `d_${now.toString(36)}_${randomBytes(4).toString('hex')}`;
}

function notFound(id: string): UserError {
  return new UserError(`No draft with id "${id}"`, {
    exitCode: 1,
    code: 'draft_not_found',
    nextStep: 'Use an id from the queue list.',
  });
}

function invalidDraft(error: ZodError): UserError {
  return new UserError(`Invalid draft: ${describeIssues(error)}`, {
    exitCode: 1,
    code: 'invalid_draft',
    nextStep: 'Each draft needs lead.email, subject and body; samples/drafts.jsonl shows the line format.',
  });
}

interface Intake {
  status: DraftStatus;
  duplicateOf: string | null;
  suppression: Draft['suppression'];
}

export function createQueueService(deps: QueueDeps) {
  const { record, config } = deps;
  const now = deps.now ?? Date.now;
  const taxonomy = deps.taxonomy && deps.taxonomy.length > 0 ? deps.taxonomy : DEFAULT_REJECTION_TAXONOMY;
  const graceMs = deps.undoGraceMs ?? UNDO_GRACE_MS;
  const batchSize = Math.max(1, deps.importBatchSize ?? 500);

  function refuseChanged(id: string, current: StoredDraft | undefined): never {
    const state = current
      ? `${current.draft.status}${current.draft.decided_by ? ` by ${current.draft.decided_by}` : ''}`
      : 'gone';
    throw new RefusedError(
      `Draft ${id} changed while you decided (now ${state}); nothing was written`,
      'conflict',
      'Refresh the queue and decide again if still needed.',
    );
  }

  /**
   * One decision in one transaction: transition, optional guard (capacity), compare-and-set, audit.
   * The refusal names the draft's current state.
   */
  async function decide(
    id: string,
    action: DraftAction,
    audit: { actor: string; action: string; details: (before: Draft, used: number | undefined) => unknown },
    guard?: (tx: Repos) => Promise<number>,
  ): Promise<{ before: Draft; draft: Draft }> {
    return record.transaction(async (tx) => {
      const current = await tx.drafts.get(id);
      if (!current) throw notFound(id);
      const result = transition(current.draft, action);
      if (!result.ok) throw new RefusedError(result.message, result.code, 'Refresh the queue and try again.');
      const used = guard ? await guard(tx) : undefined;
      const cas = await tx.drafts.compareAndSet(current, result.draft);
      if (!cas.ok) {
        if (cas.reason === 'address_taken')
          throw new RefusedError(
            `Cannot ${action.type} draft ${id}: draft ${cas.holder} for the same address is active`,
            'address_taken',
            `Decide draft ${cas.holder} instead.`,
          );
        refuseChanged(id, cas.current);
      }
      await tx.audit.append({
        actor: audit.actor,
        action: audit.action,
        subject: id,
        details: audit.details(current.draft, used),
      });
      return { before: current.draft, draft: cas.draft };
    });
  }

  function scoreDraft(input: DraftInput): Finding[] {
    if (!deps.score) return [];
    try {
      return [
        ...deps.score({
          ...(input.lead.segment ? { segment: input.lead.segment } : {}),
          lead: input.lead,
          context: input.context ?? [],
          draft: { subject: input.subject, body: input.body },
        }),
      ];
    } catch (error) {
      return [
        {
          rule: 'rubric_error',
          category: 'accuracy',
          severity: 'major',
          message: `The rubric failed on this draft: ${errorMessage(error)}`,
        },
      ];
    }
  }

  /** A new draft from a valid input line; its status is decided at intake. */
  function build(input: DraftInput, source: DraftSource, at: number): Draft {
    const stamp = iso(at);
    return {
      id: input.id ?? newDraftId(at),
      motion: input.motion ?? 'outbound',
      ...(input.kind ? { kind: input.kind } : {}),
      source,
      lead: input.lead,
      canonical_email: canonicalEmail(input.lead.email),
      subject: input.subject,
      body: input.body,
      body_sha256: sha256Hex(input.body),
      context: input.context ?? [],
      // Call briefs (kind prep) are notes for a call, not mail: no rubric, no address dedup.
      findings: input.kind === 'prep' ? [] : scoreDraft(input),
      created_at: stamp,
      status: 'pending',
      decided_by: null,
      decided_at: null,
      rejection: null,
      duplicate_of: null,
      suppression: null,
      batch_id: null,
      sent_at: null,
      error: null,
      escalated_at: null,
      updated_at: stamp,
    };
  }

  const withIntake = (draft: Draft, intake: Intake): Draft => ({
    ...draft,
    status: intake.status,
    duplicate_of: intake.duplicateOf,
    suppression: intake.suppression,
  });

  /** Suppressed, duplicate (of an active draft or a sent address), or pending — one draft. */
  async function intakeOf(tx: Repos, draft: Draft): Promise<Intake> {
    const canonical = draft.canonical_email;
    const book = deps.addresses(tx);
    const suppression = await book.suppression(canonical);
    if (suppression) return { status: 'suppressed', duplicateOf: null, suppression: { ...suppression } };
    if ((await book.lookup([canonical])).sent.has(canonical))
      return { status: 'duplicate', duplicateOf: null, suppression: null };
    const holder = await tx.drafts.activeFor(canonical);
    if (holder && holder.draft.id !== draft.id)
      return { status: 'duplicate', duplicateOf: holder.draft.id, suppression: null };
    return { status: 'pending', duplicateOf: null, suppression: null };
  }

  /** Insert one draft inside `tx`; a lost race for the address (another host) makes it a duplicate. */
  async function insertOne(tx: Repos, draft: Draft): Promise<AddResult> {
    let candidate = withIntake(draft, await intakeOf(tx, draft));
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const outcome = await tx.drafts.insert(candidate);
      if (outcome === 'inserted') return { kind: 'added', draft: candidate };
      if (outcome === 'exists') return { kind: 'exists', id: draft.id };
      candidate = withIntake(draft, await intakeOf(tx, draft));
    }
    throw new RefusedError(
      `Too much contention on the address ${draft.canonical_email}`,
      'conflict',
      'Retry the import.',
    );
  }

  /**
   * `autoApprovedBy` (call briefs only): the item enters `approved`, decided by that name — a brief
   * whose confidence clears MEETING_PREP_MIN_CONFIDENCE. Call briefs skip the address dedup.
   */
  async function add(
    raw: unknown,
    source: DraftSource,
    options: { autoApprovedBy?: string } = {},
  ): Promise<AddResult> {
    const parsed = DraftInputSchema.safeParse(raw);
    if (!parsed.success) throw invalidDraft(parsed.error);
    const draft = build(parsed.data, source, now());
    if (await record.drafts.get(draft.id)) return { kind: 'exists', id: draft.id };
    if (draft.kind === 'prep') {
      const auto = options.autoApprovedBy ?? null;
      const brief: Draft = auto
        ? { ...draft, status: 'approved', decided_by: auto, decided_at: draft.created_at }
        : draft;
      return record.transaction(async (tx) =>
        (await tx.drafts.insert(brief)) === 'inserted'
          ? { kind: 'added', draft: brief }
          : { kind: 'exists', id: brief.id },
      );
    }
    return record.transaction((tx) => insertOne(tx, draft));
  }

  /**
   * One import batch in one transaction: which ids exist, what is known about each address and which
   * drafts hold them, read with a few queries; then the new drafts written in multi-row inserts.
   */
  async function importBatch(drafts: { line: number; draft: Draft }[], report: ImportReport): Promise<void> {
    const count = (draft: Draft) => {
      report.imported += 1;
      report.by_status[draft.status] = (report.by_status[draft.status] ?? 0) + 1;
    };
    await record
      .transaction(async (tx) => {
        const existing = await tx.drafts.existing(drafts.map((d) => d.draft.id));
        const canonicals = [...new Set(drafts.map((d) => d.draft.canonical_email))];
        const facts = await deps.addresses(tx).lookup(canonicals);
        const holders = await tx.drafts.activeForMany(canonicals);
        const seen = new Set<string>();
        const fresh: Draft[] = [];
        let existingHere = 0;
        for (const { draft } of drafts) {
          if (existing.has(draft.id) || seen.has(draft.id)) {
            existingHere += 1;
            continue;
          }
          seen.add(draft.id);
          const canonical = draft.canonical_email;
          const suppression = facts.suppressed.get(canonical);
          const holder = holders.get(canonical);
          let intake: Intake;
          if (suppression)
            intake = { status: 'suppressed', duplicateOf: null, suppression: { ...suppression } };
          else if (facts.sent.has(canonical))
            intake = { status: 'duplicate', duplicateOf: null, suppression: null };
          else if (holder) intake = { status: 'duplicate', duplicateOf: holder, suppression: null };
          else {
            intake = { status: 'pending', duplicateOf: null, suppression: null };
            holders.set(canonical, draft.id);
          }
          fresh.push(withIntake(draft, intake));
        }
        const written = await tx.drafts.insertMany(fresh);
        const counted: Draft[] = [];
        let existingLate = 0;
        for (const draft of fresh) {
          if (written.has(draft.id)) {
            counted.push(draft);
            continue;
          }
          // Lost a race with another writer (another host): decide this one again on its own.
          const result = await insertOne(tx, draft);
          if (result.kind === 'added') counted.push(result.draft);
          else existingLate += 1;
        }
        // Counted only once the transaction commits.
        return () => {
          report.existing += existingHere + existingLate;
          for (const draft of counted) count(draft);
        };
      })
      .then((commit) => commit());
  }

  /**
   * An import, streamed: lines are read as they come, parsed, scored and added in transactions of
   * `importBatchSize` drafts; `onProgress` hears after every batch. Line numbers count every line.
   */
  async function importStream(
    lines: LineSource,
    options: { source?: DraftSource; batchSize?: number; onProgress?: (p: ImportProgress) => void } = {},
  ): Promise<ImportReport> {
    const source = options.source ?? 'import';
    const report: ImportReport = { imported: 0, existing: 0, by_status: {}, errors: [] };
    await forEachLineBatch(lines, options.batchSize ?? batchSize, async (batch, progress) => {
      const drafts: { line: number; draft: Draft }[] = [];
      const at = now();
      for (const { line, text } of batch) {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          report.errors.push({ line, reason: `not valid JSON (${errorMessage(error)})` });
          continue;
        }
        const parsed = DraftInputSchema.safeParse(value);
        if (!parsed.success) {
          report.errors.push({ line, reason: describeIssues(parsed.error) });
          continue;
        }
        drafts.push({ line, draft: build(parsed.data, source, at) });
      }
      if (drafts.length > 0) await importBatch(drafts, report);
      options.onProgress?.({ ...progress, imported: report.imported, errors: report.errors.length });
    });
    report.errors.sort((a, b) => a.line - b.line);
    return report;
  }

  function importLines(text: string, source: DraftSource = 'import'): Promise<ImportReport> {
    return importStream(textLines(text), { source });
  }

  /** One page of the queue (the console's window, `caio queue list`, `GET /api/queue`). */
  async function page(query: QueuePageQuery): Promise<QueuePage> {
    const parsed = QueuePageQuerySchema.safeParse(query);
    if (!parsed.success) {
      throw new UserError(`Invalid queue query: ${describeIssues(parsed.error)}`, {
        code: 'invalid_query',
        nextStep:
          'Use status, motion, q, pattern, sort (age or -age), limit (1-500) and the cursor of a page.',
      });
    }
    return record.drafts.page(parsed.data);
  }

  /** Changes whenever a draft is written (by any process or host sharing the record): cheap to poll. */
  function changeToken(): Promise<string> {
    return record.drafts.changeToken();
  }

  /**
   * Every draft matching the filter, oldest first, read page by page. Only for callers that truly
   * need all of them (rubric calibration, the scorecard's week); screens and lists use `page`.
   */
  async function list(
    filter: { status?: DraftStatus | undefined; motion?: Motion | undefined } = {},
  ): Promise<Draft[]> {
    const drafts: Draft[] = [];
    let cursor: string | undefined;
    for (;;) {
      const result = await record.drafts.page(
        QueuePageQuerySchema.parse({
          ...(filter.status ? { status: filter.status } : {}),
          ...(filter.motion ? { motion: filter.motion } : {}),
          limit: 500,
          ...(cursor ? { cursor } : {}),
        }),
      );
      drafts.push(...result.items);
      if (result.next === null) return drafts;
      cursor = result.next;
    }
  }

  async function approve(id: string, actor: string): Promise<Draft> {
    const capacity = config.DAILY_APPROVAL_CAPACITY;
    const at = now();
    const { draft } = await decide(
      id,
      { type: 'approve', actor, at: iso(at) },
      {
        actor,
        action: 'queue.approve',
        details: (before, used) => ({ email: before.canonical_email, approvals_today: used, capacity }),
      },
      async (tx) => {
        await tx.drafts.lockApprovals(actor);
        const used = await tx.drafts.approvalsSince(actor, `${utcDay(at)}T00:00:00.000Z`);
        if (used >= capacity) {
          throw new RefusedError(
            `Daily approval capacity reached: ${actor} has used ${used} of ${capacity} approvals today (DAILY_APPROVAL_CAPACITY=${capacity})`,
            'capacity_reached',
            'Leave the rest for tomorrow or another reviewer; the limit resets at 00:00 UTC.',
          );
        }
        return used + 1;
      },
    );
    return draft;
  }

  async function reject(id: string, actor: string, category: string, note?: string | null): Promise<Draft> {
    if (!taxonomy.includes(category)) {
      throw new UserError(`Unknown rejection category "${category}"`, {
        exitCode: 2,
        code: 'unknown_category',
        nextStep: `Use one of: ${taxonomy.join(', ')}.`,
      });
    }
    const { draft } = await decide(
      id,
      { type: 'reject', actor, at: iso(now()), category, note: note ?? null },
      { actor, action: 'queue.reject', details: () => ({ category, note: note ?? null }) },
    );
    return draft;
  }

  async function undo(id: string, actor: string): Promise<Draft> {
    const { draft } = await decide(
      id,
      { type: 'undo', actor, at: iso(now()), graceMs },
      { actor, action: 'queue.undo', details: (before) => ({ undone: before.status }) },
    );
    return draft;
  }

  async function approveMany(ids: readonly string[], actor: string): Promise<BulkResult[]> {
    const results: BulkResult[] = [];
    for (const id of ids) {
      try {
        const draft = await approve(id, actor);
        results.push({ id, ok: true, status: draft.status });
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        results.push({ id, ok: false, code: error.code, message: error.message });
      }
    }
    return results;
  }

  /** A reply, interest, bounce or unsubscribe: never send to this address again. */
  async function suppressAddress(
    email: string,
    reason: SuppressionReason,
    source: string,
  ): Promise<{ suppressedDrafts: number }> {
    const canonical = canonicalEmail(email);
    const at = now();
    return record.transaction(async (tx) => {
      const added = await deps.addresses(tx).suppress(canonical, reason, source, at);
      let suppressedDrafts = 0;
      const holder = await tx.drafts.activeFor(canonical);
      if (holder) {
        const result = transition(holder.draft, { type: 'suppress', reason, source, at: iso(at) });
        if (result.ok && (await tx.drafts.compareAndSet(holder, result.draft)).ok) suppressedDrafts = 1;
      }
      if (added || suppressedDrafts > 0)
        await tx.audit.append({
          actor: source,
          action: 'queue.suppress',
          subject: canonical,
          details: { reason, suppressed_drafts: suppressedDrafts },
        });
      return { suppressedDrafts };
    });
  }

  async function recordExternalSend(email: string, source: string): Promise<void> {
    await record.transaction(async (tx) => {
      await deps.addresses(tx).recordExternalSend(canonicalEmail(email), source, now());
    });
  }

  /** Counts, aging, SLA, capacity and approval rate from indexed aggregates (never the whole queue). */
  async function metrics(): Promise<QueueMetrics> {
    const at = now();
    const drafts = record.drafts;
    const dayStart = `${utcDay(at)}T00:00:00.000Z`;
    const slaCutoff = iso(at - config.QUEUE_AGING_SLA_MINUTES * 60_000);
    const [counts, reviewers, day, week, breaches] = await Promise.all([
      drafts.countsByStatus(),
      drafts.approvalsByOperator(dayStart),
      drafts.decisionsSince(dayStart),
      drafts.decisionsSince(iso(at - 7 * DAY_MS)),
      drafts.pendingOlderThan(slaCutoff, BREACHED_IDS_SHOWN),
    ]);
    const pending = counts.pending;
    const ageAt = async (p: number): Promise<number> => {
      if (pending === 0) return 0;
      const rank = Math.min(pending, Math.max(1, Math.ceil((p / 100) * pending)));
      const created = await drafts.pendingCreatedAtByAgeRank(rank);
      return created ? Math.max(0, (at - Date.parse(created)) / 60_000) : 0;
    };
    const [p50, p95, max] = await Promise.all([ageAt(50), ageAt(95), ageAt(100)]);
    const round = (n: number) => Math.round(n * 10) / 10;
    const rate = (w: { approved: number; decided: number }) => ({
      ...w,
      rate: w.decided === 0 ? null : Math.round((w.approved / w.decided) * 1000) / 1000,
    });
    const capacity = config.DAILY_APPROVAL_CAPACITY;
    return {
      total: Object.values(counts).reduce((a, b) => a + b, 0),
      counts,
      aging: { p50_minutes: round(p50), p95_minutes: round(p95), max_minutes: round(max), pending },
      sla: { minutes: config.QUEUE_AGING_SLA_MINUTES, breaches: breaches.count, breached_ids: breaches.ids },
      capacity: {
        per_reviewer: capacity,
        reviewers: reviewers.map(({ reviewer, used }) => ({
          reviewer,
          used,
          remaining: Math.max(0, capacity - used),
        })),
      },
      approval_rate: { day: rate(day), week: rate(week) },
    };
  }

  /** Aging watch: mark each newly breached pending draft escalated, with one audit row each. */
  async function escalateBreaches(actor = 'scheduler'): Promise<{ breaches: number; escalated: string[] }> {
    const at = now();
    const cutoff = iso(at - config.QUEUE_AGING_SLA_MINUTES * 60_000);
    const { count } = await record.drafts.pendingOlderThan(cutoff, 0);
    const escalated: string[] = [];
    for (;;) {
      const due = await record.drafts.unescalatedOlderThan(cutoff, 200);
      let progressed = false;
      for (const { draft } of due) {
        const done = await record.transaction(async (tx) => {
          const moved = await tx.drafts.move(draft.id, { type: 'escalate', at: iso(now()) });
          if (!moved.ok) return false;
          await tx.audit.append({
            actor,
            action: 'queue.escalate',
            subject: draft.id,
            details: {
              age_minutes: Math.round((at - Date.parse(draft.created_at)) / 60_000),
              sla_minutes: config.QUEUE_AGING_SLA_MINUTES,
            },
          });
          return true;
        });
        if (done) {
          escalated.push(draft.id);
          progressed = true;
        }
      }
      if (due.length < 200 || !progressed) return { breaches: count, escalated };
    }
  }

  async function get(id: string): Promise<Draft | undefined> {
    return (await record.drafts.get(id))?.draft;
  }

  return {
    taxonomy,
    undoGraceMs: graceMs,
    add,
    importLines,
    importStream,
    list,
    page,
    changeToken,
    get,
    approve,
    approveMany,
    reject,
    undo,
    suppressAddress,
    recordExternalSend,
    metrics,
    escalateBreaches,
  };
}

export type QueueService = ReturnType<typeof createQueueService>;
