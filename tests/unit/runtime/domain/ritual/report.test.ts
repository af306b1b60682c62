import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildCompletionReport,
  decide,
  parseRitual,
  renderChecklist,
  renderCompletionMarkdown,
  renderCompletionText,
  type Confirmation,
  type Ritual,
  type StepResult,
} from '../../../../../src/runtime/domain/ritual/index.js';

const AT = '2026-11-21T10:00:00.000Z';
const ritual: Ritual = parseRitual(
  JSON.parse(readFileSync(new URL('../../../../../release/ritual.json', import.meta.url), 'utf8')),
  'release/ritual.json',
);
const meta = {
  release_id: 'v0.1.0',
  env: 'staging' as const,
  redis_required: true,
  inngest_required: true,
  checked_at: AT,
  target: 'https://staging.example.com',
};

function results(overrides: Record<string, Partial<StepResult>> = {}): Map<string, StepResult> {
  const facts: Record<string, StepResult['facts']> = {
    runtime_dependencies: { readiness_status: 200, dependencies_ready: true, dependencies: [] },
    inngest_route: { inngest: { mode: 'cloud', function_count: 4, authenticated: true } },
    replay_gate: { replay: { pass_rate: 0.98, threshold: 0.95, block_build: false } },
  };
  return new Map(
    ritual.steps
      .filter((s) => s.kind === 'auto')
      .map((s) => [
        s.id,
        {
          step_id: s.id,
          outcome: 'pass' as const,
          summary: 'ok',
          evidence: { by: 'pat', at: AT },
          ...(facts[s.id] ? { facts: facts[s.id] } : {}),
          ...overrides[s.id],
        },
      ]),
  );
}
const confirmed = new Map<string, Confirmation>(
  ['confirm_pto_inputs', 'staging_stable_24h'].map((id) => [id, { step_id: id, by: 'pat', at: AT }]),
);

describe('the completion report', () => {
  it('matches the SPEC 10 template line for line on a GO, then names targets and sign-offs', () => {
    const r = results();
    const report = buildCompletionReport(ritual, decide(ritual, 'staging', r, confirmed), r, meta);
    const text = renderCompletionText(report).split('\n');
    expect(text.slice(0, 15).join('\n')).toBe(
      [
        'CAIO Runtime Reliability Checkpoint Complete.',
        '',
        'Environment: staging',
        'REDIS_REQUIRED: true',
        'INNGEST_REQUIRED: true',
        '',
        'Checks:',
        '- validate_runtime_env: PASS',
        '- /api/runtime/dependencies: ready=true',
        '- /api/health/ready: 200',
        '- /inngest: mode=cloud, function_count=4',
        '- replay_harness: pass_rate=0.98, block_build=false',
        '',
        'Release Decision: GO',
        'Open Issues: none',
      ].join('\n'),
    );
    expect(text.slice(15, 19)).toEqual([
      '',
      `Release: v0.1.0 (last check against https://staging.example.com at ${AT})`,
      'Evidence:',
      `- validate_env_staging: PASS on unknown target, by pat at ${AT}`,
    ]);
    expect(text.slice(-3)).toEqual([
      'Sign-offs:',
      `- confirm_pto_inputs: confirmed by pat at ${AT}`,
      `- staging_stable_24h: confirmed by pat at ${AT}`,
    ]);
  });

  it("on production, lists the same release's staging validation and smoke, and sign-off notes", () => {
    const r = results();
    const staging = new Map([
      [
        'validate_env_staging',
        {
          step_id: 'validate_env_staging',
          outcome: 'pass' as const,
          summary: 'ok',
          evidence: { by: 'ann', at: AT, target: 'https://staging.example.com' },
        },
      ],
    ]);
    const notes = new Map<string, Confirmation>([
      ['confirm_pto_inputs', { step_id: 'confirm_pto_inputs', by: 'pat', at: AT, note: 'tokens rotated' }],
    ]);
    const report = buildCompletionReport(ritual, decide(ritual, 'production', r, notes, { staging }), r, {
      ...meta,
      env: 'production',
      staging,
    });
    const text = renderCompletionText(report);
    expect(text).toContain(
      `- validate_env_staging (staging): PASS on https://staging.example.com, by ann at ${AT}`,
    );
    expect(text).toContain('- auth_smoke_staging (staging): NOT RUN');
    expect(text).toContain(`- confirm_pto_inputs: confirmed by pat at ${AT} — note: tokens rotated`);
    expect(text).toContain('- staging_stable_24h: not confirmed');
    expect(text).toContain(
      '- no-go (auth_smoke_staging): staging smoke (auth_smoke_staging) has not run for this release',
    );
    expect(report.decision).toBe('NO-GO');
  });

  it('lists failed and pending steps and no-go conditions under Open Issues', () => {
    const r = results({
      validate_env_staging: { outcome: 'fail', summary: '2 checks failed' },
      runtime_dependencies: {
        facts: { readiness_status: 503, dependencies_ready: false, dependencies: [] },
      },
    });
    const report = buildCompletionReport(ritual, decide(ritual, 'staging', r, new Map()), r, meta);
    const text = renderCompletionText(report).split('\n');
    expect(text).toContain('- validate_runtime_env: FAIL');
    expect(text).toContain('- /api/health/ready: 503');
    expect(text).toContain('- /api/runtime/dependencies: ready=false');
    expect(text).toContain('Release Decision: NO-GO');
    expect(text.slice(text.indexOf('Open Issues:'), text.indexOf('Evidence:') - 2)).toEqual([
      'Open Issues:',
      '- confirm_pto_inputs: PENDING — manual step not confirmed',
      '- validate_env_staging: FAIL — 2 checks failed',
      '- staging_stable_24h: PENDING — manual step not confirmed',
      '- no-go (runtime_dependencies): /api/health/ready answered 503',
    ]);
  });

  it('says "not checked" for values no check measured', () => {
    const report = buildCompletionReport(ritual, decide(ritual, 'staging', new Map(), new Map()), new Map(), {
      ...meta,
      redis_required: undefined,
    });
    const text = renderCompletionText(report);
    expect(text).toContain('REDIS_REQUIRED: unknown');
    expect(text).toContain('- validate_runtime_env: not checked');
    expect(text).toContain('- /inngest: not checked');
    expect(text).toContain('- replay_harness: not checked');
  });

  it('renders Markdown with the same facts', () => {
    const r = results();
    const md = renderCompletionMarkdown(
      buildCompletionReport(ritual, decide(ritual, 'staging', r, confirmed), r, meta),
    );
    expect(md).toContain('## CAIO Runtime Reliability Checkpoint Complete.');
    expect(md).toContain('- `/inngest`: mode=cloud, function_count=4');
    expect(md).toContain('**Release Decision: GO**');
  });
});

describe('the checklist', () => {
  it('ends with the decision and names the next step for pending manual steps', () => {
    const r = results();
    const text = renderChecklist(decide(ritual, 'production', r, new Map()), {
      release_id: 'v0.1.0',
      env: 'production',
      target: 'in-process runtime',
      ritual_source: 'release/ritual.json',
    });
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('Release Decision: NO-GO');
    expect(text).toContain('Blocking: confirm_pto_inputs (pending), staging_stable_24h (pending)');
    expect(text).toMatch(/PENDING\s+confirm_pto_inputs/);
    expect(text).toContain('caio release confirm STEP|all --by NAME');
  });
});
