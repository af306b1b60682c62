/**
 * GO / NO-GO (SPEC 10) as a pure function: ritual + stored results + confirmations -> the status of
 * every in-scope step and the decision. GO only when every required step passes and no no-go
 * condition holds. Pending and inconclusive never count as pass.
 */
import {
  stepsInScope,
  type NoGoPolicy,
  type Outcome,
  type Ritual,
  type RitualStep,
  type TargetEnv,
} from './model.js';

/** What a check observed, beyond pass/fail; the no-go conditions and the report read these. */
export interface Facts {
  /** HTTP status of GET /api/health/ready. */
  readiness_status?: number;
  /** `ready` of GET /api/runtime/dependencies. */
  dependencies_ready?: boolean;
  dependencies?: DependencyFact[];
  inngest?: { mode: string | null; function_count: number | null; authenticated: boolean };
  replay?: { pass_rate: number; threshold: number; block_build: boolean };
  /** Protected routes that answered without a token (anything but 401/403). */
  unprotected_routes?: string[];
}

export interface DependencyFact {
  name: string;
  required: boolean;
  healthy: boolean;
  detail?: string;
}

export interface Evidence {
  /** The measured value (e.g. "pass_rate=0.97", "HTTP 503", "3 failed"). */
  measured?: string;
  threshold?: string;
  /** A short excerpt of the check's output. */
  excerpt?: string;
  duration_ms?: number;
  /** Who ran the check or ticked the step. */
  by: string;
  /** ISO-8601 UTC. */
  at: string;
  /** Where the check ran: a base URL (masked) or "in-process runtime". */
  target?: string;
  note?: string;
}

/** One stored result of an auto step; re-running the check replaces it. */
export interface StepResult {
  step_id: string;
  outcome: Exclude<Outcome, 'pending'>;
  summary: string;
  evidence: Evidence;
  facts?: Facts;
}

export interface Confirmation {
  step_id: string;
  by: string;
  at: string;
  note?: string;
}

export interface StepStatus {
  id: string;
  title: string;
  kind: RitualStep['kind'];
  level: RitualStep['level'];
  env: TargetEnv | undefined;
  outcome: Outcome;
  summary: string;
  evidence: Evidence | undefined;
}

export type NoGoCode =
  | 'dependency_unhealthy'
  | 'readiness_not_ready'
  | 'replay_below_threshold'
  | 'replay_blocked'
  | 'inngest_mode'
  | 'inngest_function_count'
  | 'unprotected_endpoint'
  | 'staging_not_passed';

export interface NoGo {
  code: NoGoCode;
  message: string;
  /** The step whose evidence raised it. */
  step_id: string;
}

export interface Verdict {
  decision: 'GO' | 'NO-GO';
  env: TargetEnv;
  steps: StepStatus[];
  no_go: NoGo[];
  /** Required steps that did not pass, in ritual order. */
  blocking: StepStatus[];
  /** Advisory steps that did not pass (shown, never blocking). */
  advisories: StepStatus[];
  /** One line per reason the decision is not GO (empty on GO). */
  reasons: string[];
}

export function resolveStep(
  step: RitualStep,
  result: StepResult | undefined,
  confirmation: Confirmation | undefined,
): StepStatus {
  const base = { id: step.id, title: step.title, kind: step.kind, level: step.level, env: step.env };
  if (step.kind === 'manual') {
    if (!confirmation) {
      return { ...base, outcome: 'pending', summary: 'manual step not confirmed', evidence: undefined };
    }
    return {
      ...base,
      outcome: 'pass',
      summary: `confirmed by ${confirmation.by}`,
      evidence: {
        by: confirmation.by,
        at: confirmation.at,
        measured: 'confirmed',
        ...(confirmation.note ? { note: confirmation.note } : {}),
      },
    };
  }
  if (!result) return { ...base, outcome: 'pending', summary: 'not run yet', evidence: undefined };
  return { ...base, outcome: result.outcome, summary: result.summary, evidence: result.evidence };
}

/** The no-go conditions of SPEC 10 over every fact the in-scope checks recorded. */
export function noGoConditions(results: readonly StepResult[], policy: NoGoPolicy): NoGo[] {
  const out: NoGo[] = [];
  for (const result of results) {
    const facts = result.facts;
    if (!facts) continue;
    const raise = (code: NoGoCode, message: string) => out.push({ code, message, step_id: result.step_id });
    for (const dep of facts.dependencies ?? []) {
      if (dep.required && !dep.healthy) {
        raise(
          'dependency_unhealthy',
          `${dep.name} (required) is unhealthy${dep.detail ? `: ${dep.detail}` : ''}`,
        );
      }
    }
    if (facts.readiness_status !== undefined && facts.readiness_status !== 200) {
      raise('readiness_not_ready', `/api/health/ready answered ${facts.readiness_status}`);
    }
    if (facts.replay) {
      const { pass_rate, block_build } = facts.replay;
      if (pass_rate < policy.min_replay_pass_rate) {
        raise(
          'replay_below_threshold',
          `replay pass rate ${formatRate(pass_rate)} is below ${formatRate(policy.min_replay_pass_rate)}`,
        );
      } else if (block_build) {
        raise('replay_blocked', 'replay gate blocks the build (a critical case failed)');
      }
    }
    if (facts.inngest) {
      const { mode, function_count } = facts.inngest;
      if (mode !== policy.inngest_mode) {
        raise('inngest_mode', `/inngest mode is ${mode ?? 'unknown'}, expected ${policy.inngest_mode}`);
      }
      if (function_count !== policy.expected_function_count) {
        raise(
          'inngest_function_count',
          `/inngest function_count is ${function_count ?? 'unknown'}, expected ${policy.expected_function_count}`,
        );
      }
    }
    for (const route of facts.unprotected_routes ?? []) {
      raise('unprotected_endpoint', `protected endpoint ${route} answered without a token`);
    }
  }
  return out;
}

/** The staging steps a production GO needs passed: bound to staging, running `validate` or `smoke`. */
export function stagingGateSteps(ritual: Ritual): RitualStep[] {
  return ritual.steps.filter(
    (step) =>
      step.env === 'staging' && step.kind === 'auto' && (step.check === 'validate' || step.check === 'smoke'),
  );
}

/**
 * A production GO needs the same release's staging validation and smoke to have passed (read from
 * the stored staging results). One no-go per staging step that has not, naming it and what to run.
 */
export function stagingGate(ritual: Ritual, staging: ReadonlyMap<string, StepResult>): NoGo[] {
  return stagingGateSteps(ritual).flatMap((step): NoGo[] => {
    const found = staging.get(step.id);
    if (found?.outcome === 'pass') return [];
    const what = step.check === 'smoke' ? 'smoke' : 'validation';
    const state = found
      ? `is ${found.outcome.toUpperCase()} (${found.summary})`
      : 'has not run for this release';
    return [
      {
        code: 'staging_not_passed',
        step_id: step.id,
        message: `staging ${what} (${step.id}) ${state}: run \`caio release check --env staging\` first`,
      },
    ];
  });
}

export interface DecideOptions {
  /**
   * The same release's stored staging results. A production decision without them counts staging
   * as not run (fail closed).
   */
  staging?: ReadonlyMap<string, StepResult> | undefined;
}

export function decide(
  ritual: Ritual,
  env: TargetEnv,
  results: ReadonlyMap<string, StepResult>,
  confirmations: ReadonlyMap<string, Confirmation>,
  options: DecideOptions = {},
): Verdict {
  const scope = stepsInScope(ritual, env);
  const steps = scope.map((step) => resolveStep(step, results.get(step.id), confirmations.get(step.id)));
  const scopedResults = scope
    .map((step) => results.get(step.id))
    .filter((result): result is StepResult => result !== undefined);
  const noGo = [
    ...(env === 'production' ? stagingGate(ritual, options.staging ?? new Map()) : []),
    ...noGoConditions(scopedResults, ritual.no_go),
  ];
  const blocking = steps.filter((step) => step.level === 'required' && step.outcome !== 'pass');
  const advisories = steps.filter((step) => step.level === 'advisory' && step.outcome !== 'pass');
  const reasons = [
    ...blocking.map((step) => `${step.id}: ${step.outcome.toUpperCase()} — ${step.summary}`),
    ...noGo.map((condition) => `no-go: ${condition.message}`),
  ];
  const decision = blocking.length === 0 && noGo.length === 0 ? 'GO' : 'NO-GO';
  return { decision, env, steps, no_go: noGo, blocking, advisories, reasons };
}

export function formatRate(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}
