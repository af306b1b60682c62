/**
 * The release ritual service: loads the ritual file, runs the auto checks of a release check with a
 * deadline each, stores the evidence in the record (every host and console reads the same), takes
 * sign-offs from operators with the pto (or admin) role, decides GO/NO-GO with the pure engine, and
 * audits each sign-off and decision in the same transaction as the row it writes. Each decision row
 * stores the audit head it saw (its own `release.decision` row).
 *
 * "The current release" is a release id: `--release ID`, else `v<package version>`. Sign-offs belong
 * to the release (they cover both environments); check results belong to (release, env, target).
 * A production decision also reads the same release's staging results: its validation and smoke
 * must have passed.
 */
import { recordHead } from '../stores/record/tables/audit-heads.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { forbiddenMessage, roleAllows, sameIdentity, type Role } from '../domain/operators.js';
import {
  buildCompletionReport,
  decide,
  manualStepsFor,
  parseRitual,
  stepsInScope,
  type CompletionReport,
  type Ritual,
  type StepResult,
  type TargetEnv,
  type Verdict,
} from '../domain/ritual/index.js';
import { RefusedError, UsageError, UserError, errorMessage } from '../errors.js';
import type { RecordStore } from '../stores/record/record.js';
import type { ConfirmationRecord, ReleaseRunRecord } from '../stores/record/tables/release.js';
import type { TraceWriter } from './traces.js';
import type { CheckRegistry, CheckTarget } from './release-checks.js';

export type { ConfirmationRecord, ReleaseRunRecord } from '../stores/record/tables/release.js';

export interface LoadedRitual {
  ritual: Ritual;
  source: string;
}

/** `--ritual FILE`, else `HIVE_DIR/ritual.json`, else the shipped `release/ritual.json`. */
export function loadRitual(options: {
  file?: string | undefined;
  cwd: string;
  hiveDir: string;
  projectRoot: string;
}): LoadedRitual {
  const candidates = options.file
    ? [resolve(options.cwd, options.file)]
    : [
        resolve(options.cwd, options.hiveDir, 'ritual.json'),
        join(options.projectRoot, 'release', 'ritual.json'),
      ];
  const path = candidates.find((candidate) => existsSync(candidate));
  if (!path) {
    throw new UserError(`Ritual file not found: ${candidates[0]}`, {
      nextStep: options.file ? 'Check the --ritual path.' : 'Reinstall caio, or pass --ritual FILE.',
      code: 'ritual_missing',
    });
  }
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`Cannot read ritual ${path}: ${errorMessage(error)}`, {
      nextStep: 'Fix the JSON (see docs/release.md), or remove the file to use the default ritual.',
      code: 'ritual_invalid',
    });
  }
  return { ritual: parseRitual(document, path), source: path };
}

export interface ReleaseCheckOptions {
  ritual: Ritual;
  releaseId: string;
  target: CheckTarget;
  actor: string;
  /** Run only these step ids (console re-run); default: every auto step in scope. */
  only?: readonly string[];
  timeoutMs?: number;
  /** Called after each step (console progress). */
  onStep?: (result: StepResult) => void;
}

/**
 * Who signs off. `role` is given only by a caller that authenticated a token (the API; the service
 * token acts as admin); otherwise the name is looked up among the operators in the record.
 */
export interface ReleaseActor {
  by: string;
  role?: Role | undefined;
}

export interface ConfirmOptions extends ReleaseActor {
  ritual: Ritual;
  releaseId: string;
  /** A manual step id, or `all`. */
  which: string;
  note?: string | undefined;
  /** Re-confirm a step someone else confirmed (their sign-off stays in the history). */
  force?: boolean | undefined;
}

export interface SkippedConfirmation {
  step_id: string;
  by: string;
  at: string;
  message: string;
}

export interface ConfirmOutcome {
  confirmed: ConfirmationRecord[];
  /** Steps already confirmed, left as they were (and why). */
  skipped: SkippedConfirmation[];
}

export interface ReleaseService {
  check(options: ReleaseCheckOptions): Promise<{ verdict: Verdict; run: ReleaseRunRecord }>;
  confirm(options: ConfirmOptions): Promise<ConfirmOutcome>;
  /** Withdraw a step's sign-off; returns the sign-offs withdrawn (empty: it was not confirmed). */
  unconfirm(
    options: ReleaseActor & { ritual: Ritual; releaseId: string; step: string },
  ): Promise<ConfirmationRecord[]>;
  verdict(ritual: Ritual, releaseId: string, env: TargetEnv): Promise<Verdict>;
  results(releaseId: string, env: TargetEnv): Promise<Map<string, StepResult>>;
  confirmations(releaseId: string): Promise<Map<string, ConfirmationRecord>>;
  confirmationHistory(releaseId: string, stepId?: string): Promise<ConfirmationRecord[]>;
  latestRun(releaseId?: string, env?: TargetEnv): Promise<ReleaseRunRecord | undefined>;
  report(ritual: Ritual, releaseId: string, env: TargetEnv): Promise<CompletionReport>;
}

export interface ReleaseServiceDeps {
  record: Pick<RecordStore, 'release' | 'operators' | 'transaction'>;
  checks: CheckRegistry;
  /** Each release check leaves a trace envelope (case id: the step id). */
  traces?: Pick<TraceWriter, 'record'> | undefined;
  now?: () => number;
  /** Called after a decision is stored (a NO-GO notification); never awaited. */
  onDecision?: ((run: ReleaseRunRecord) => void) | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** The next step after a role refusal. */
const ROLE_HINT = 'Sign off as a pto or admin operator: --by NAME (`caio operators list` shows the roles).';

export function createReleaseService(deps: ReleaseServiceDeps): ReleaseService {
  const { record } = deps;
  const now = deps.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();

  const results = (releaseId: string, env: TargetEnv) => record.release.results(releaseId, env);
  const confirmations = (releaseId: string) => record.release.confirmations(releaseId);

  async function verdictWith(ritual: Ritual, releaseId: string, env: TargetEnv) {
    const [stored, confirmed, staging] = await Promise.all([
      results(releaseId, env),
      confirmations(releaseId),
      env === 'production' ? results(releaseId, 'staging') : Promise.resolve(undefined),
    ]);
    return { stored, staging, verdict: decide(ritual, env, stored, confirmed, { staging }) };
  }

  /** The name that signs off: the operator's own spelling; refused unless pto or admin. */
  async function authorize(actor: ReleaseActor): Promise<string> {
    const name = actor.by.trim();
    if (!name) throw new UsageError('Say who signs off: --by NAME', 'Example: --by pat.');
    if (actor.role !== undefined) {
      if (!roleAllows(actor.role, 'release')) {
        throw new RefusedError(forbiddenMessage(name, actor.role, 'release'), 'forbidden');
      }
      return name;
    }
    const operator = await record.operators.get(name);
    if (!operator || operator.revoked_at !== null) {
      throw new RefusedError(
        `${name} is ${operator ? 'a revoked operator' : 'not an operator'}: signing off release steps needs the pto or admin role`,
        'release_sign_off_forbidden',
        'Ask an admin to add you as an operator with the pto role, then sign off under that name.',
      );
    }
    if (!roleAllows(operator.role, 'release')) {
      throw new RefusedError(
        forbiddenMessage(operator.name, operator.role, 'release'),
        'forbidden',
        ROLE_HINT,
      );
    }
    return operator.name;
  }

  async function runStep(options: ReleaseCheckOptions, step: Ritual['steps'][number]): Promise<StepResult> {
    const started = performance.now();
    const at = iso();
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const check = step.check ? deps.checks[step.check] : undefined;
    const base = { by: options.actor, at, target: options.target.label };
    if (!check) {
      return {
        step_id: step.id,
        outcome: 'inconclusive',
        summary: `check "${step.check}" is not available in this build`,
        evidence: { ...base, duration_ms: 0 },
      };
    }
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const output = await Promise.race([
        check({
          step,
          target: options.target,
          policy: options.ritual.no_go,
          timeoutMs,
          signal: controller.signal,
        }),
        deadline,
      ]);
      const { outcome, summary, facts, ...evidence } = output;
      return {
        step_id: step.id,
        outcome,
        summary,
        evidence: { ...evidence, ...base, duration_ms: performance.now() - started },
        ...(facts ? { facts } : {}),
      };
    } catch (error) {
      return {
        step_id: step.id,
        outcome: 'inconclusive',
        summary: `could not run: ${errorMessage(error)}`,
        evidence: { ...base, duration_ms: performance.now() - started },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async check(options) {
      const { ritual, releaseId, target, actor } = options;
      const startedAt = iso();
      const only = options.only ? new Set(options.only) : undefined;
      const steps = stepsInScope(ritual, target.env).filter(
        (step) => step.kind === 'auto' && (!only || only.has(step.id)),
      );
      if (only) {
        const unknown = [...only].filter((id) => !steps.some((step) => step.id === id));
        if (unknown.length > 0) {
          throw new UserError(`Not an auto step in scope for ${target.env}: ${unknown.join(', ')}`, {
            nextStep: 'Use the step ids the release check lists.',
            code: 'usage',
          });
        }
      }
      for (const step of steps) {
        const started = performance.now();
        const result = await runStep(options, step);
        deps.traces?.record({
          tool_name: 'release.check',
          case_id: `${releaseId}/${target.env}/${step.id}`,
          status: result.outcome === 'pass' ? 'success' : result.outcome === 'fail' ? 'blocked' : 'skipped',
          input: { step: step.id, check: step.check, target: target.label },
          output: { outcome: result.outcome, summary: result.summary },
          duration_ms: performance.now() - started,
        });
        await record.release.putResult(releaseId, target.env, result);
        options.onStep?.(result);
      }
      const { verdict: decided } = await verdictWith(ritual, releaseId, target.env);
      const fields = {
        release_id: releaseId,
        env: target.env,
        target: target.label,
        actor,
        started_at: startedAt,
        finished_at: iso(),
        decision: decided.decision,
        redis_required: target.config.REDIS_REQUIRED,
        inngest_required: target.config.INNGEST_REQUIRED,
        reasons: decided.reasons,
      };
      // The decision and its audit row commit together; the row stores the head it saw (its own).
      const run = await record.transaction(async (tx): Promise<ReleaseRunRecord> => {
        const audited = await tx.audit.append({
          actor,
          action: 'release.decision',
          subject: `${releaseId}/${target.env}`,
          details: { decision: decided.decision, target: target.label, reasons: decided.reasons },
        });
        const stored = { ...fields, audit_seq: audited.seq, audit_hash: audited.hash };
        // `caio audit verify` checks the chain against every recorded head: a cut tail fails.
        await recordHead(tx, {
          seq: audited.seq,
          hash: audited.hash,
          reason: `release.decision ${releaseId}/${target.env}`,
        });
        return { id: await tx.release.putDecision(stored), ...stored };
      });
      try {
        deps.onDecision?.(run);
      } catch {
        // Notifications never undo or block a stored decision.
      }
      return { verdict: decided, run };
    },

    async confirm(options) {
      const { ritual, releaseId, which, note, force } = options;
      const steps = manualStepsFor(ritual, which);
      const name = await authorize(options);
      const at = iso();
      return record.transaction(async (tx) => {
        await tx.release.lockSignoffs(releaseId);
        const current = await tx.release.confirmations(releaseId);
        const outcome: ConfirmOutcome = { confirmed: [], skipped: [] };
        for (const step of steps) {
          const existing = current.get(step.id);
          const mine = existing !== undefined && sameIdentity(existing.by, name);
          if (existing && !force) {
            if (which === 'all' || mine) {
              outcome.skipped.push({
                step_id: step.id,
                by: existing.by,
                at: existing.at,
                message: `${step.id} is already confirmed by ${existing.by} at ${existing.at}: left as it is`,
              });
              continue;
            }
            throw new RefusedError(
              `${step.id} was confirmed by ${existing.by} at ${existing.at}: re-confirming it as ${name} needs --force (their sign-off stays in the history)`,
              'confirmed_by_other',
              'Confirm it again with force to replace it; their sign-off stays in the history.',
            );
          }
          const forced = existing !== undefined && !mine;
          const confirmation = { step_id: step.id, by: name, at, ...(note ? { note } : {}) };
          const id = await tx.release.confirm(releaseId, { ...confirmation, forced });
          await tx.audit.append({
            actor: name,
            action: 'release.confirm',
            subject: `${releaseId}/${step.id}`,
            details: {
              title: step.title,
              ...(note ? { note } : {}),
              ...(existing ? { replaces: { by: existing.by, at: existing.at }, forced } : {}),
            },
          });
          outcome.confirmed.push({ id, ...confirmation, forced, revoked_at: null, revoked_by: null });
        }
        return outcome;
      });
    },

    async unconfirm(options) {
      const { ritual, releaseId, step: which } = options;
      if (which === 'all') {
        throw new UsageError(
          'Withdraw one step at a time',
          'Example: `caio release unconfirm staging_stable_24h`.',
        );
      }
      const [step] = manualStepsFor(ritual, which);
      const name = await authorize(options);
      const at = iso();
      return record.transaction(async (tx) => {
        await tx.release.lockSignoffs(releaseId);
        const withdrawn = await tx.release.unconfirm(releaseId, step!.id, name, at);
        if (withdrawn.length > 0) {
          await tx.audit.append({
            actor: name,
            action: 'release.unconfirm',
            subject: `${releaseId}/${step!.id}`,
            details: { title: step!.title, withdrawn: withdrawn.map((c) => ({ by: c.by, at: c.at })) },
          });
        }
        return withdrawn.map((c) => ({ ...c, revoked_at: at, revoked_by: name }));
      });
    },

    async verdict(ritual, releaseId, env) {
      return (await verdictWith(ritual, releaseId, env)).verdict;
    },
    results,
    confirmations,
    confirmationHistory: (releaseId, stepId) => record.release.confirmationHistory(releaseId, stepId),
    latestRun: (releaseId, env) => record.release.latestDecision(releaseId, env),

    async report(ritual, releaseId, env) {
      const [run, { stored, staging, verdict }] = await Promise.all([
        record.release.latestDecision(releaseId, env),
        verdictWith(ritual, releaseId, env),
      ]);
      return buildCompletionReport(ritual, verdict, stored, {
        release_id: releaseId,
        env,
        redis_required: run?.redis_required,
        inngest_required: run?.inngest_required,
        checked_at: run?.finished_at,
        target: run?.target,
        staging,
      });
    },
  };
}
