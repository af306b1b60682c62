import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decide,
  manualStepsFor,
  parseRitual,
  stepsInScope,
  type Confirmation,
  type Ritual,
  type StepResult,
} from '../../../../../src/runtime/domain/ritual/index.js';

const AT = '2026-11-21T10:00:00.000Z';
const defaultRitual = (): Ritual =>
  parseRitual(
    JSON.parse(readFileSync(new URL('../../../../../release/ritual.json', import.meta.url), 'utf8')),
    'release/ritual.json',
  );

const pass = (step_id: string, facts?: StepResult['facts']): StepResult => ({
  step_id,
  outcome: 'pass',
  summary: 'ok',
  evidence: { by: 'ci', at: AT },
  ...(facts ? { facts } : {}),
});

const healthyFacts: Record<string, StepResult['facts']> = {
  runtime_dependencies: {
    readiness_status: 200,
    dependencies_ready: true,
    dependencies: [
      { name: 'redis', required: true, healthy: true },
      { name: 'inngest', required: true, healthy: true },
    ],
    unprotected_routes: [],
  },
  inngest_route: { inngest: { mode: 'cloud', function_count: 4, authenticated: true } },
  replay_gate: { replay: { pass_rate: 0.98, threshold: 0.95, block_build: false } },
};

function allPassing(ritual: Ritual): Map<string, StepResult> {
  return new Map(
    ritual.steps.filter((s) => s.kind === 'auto').map((s) => [s.id, pass(s.id, healthyFacts[s.id])]),
  );
}
function allConfirmed(ritual: Ritual): Map<string, Confirmation> {
  return new Map(
    ritual.steps.filter((s) => s.kind === 'manual').map((s) => [s.id, { step_id: s.id, by: 'pat', at: AT }]),
  );
}

describe('the default ritual', () => {
  it('follows the SPEC 10 order', () => {
    expect(defaultRitual().steps.map((s) => s.id)).toEqual([
      'confirm_pto_inputs',
      'validate_env_staging',
      'validate_env_production',
      'runtime_dependencies',
      'inngest_route',
      'auth_smoke_staging',
      'auth_smoke_production',
      'redis_migration',
      'replay_gate',
      'runtime_selftest',
      'dry_run_outbound',
      'dry_run_all',
      'queue_aging_within_sla',
      'no_critical_failures_week',
      'staging_stable_24h',
    ]);
  });

  it('gives every step a help text (the console shows it per step)', () => {
    expect(
      defaultRitual()
        .steps.filter((s) => !s.help?.trim())
        .map((s) => s.id),
    ).toEqual([]);
  });

  it('scopes env-bound steps to their env', () => {
    const ids = stepsInScope(defaultRitual(), 'production').map((s) => s.id);
    expect(ids).toContain('validate_env_production');
    expect(ids).not.toContain('validate_env_staging');
    expect(ids).not.toContain('auth_smoke_staging');
  });
});

describe('parseRitual', () => {
  it('rejects an auto step without a check, duplicate ids and unknown keys, naming the file', () => {
    const bad = {
      version: 1,
      steps: [
        { id: 'a', title: 'A', kind: 'auto' },
        { id: 'a', title: 'A2', kind: 'manual' },
      ],
    };
    expect(() => parseRitual(bad, 'my.json')).toThrow(
      /Invalid ritual my\.json: .*needs a "check".*duplicate step id "a"/,
    );
    expect(() =>
      parseRitual({ version: 1, steps: [{ id: 'x', title: 'X', kind: 'manual', foo: 1 }] }, 'f'),
    ).toThrow(/foo/);
  });

  it('defaults level to required and the no-go policy to SPEC values', () => {
    const ritual = parseRitual({ version: 1, steps: [{ id: 'x', title: 'X', kind: 'manual' }] }, 'f');
    expect(ritual.steps[0]?.level).toBe('required');
    expect(ritual.no_go).toEqual({
      min_replay_pass_rate: 0.95,
      inngest_mode: 'cloud',
      expected_function_count: 4,
    });
  });

  it('resolves confirm targets: all manual steps, one, or a clear error', () => {
    const ritual = defaultRitual();
    expect(manualStepsFor(ritual, 'all').map((s) => s.id)).toEqual([
      'confirm_pto_inputs',
      'staging_stable_24h',
    ]);
    expect(() => manualStepsFor(ritual, 'replay_gate')).toThrow(/automatic/);
    expect(() => manualStepsFor(ritual, 'nope')).toThrow(/Unknown ritual step "nope"/);
  });
});

describe('decide', () => {
  it('is GO when every required step passes and no no-go condition holds', () => {
    const ritual = defaultRitual();
    const verdict = decide(ritual, 'production', allPassing(ritual), allConfirmed(ritual), {
      staging: allPassing(ritual),
    });
    expect(verdict.reasons).toEqual([]);
    expect(verdict.decision).toBe('GO');
  });

  it('is NO-GO with pending manual steps, naming each', () => {
    const ritual = defaultRitual();
    const verdict = decide(ritual, 'production', allPassing(ritual), new Map(), {
      staging: allPassing(ritual),
    });
    expect(verdict.decision).toBe('NO-GO');
    expect(verdict.blocking.map((s) => [s.id, s.outcome])).toEqual([
      ['confirm_pto_inputs', 'pending'],
      ['staging_stable_24h', 'pending'],
    ]);
  });

  it('never counts inconclusive or not-run auto steps as pass', () => {
    const ritual = defaultRitual();
    const results = allPassing(ritual);
    results.set('runtime_selftest', {
      step_id: 'runtime_selftest',
      outcome: 'inconclusive',
      summary: 'not available in this build',
      evidence: { by: 'ci', at: AT },
    });
    results.delete('dry_run_all');
    const verdict = decide(ritual, 'production', results, allConfirmed(ritual), {
      staging: allPassing(ritual),
    });
    expect(verdict.decision).toBe('NO-GO');
    expect(verdict.reasons).toEqual([
      'runtime_selftest: INCONCLUSIVE — not available in this build',
      'dry_run_all: PENDING — not run yet',
    ]);
  });

  it('advisory failures are shown but do not block', () => {
    const ritual = parseRitual(
      { version: 1, steps: [{ id: 'x', title: 'X', kind: 'auto', check: 'c', level: 'advisory' }] },
      'f',
    );
    const verdict = decide(
      ritual,
      'staging',
      new Map([['x', { ...pass('x'), outcome: 'fail' as const }]]),
      new Map(),
    );
    expect(verdict.decision).toBe('GO');
    expect(verdict.advisories.map((s) => s.id)).toEqual(['x']);
  });

  it.each([
    [
      'a required dependency unhealthy',
      {
        runtime_dependencies: {
          dependencies: [{ name: 'redis', required: true, healthy: false, detail: 'ECONNREFUSED' }],
        },
      },
      /redis \(required\) is unhealthy: ECONNREFUSED/,
    ],
    [
      'readiness 503',
      { runtime_dependencies: { readiness_status: 503 } },
      /\/api\/health\/ready answered 503/,
    ],
    [
      'replay below 95%',
      { replay_gate: { replay: { pass_rate: 0.9, threshold: 0.95, block_build: true } } },
      /replay pass rate 90% is below 95%/,
    ],
    [
      '/inngest not cloud',
      { inngest_route: { inngest: { mode: 'dev', function_count: 4, authenticated: true } } },
      /mode is dev, expected cloud/,
    ],
    [
      'unexpected function count',
      { inngest_route: { inngest: { mode: 'cloud', function_count: 3, authenticated: true } } },
      /function_count is 3, expected 4/,
    ],
    [
      'a protected endpoint open',
      { runtime_dependencies: { unprotected_routes: ['GET /api/runtime/dependencies'] } },
      /GET \/api\/runtime\/dependencies answered without a token/,
    ],
  ] as const)('vetoes GO when %s, even if every step passed', (_name, facts, message) => {
    const ritual = defaultRitual();
    const results = allPassing(ritual);
    for (const [id, f] of Object.entries(facts)) results.set(id, pass(id, f as StepResult['facts']));
    const verdict = decide(ritual, 'production', results, allConfirmed(ritual), {
      staging: allPassing(ritual),
    });
    expect(verdict.decision).toBe('NO-GO');
    expect(verdict.blocking).toEqual([]);
    expect(verdict.reasons.join('\n')).toMatch(message);
  });

  it('ignores a non-required unhealthy dependency and facts of out-of-scope steps', () => {
    const ritual = defaultRitual();
    const results = allPassing(ritual);
    results.set(
      'runtime_dependencies',
      pass('runtime_dependencies', { dependencies: [{ name: 'redis', required: false, healthy: false }] }),
    );
    results.set('auth_smoke_staging', pass('auth_smoke_staging', { unprotected_routes: ['GET /api/queue'] }));
    expect(
      decide(ritual, 'production', results, allConfirmed(ritual), { staging: allPassing(ritual) }).decision,
    ).toBe('GO');
    expect(decide(ritual, 'staging', results, allConfirmed(ritual)).decision).toBe('NO-GO');
  });

  it('keeps production NO-GO, naming staging, until the same release passed staging validation and smoke', () => {
    const ritual = defaultRitual();
    const none = decide(ritual, 'production', allPassing(ritual), allConfirmed(ritual));
    expect(none.decision).toBe('NO-GO');
    expect(none.blocking).toEqual([]);
    expect(none.no_go.map((c) => [c.code, c.step_id])).toEqual([
      ['staging_not_passed', 'validate_env_staging'],
      ['staging_not_passed', 'auth_smoke_staging'],
    ]);
    expect(none.reasons).toEqual([
      'no-go: staging validation (validate_env_staging) has not run for this release: run `caio release check --env staging` first',
      'no-go: staging smoke (auth_smoke_staging) has not run for this release: run `caio release check --env staging` first',
    ]);

    const staging = new Map([
      ['validate_env_staging', pass('validate_env_staging')],
      [
        'auth_smoke_staging',
        { ...pass('auth_smoke_staging'), outcome: 'fail' as const, summary: '1 of 9 auth checks failed' },
      ],
    ]);
    const smokeFailed = decide(ritual, 'production', allPassing(ritual), allConfirmed(ritual), { staging });
    expect(smokeFailed.reasons).toEqual([
      'no-go: staging smoke (auth_smoke_staging) is FAIL (1 of 9 auth checks failed): run `caio release check --env staging` first',
    ]);

    staging.set('auth_smoke_staging', pass('auth_smoke_staging'));
    expect(decide(ritual, 'production', allPassing(ritual), allConfirmed(ritual), { staging }).decision).toBe(
      'GO',
    );
    // staging itself is not gated on anything but its own steps
    expect(decide(ritual, 'staging', allPassing(ritual), allConfirmed(ritual)).decision).toBe('GO');
  });
});
