/**
 * The release ritual as data (SPEC 10): an ordered checklist of steps, each auto (runs a named check)
 * or manual (ticked by a person), required or advisory, optionally bound to one target environment.
 * The no-go policy (replay threshold, expected Inngest mode and function count) lives in the same
 * file so a team can tune it without touching code. Pure: parsing only, no I/O.
 */
import { z } from 'zod';
import { UserError } from '../../errors.js';

export const TARGET_ENVS = ['staging', 'production'] as const;
export type TargetEnv = (typeof TARGET_ENVS)[number];

export const OUTCOMES = ['pass', 'fail', 'pending', 'inconclusive'] as const;
/** pass; fail; pending = manual step not confirmed (or auto step never run); inconclusive = could not run. */
export type Outcome = (typeof OUTCOMES)[number];

const paramValue = z.union([z.string(), z.number(), z.boolean()]);

const stepSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lowercase letters, digits, _ . -'),
    title: z.string().min(1),
    kind: z.enum(['auto', 'manual']),
    level: z.enum(['required', 'advisory']).default('required'),
    /** Name of the check in the CheckRegistry (auto steps only). */
    check: z.string().min(1).optional(),
    /** Bind the step to one target: it is in scope only for `release check --env <env>`. */
    env: z.enum(TARGET_ENVS).optional(),
    params: z.record(z.string(), paramValue).default({}),
    /** What the person confirming a manual step must have verified. */
    help: z.string().optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    if (step.kind === 'auto' && !step.check) {
      ctx.addIssue({ code: 'custom', message: `auto step "${step.id}" needs a "check"`, path: ['check'] });
    }
    if (step.kind === 'manual' && step.check) {
      ctx.addIssue({
        code: 'custom',
        message: `manual step "${step.id}" cannot have a "check"`,
        path: ['check'],
      });
    }
  });

const noGoSchema = z
  .object({
    min_replay_pass_rate: z.number().min(0).max(1).default(0.95),
    inngest_mode: z.string().min(1).default('cloud'),
    expected_function_count: z.number().int().min(0).default(4),
  })
  .strict();

export const ritualSchema = z
  .object({
    version: z.literal(1),
    name: z.string().min(1).default('release'),
    no_go: noGoSchema.default({
      min_replay_pass_rate: 0.95,
      inngest_mode: 'cloud',
      expected_function_count: 4,
    }),
    steps: z.array(stepSchema).min(1),
  })
  .strict()
  .superRefine((ritual, ctx) => {
    const seen = new Set<string>();
    ritual.steps.forEach((step, index) => {
      if (seen.has(step.id)) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicate step id "${step.id}"`,
          path: ['steps', index, 'id'],
        });
      }
      seen.add(step.id);
    });
  });

export type Ritual = z.output<typeof ritualSchema>;
export type RitualStep = Ritual['steps'][number];
export type NoGoPolicy = Ritual['no_go'];

/** Parse a ritual document; `source` names the file in the error. */
export function parseRitual(document: unknown, source: string): Ritual {
  const parsed = ritualSchema.safeParse(document);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new UserError(`Invalid ritual ${source}: ${problems.join('; ')}`, {
    nextStep:
      'Fix the file (see docs/release.md, "The ritual file"), or remove it to use the default ritual.',
    code: 'ritual_invalid',
  });
}

/** Steps that apply to a release check for `env`: unbound steps plus those bound to `env`, in order. */
export function stepsInScope(ritual: Ritual, env: TargetEnv): RitualStep[] {
  return ritual.steps.filter((step) => step.env === undefined || step.env === env);
}

/** Resolve `all` or a step id to manual steps of the ritual; throws a UserError naming the choices. */
export function manualStepsFor(ritual: Ritual, which: string): RitualStep[] {
  const manual = ritual.steps.filter((step) => step.kind === 'manual');
  if (which === 'all') return manual;
  const step = ritual.steps.find((candidate) => candidate.id === which);
  const choices = `Manual steps: ${manual.map((s) => s.id).join(', ') || '(none)'}, or "all".`;
  if (!step) {
    throw new UserError(`Unknown ritual step "${which}"`, { nextStep: choices, code: 'usage', exitCode: 2 });
  }
  if (step.kind !== 'manual') {
    throw new UserError(`Step "${which}" is automatic: it passes by running \`caio release check\``, {
      nextStep: choices,
      code: 'usage',
      exitCode: 2,
    });
  }
  return [step];
}
