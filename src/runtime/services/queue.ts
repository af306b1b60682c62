/**
 * The approval queue (SPEC 7) over the StateStore interface. Every decision reads a draft, applies the
 * pure transition and writes it back with compare-and-set on the version it read: two racing
 * decisions resolve to one, the loser is refused with what happened instead.
 *
 * Collections: `drafts` (id -> Draft) and `draft_by_email` (canonical email -> {draft_id}) — the
 * dedup index, claimed with compare-and-set so two drafts for one person cannot both become pending.
 * Suppressions and sent addresses live in the SQLite sent log (the system of record).
 */
import { createAddressFacts } from './address-facts.js';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config.js';
import { RefusedError, UserError, errorMessage } from '../errors.js';
import { canonicalEmail } from '../domain/canonical-email.js';
import { sha256Hex } from '../domain/gatekeeper/hash.js';
import {
  DEFAULT_REJECTION_TAXONOMY,
  DraftInputSchema,
  DraftSchema,
  describeIssues,
  isActive,
  type Draft,
  type DraftInput,
  type DraftSource,
  type DraftStatus,
  type Finding,
  type Lead,
  type Motion,
  type SuppressionReason,
} from '../domain/queue/draft.js';
import { computeQueueMetrics, utcDay, type QueueMetrics } from '../domain/queue/metrics.js';
import { UNDO_GRACE_MS, transition, type DraftAction } from '../domain/queue/transitions.js';
import type { StateStore, StoredRecord } from '../stores/state-store.js';
import type { RecordStore } from '../stores/record/record.js';

export type { QueueMetrics } from '../domain/queue/metrics.js';

export const DRAFTS = 'drafts';
export const DRAFT_BY_EMAIL = 'draft_by_email';

/** What the rubric sees (the rubric engineer's RubricInput). */
export interface ScoreInput {
  segment?: string;
  lead: Lead;
  context: { ref: string; text: string }[];
  draft: { subject: string; body: string };
}
export type ScoreFn = (input: ScoreInput) => readonly Finding[];

/** The audit trail as this service uses it (runtime.audit satisfies it). */
export interface AuditSink {
  append(entry: { actor: string; action: string; subject: string; details?: unknown }): unknown;
}

export interface QueueDeps {
  state: StateStore;
  /** Suppressions and sends, shared by every host. */
  record: Pick<RecordStore, 'addresses'>;
  config: Pick<Config, 'DAILY_APPROVAL_CAPACITY' | 'QUEUE_AGING_SLA_MINUTES'>;
  audit?: AuditSink | undefined;
  score?: ScoreFn | undefined;
  taxonomy?: readonly string[] | undefined;
  now?: () => number;
  undoGraceMs?: number;
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

const IndexEntry = z.object({ draft_id: z.string() });

export function newDraftId(now: number): string {
  return `d_${now.toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function createQueueService(deps: QueueDeps) {
  const { state, config } = deps;
  const facts = createAddressFacts(deps.record);
  const now = deps.now ?? Date.now;
  const taxonomy = deps.taxonomy && deps.taxonomy.length > 0 ? deps.taxonomy : DEFAULT_REJECTION_TAXONOMY;
  const graceMs = deps.undoGraceMs ?? UNDO_GRACE_MS;
  const audit = (actor: string, action: string, subject: string, details?: unknown) =>
    deps.audit?.append({ actor, action, subject, details });
  const capacityKey = (actor: string, ms: number) => `approvals:${utcDay(ms)}:${actor}`;

  const parseDraft = (record: StoredRecord): Draft => DraftSchema.parse(record.value);

  async function load(id: string): Promise<{ draft: Draft; version: number }> {
    const record = await state.getRecord(DRAFTS, id);
    if (!record) {
      throw new UserError(`No draft with id "${id}"`, {
        exitCode: 1,
        code: 'draft_not_found',
        nextStep: 'Use an id from the queue list.',
      });
    }
    return { draft: parseDraft(record), version: record.version };
  }

  /** Apply one transition with compare-and-set; the refusal names the draft's current state. */
  async function apply(
    id: string,
    action: (draft: Draft) => DraftAction,
    expected?: { draft: Draft; version: number },
  ) {
    const { draft, version } = expected ?? (await load(id));
    const result = transition(draft, action(draft));
    if (!result.ok) throw new RefusedError(result.message, result.code, 'Refresh the queue and try again.');
    const cas = await state.compareAndSet(DRAFTS, id, version, result.draft);
    if (!cas.ok) {
      const current = cas.current ? DraftSchema.safeParse(cas.current.value) : undefined;
      const now = current?.success
        ? `${current.data.status}${current.data.decided_by ? ` by ${current.data.decided_by}` : ''}`
        : 'gone';
      throw new RefusedError(
        `Draft ${id} changed while you decided (now ${now}); nothing was written`,
        'conflict',
        'Refresh the queue and decide again if still needed.',
      );
    }
    return { before: draft, draft: result.draft, version: cas.record.version };
  }

  /** Decide the intake status: suppressed, duplicate (of an active draft or a sent address), or pending. */
  async function claimAddress(
    id: string,
    canonical: string,
  ): Promise<{ status: DraftStatus; duplicateOf: string | null; suppression: Draft['suppression'] }> {
    const suppression = await facts.suppression(canonical);
    if (suppression) return { status: 'suppressed', duplicateOf: null, suppression: { ...suppression } };
    if ((await facts.lookup([canonical])).sent.has(canonical))
      return { status: 'duplicate', duplicateOf: null, suppression: null };
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const entry = await state.getRecord(DRAFT_BY_EMAIL, canonical);
      if (entry) {
        const holder = IndexEntry.safeParse(entry.value);
        if (holder.success && holder.data.draft_id !== id) {
          const other = await state.getRecord(DRAFTS, holder.data.draft_id);
          const parsed = other ? DraftSchema.safeParse(other.value) : undefined;
          if (parsed?.success && isActive(parsed.data.status)) {
            return { status: 'duplicate', duplicateOf: parsed.data.id, suppression: null };
          }
        }
      }
      const cas = await state.compareAndSet(DRAFT_BY_EMAIL, canonical, entry?.version ?? 0, { draft_id: id });
      if (cas.ok) return { status: 'pending', duplicateOf: null, suppression: null };
    }
    throw new RefusedError(
      `Too much contention on the dedup index for ${canonical}`,
      'conflict',
      'Retry the import.',
    );
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

  async function add(raw: unknown, source: DraftSource): Promise<AddResult> {
    const parsed = DraftInputSchema.safeParse(raw);
    if (!parsed.success) {
      throw new UserError(`Invalid draft: ${describeIssues(parsed.error)}`, {
        exitCode: 1,
        code: 'invalid_draft',
        nextStep: 'Each draft needs lead.email, subject and body; see SPEC 7 for the line format.',
      });
    }
    const input = parsed.data;
    const at = now();
    const id = input.id ?? newDraftId(at);
    if (await state.getRecord(DRAFTS, id)) return { kind: 'exists', id };
    const canonical = canonicalEmail(input.lead.email);
    const findings = scoreDraft(input);
    const intake = await claimAddress(id, canonical);
    const stamp = new Date(at).toISOString();
    const draft: Draft = {
      id,
      motion: input.motion ?? 'outbound',
      source,
      lead: input.lead,
      canonical_email: canonical,
      subject: input.subject,
      body: input.body,
      body_sha256: sha256Hex(input.body),
      context: input.context ?? [],
      findings,
      created_at: stamp,
      status: intake.status,
      decided_by: null,
      decided_at: null,
      rejection: null,
      duplicate_of: intake.duplicateOf,
      suppression: intake.suppression,
      batch_id: null,
      sent_at: null,
      error: null,
      escalated_at: null,
      updated_at: stamp,
    };
    const cas = await state.compareAndSet(DRAFTS, id, 0, draft);
    if (!cas.ok) return { kind: 'exists', id };
    return { kind: 'added', draft };
  }

  async function importLines(text: string, source: DraftSource = 'import'): Promise<ImportReport> {
    const report: ImportReport = { imported: 0, existing: 0, by_status: {}, errors: [] };
    const lines = text.split(/\r?\n/);
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      const lineNo = index + 1;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        report.errors.push({ line: lineNo, reason: `not valid JSON (${errorMessage(error)})` });
        continue;
      }
      try {
        const result = await add(value, source);
        if (result.kind === 'exists') {
          report.existing += 1;
          continue;
        }
        report.imported += 1;
        report.by_status[result.draft.status] = (report.by_status[result.draft.status] ?? 0) + 1;
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        report.errors.push({ line: lineNo, reason: error.message.replace(/^Invalid draft: /, '') });
      }
    }
    return report;
  }

  async function list(
    filter: { status?: DraftStatus | undefined; motion?: Motion | undefined } = {},
  ): Promise<Draft[]> {
    const records = await state.listRecords(DRAFTS);
    const drafts: Draft[] = [];
    for (const record of records) {
      const parsed = DraftSchema.safeParse(record.value);
      if (!parsed.success) continue;
      if (filter.status && parsed.data.status !== filter.status) continue;
      if (filter.motion && parsed.data.motion !== filter.motion) continue;
      drafts.push(parsed.data);
    }
    return drafts.sort((a, b) =>
      a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1,
    );
  }

  async function approve(id: string, actor: string): Promise<Draft> {
    const current = await load(id);
    // Refuse a wrong transition before touching the capacity counter.
    const check = transition(current.draft, { type: 'approve', actor, at: new Date(now()).toISOString() });
    if (!check.ok) throw new RefusedError(check.message, check.code, 'Refresh the queue.');
    const at = now();
    const key = capacityKey(actor, at);
    const used = await state.increment(key, 1, 2 * 24 * 60 * 60);
    const capacity = config.DAILY_APPROVAL_CAPACITY;
    if (used > capacity) {
      await state.increment(key, -1);
      throw new RefusedError(
        `Daily approval capacity reached: ${actor} has used ${capacity} of ${capacity} approvals today (DAILY_APPROVAL_CAPACITY=${capacity})`,
        'capacity_reached',
        'Leave the rest for tomorrow or another reviewer; the limit resets at 00:00 UTC.',
      );
    }
    try {
      const { draft } = await apply(
        id,
        () => ({ type: 'approve', actor, at: new Date(at).toISOString() }),
        current,
      );
      audit(actor, 'queue.approve', id, { email: draft.canonical_email, approvals_today: used, capacity });
      return draft;
    } catch (error) {
      await state.increment(key, -1);
      throw error;
    }
  }

  async function reject(id: string, actor: string, category: string, note?: string | null): Promise<Draft> {
    if (!taxonomy.includes(category)) {
      throw new UserError(`Unknown rejection category "${category}"`, {
        exitCode: 2,
        code: 'unknown_category',
        nextStep: `Use one of: ${taxonomy.join(', ')}.`,
      });
    }
    const at = new Date(now()).toISOString();
    const { draft } = await apply(id, () => ({ type: 'reject', actor, at, category, note: note ?? null }));
    audit(actor, 'queue.reject', id, { category, note: note ?? null });
    return draft;
  }

  async function undo(id: string, actor: string): Promise<Draft> {
    const at = now();
    const { before, draft } = await apply(id, () => ({
      type: 'undo',
      actor,
      at: new Date(at).toISOString(),
      graceMs,
    }));
    if (before.status === 'approved' && before.decided_by && before.decided_at) {
      await state.increment(capacityKey(before.decided_by, Date.parse(before.decided_at)), -1);
    }
    audit(actor, 'queue.undo', id, { undone: before.status });
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
    const added = await facts.suppress(canonical, reason, source, at);
    let suppressedDrafts = 0;
    const entry = await state.getRecord(DRAFT_BY_EMAIL, canonical);
    const holder = entry ? IndexEntry.safeParse(entry.value) : undefined;
    if (holder?.success) {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const record = await state.getRecord(DRAFTS, holder.data.draft_id);
        if (!record) break;
        const draft = parseDraft(record);
        const result = transition(draft, {
          type: 'suppress',
          reason,
          source,
          at: new Date(at).toISOString(),
        });
        if (!result.ok) break;
        const cas = await state.compareAndSet(DRAFTS, draft.id, record.version, result.draft);
        if (cas.ok) {
          suppressedDrafts += 1;
          break;
        }
      }
    }
    if (added || suppressedDrafts > 0)
      audit(source, 'queue.suppress', canonical, { reason, suppressed_drafts: suppressedDrafts });
    return { suppressedDrafts };
  }

  async function recordExternalSend(email: string, source: string): Promise<void> {
    await facts.recordSent(canonicalEmail(email), source, now());
  }

  async function metrics(): Promise<QueueMetrics> {
    return computeQueueMetrics(await list(), {
      now: now(),
      slaMinutes: config.QUEUE_AGING_SLA_MINUTES,
      capacityPerReviewer: config.DAILY_APPROVAL_CAPACITY,
    });
  }

  /** Aging watch: mark each newly breached pending draft escalated, with one audit row each. */
  async function escalateBreaches(actor = 'scheduler'): Promise<{ breaches: number; escalated: string[] }> {
    const m = await metrics();
    const escalated: string[] = [];
    const records = await state.getRecords(DRAFTS, m.sla.breached_ids);
    for (const [id, record] of records) {
      const draft = parseDraft(record);
      if (draft.escalated_at) continue;
      const result = transition(draft, { type: 'escalate', at: new Date(now()).toISOString() });
      if (!result.ok) continue;
      const cas = await state.compareAndSet(DRAFTS, id, record.version, result.draft);
      if (!cas.ok) continue;
      escalated.push(id);
      const minutes = Math.round((now() - Date.parse(draft.created_at)) / 60_000);
      audit(actor, 'queue.escalate', id, {
        age_minutes: minutes,
        sla_minutes: config.QUEUE_AGING_SLA_MINUTES,
      });
    }
    return { breaches: m.sla.breaches, escalated };
  }

  async function get(id: string): Promise<Draft | undefined> {
    const record = await state.getRecord(DRAFTS, id);
    return record ? parseDraft(record) : undefined;
  }

  return {
    taxonomy,
    undoGraceMs: graceMs,
    add,
    importLines,
    list,
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
