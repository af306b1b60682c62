/**
 * Gatekeeper batch records (SPEC 8). A batch is written once at preview and never rewritten: its
 * execution state lives in a separate run record. `checkExecution` holds the refusal rules that do
 * not need I/O, in the order an operator should hear them.
 */
import { sameIdentity } from '../operators.js';
import { z } from 'zod';
import { MOTIONS } from '../queue/draft.js';

export const BatchItemSchema = z.object({
  draft_id: z.string(),
  email: z.string(),
  canonical_email: z.string(),
  subject: z.string(),
  body_sha256: z.string(),
  /** Store version of the draft when previewed: any later change (undo, suppression) bumps it. */
  version: z.number().int(),
  motion: z.enum(MOTIONS),
});
export type BatchItem = z.infer<typeof BatchItemSchema>;

export const BatchSchema = z.object({
  id: z.string(),
  hash: z.string(),
  mode: z.enum(['log-only', 'whitelist', 'live']),
  scope: z.object({
    motion: z.enum(['outbound', 'inbound', 'all']).nullable(),
    ids: z.array(z.string()).nullable(),
  }),
  created_at: z.string(),
  expires_at: z.string(),
  previewed_by: z.string(),
  /** Who triggered the run that created it (outbound --live), for the two-person rule. */
  triggered_by: z.string().nullable(),
  ramp: z.object({ tier: z.number(), daily_limit: z.number(), remaining_today: z.number() }),
  items: z.array(BatchItemSchema),
  excluded: z.array(z.object({ draft_id: z.string(), reason: z.string(), detail: z.string() })),
});
export type Batch = z.infer<typeof BatchSchema>;

export const ItemOutcomeSchema = z.object({
  draft_id: z.string(),
  status: z.enum(['sent', 'failed', 'skipped', 'unknown']),
  detail: z.string().nullable(),
});
export type ItemOutcome = z.infer<typeof ItemOutcomeSchema>;

export const BatchRunSchema = z.object({
  batch_id: z.string(),
  status: z.enum(['executing', 'executed']),
  executed_by: z.string(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  counts: z.object({ sent: z.number(), failed: z.number(), skipped: z.number(), unknown: z.number() }),
  resumes: z.number().int(),
});
export type BatchRun = z.infer<typeof BatchRunSchema>;

export type BatchStatus = 'previewed' | 'expired' | 'executing' | 'executed';

export function batchStatus(batch: Batch, run: BatchRun | undefined, now: number): BatchStatus {
  if (run) return run.status;
  return Date.parse(batch.expires_at) <= now ? 'expired' : 'previewed';
}

export type ExecutionRefusal =
  | 'batch_not_found'
  | 'hash_mismatch'
  | 'already_executed'
  | 'not_started'
  | 'batch_expired'
  | 'two_person_rule'
  | 'dispatch_locked'
  | 'items_changed'
  | 'lock_lost';

export interface ExecutionCheck {
  batch: Batch;
  run: BatchRun | undefined;
  hash: string;
  actor: string;
  now: number;
  resume: boolean;
  twoPersonRule: boolean;
}

/** The first rule that refuses, or undefined. Hash and expiry first: they need no lock. */
export function checkExecution(
  c: ExecutionCheck,
): { code: ExecutionRefusal; message: string; nextStep: string } | undefined {
  const id = c.batch.id;
  if (c.hash.trim().toLowerCase() !== c.batch.hash) {
    return {
      code: 'hash_mismatch',
      message: `Hash does not match batch ${id}`,
      nextStep: 'Copy the full hash from the batch list or the preview; preview again if the batch changed.',
    };
  }
  if (c.resume) {
    if (!c.run) {
      return {
        code: 'not_started',
        message: `Batch ${id} was never started, so there is nothing to resume`,
        nextStep: 'Execute it normally instead of resuming.',
      };
    }
    if (c.run.status === 'executed') {
      return {
        code: 'already_executed',
        message: `Batch ${id} was already executed by ${c.run.executed_by} at ${c.run.finished_at ?? c.run.started_at}`,
        nextStep: 'Preview a new batch for anything still approved.',
      };
    }
  } else if (c.run) {
    const partial = c.run.status === 'executing';
    return {
      code: 'already_executed',
      message: partial
        ? `Batch ${id} was already started by ${c.run.executed_by} at ${c.run.started_at} and has not finished`
        : `Batch ${id} was already executed by ${c.run.executed_by} at ${c.run.finished_at ?? c.run.started_at}`,
      nextStep: partial
        ? 'If it is still running on another host or process, wait for it to finish (nothing is sent twice); if that run crashed, resume it (resuming sends only what is left).'
        : 'A batch executes once. Preview a new batch for anything still approved.',
    };
  }
  if (!c.resume && Date.parse(c.batch.expires_at) <= c.now) {
    return {
      code: 'batch_expired',
      message: `Batch ${id} expired at ${c.batch.expires_at}`,
      nextStep: 'Preview again and execute the new batch before it expires.',
    };
  }
  if (c.twoPersonRule && sameIdentity(c.batch.triggered_by, c.actor)) {
    return {
      code: 'two_person_rule',
      message: `Two-person rule: ${c.actor} triggered this outbound run and cannot also execute it`,
      nextStep: 'Ask another reviewer to execute the batch.',
    };
  }
  return undefined;
}

/** The public JSON of a batch (SPEC 8): `{id, hash, expires_at, mode, items, excluded}` and context. */
export function batchView(batch: Batch) {
  return {
    id: batch.id,
    hash: batch.hash,
    expires_at: batch.expires_at,
    mode: batch.mode,
    created_at: batch.created_at,
    previewed_by: batch.previewed_by,
    triggered_by: batch.triggered_by,
    scope: batch.scope,
    ramp: batch.ramp,
    items: batch.items.map((item) => ({
      draft_id: item.draft_id,
      email: item.email,
      canonical_email: item.canonical_email,
      subject: item.subject,
      body_sha256: item.body_sha256,
      motion: item.motion,
    })),
    excluded: batch.excluded,
  };
}
