/**
 * The release ritual service: loads the ritual file, runs the auto checks of a release check with a
 * deadline each, stores results (re-running replaces evidence) and manual confirmations in SQLite,
 * decides GO/NO-GO with the pure engine, and audits confirmations and decisions.
 *
 * "The current release" is a release id: `--release ID`, else `v<package version>`. Confirmations
 * belong to the release (they cover both environments); check results belong to (release, env).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  buildCompletionReport,
  decide,
  manualStepsFor,
  parseRitual,
  stepsInScope,
  type CompletionReport,
  type Confirmation,
  type Ritual,
  type StepResult,
  type TargetEnv,
  type Verdict,
} from '../domain/ritual/index.js';
import { UserError, errorMessage } from '../errors.js';
import type { SqliteDatabase } from '../stores/sqlite/database.js';
import type { AuditService } from './audit.js';
import type { TraceWriter } from './traces.js';
import type { CheckRegistry, CheckTarget } from './release-checks.js';
import { createReleaseStore, type ReleaseRunRecord } from './release-store.js';

export type { ReleaseRunRecord } from './release-store.js';

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

export interface ReleaseService {
  check(options: ReleaseCheckOptions): Promise<{ verdict: Verdict; run: ReleaseRunRecord }>;
  confirm(options: {
    ritual: Ritual;
    releaseId: string;
    which: string;
    by: string;
    note?: string | undefined;
  }): Promise<Confirmation[]>;
  verdict(ritual: Ritual, releaseId: string, env: TargetEnv): Verdict;
  results(releaseId: string, env: TargetEnv): Map<string, StepResult>;
  confirmations(releaseId: string): Map<string, Confirmation>;
  latestRun(releaseId?: string, env?: TargetEnv): ReleaseRunRecord | undefined;
  report(ritual: Ritual, releaseId: string, env: TargetEnv): CompletionReport;
}

export interface ReleaseServiceDeps {
  db: SqliteDatabase;
  checks: CheckRegistry;
  audit?: Pick<AuditService, 'append'> | undefined;
  /** Each release check leaves a trace envelope (case id: the step id). */
  traces?: Pick<TraceWriter, 'record'> | undefined;
  now?: () => number;
  /** Called after a decision is stored (a NO-GO notification); never awaited. */
  onDecision?: ((run: ReleaseRunRecord) => void) | undefined;
}

const DEFAULT_TIMEOUT_MS = 60_000;

export function createReleaseService(deps: ReleaseServiceDeps): ReleaseService {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();

  const store = createReleaseStore(db);
  const { results, confirmations, latestRun } = store;

  const verdict = (ritual: Ritual, releaseId: string, env: TargetEnv) =>
    decide(ritual, env, results(releaseId, env), confirmations(releaseId));

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
        store.putResult(releaseId, target.env, result);
        options.onStep?.(result);
      }
      const decided = verdict(ritual, releaseId, target.env);
      const run: Omit<ReleaseRunRecord, 'id'> = {
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
      const id = db.transaction(() => store.putRun(run)).immediate();
      // The head this decision saw (its own row) is recorded with it: verify fails if the trail is
      // later cut below it.
      await deps.audit?.append(
        {
          actor,
          action: 'release.decision',
          subject: `${releaseId}/${target.env}`,
          details: { decision: decided.decision, target: target.label, reasons: decided.reasons },
        },
        { recordHead: `release.decision ${releaseId}/${target.env}` },
      );
      try {
        deps.onDecision?.({ id, ...run });
      } catch {
        // Notifications never undo or block a stored decision.
      }
      return { verdict: decided, run: { id, ...run } };
    },

    async confirm({ ritual, releaseId, which, by, note }) {
      const name = by.trim();
      if (!name) throw new UserError('--by needs the name of the person confirming', { code: 'usage' });
      const steps = manualStepsFor(ritual, which);
      const at = iso();
      const confirmed = db
        .transaction(() =>
          steps.map((step) => {
            const confirmation: Confirmation = { step_id: step.id, by: name, at, ...(note ? { note } : {}) };
            store.putConfirmation(releaseId, confirmation);
            return confirmation;
          }),
        )
        .immediate();
      for (const step of steps)
        await deps.audit?.append({
          actor: name,
          action: 'release.confirm',
          subject: `${releaseId}/${step.id}`,
          details: { title: step.title, ...(note ? { note } : {}) },
        });
      return confirmed;
    },

    verdict,
    results,
    confirmations,
    latestRun,

    report(ritual, releaseId, env) {
      const run = latestRun(releaseId, env);
      const stored = results(releaseId, env);
      return buildCompletionReport(ritual, decide(ritual, env, stored, confirmations(releaseId)), stored, {
        release_id: releaseId,
        env,
        redis_required: run?.redis_required,
        inngest_required: run?.inngest_required,
        checked_at: run?.finished_at,
        target: run?.target,
      });
    },
  };
}
