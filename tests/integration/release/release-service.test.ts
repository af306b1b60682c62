import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/runtime/config.js';
import { parseRitual, renderCompletionText, type Ritual } from '../../../src/runtime/domain/ritual/index.js';
import { createAuditService } from '../../../src/runtime/services/audit.js';
import { createCheckRegistry, smokeCheck } from '../../../src/runtime/services/release-adapters.js';
import type { CheckFn, CheckRegistry, CheckTarget } from '../../../src/runtime/services/release-checks.js';
import { createReleaseService } from '../../../src/runtime/services/release.js';
import { createRecordStore, type RecordStore } from '../../../src/runtime/stores/record/record.js';
import { productionEnv, SIGNING_KEY } from '../../helpers/env-fixtures.js';
import { startRedis, type TestRedis } from '../../helpers/redis-server.js';
import { describeRedis } from '../../helpers/redis-suite.js';
import { useTempDir } from '../../helpers/temp.js';
import { startFakeApp, type FakeApp } from './fake-app.js';

const ritual: Ritual = parseRitual(
  JSON.parse(readFileSync(new URL('../../../release/ritual.json', import.meta.url), 'utf8')),
  'release/ritual.json',
);
const passing: CheckFn = async () => ({ outcome: 'pass', summary: 'ok (test double)' });
/** Checks owned by other modules, replaced by passing doubles so these tests isolate the ritual. */
const doubles: CheckRegistry = {
  smoke: passing,
  migrate_status: passing,
  replay: async () => ({
    outcome: 'pass',
    summary: 'pass rate 98%',
    facts: { replay: { pass_rate: 0.98, threshold: 0.95, block_build: false } },
  }),
  selftest: passing,
  outbound_dry_run: passing,
  queue_aging: passing,
  critical_failures_week: passing,
};

const tempDir = useTempDir();
const opened: RecordStore[] = [];
const apps: FakeApp[] = [];
afterEach(async () => {
  for (const record of opened.splice(0)) await record.close();
  for (const app of apps.splice(0)) await app.close();
});

async function setup(extra: CheckRegistry = doubles) {
  const record = await createRecordStore({ HIVE_DIR: tempDir() });
  opened.push(record);
  const db = record.db.sqlite!;
  const audit = createAuditService(record);
  let clock = Date.parse('2026-11-21T10:00:00Z');
  const service = createReleaseService({
    db,
    audit,
    checks: createCheckRegistry({ exampleValues: new Set(), extra }),
    now: () => (clock += 1000),
  });
  return { db, record, audit, service };
}

function target(env: Record<string, string>, baseUrl: string | undefined): CheckTarget {
  const config = parseConfig(env, 'production');
  return {
    env: 'production',
    baseUrl,
    token: env.DASHBOARD_AUTH_TOKEN,
    label: baseUrl ?? 'in-process runtime',
    rawEnv: env,
    config,
  };
}

async function app(env: Record<string, string>, misbehave: Partial<Parameters<typeof startFakeApp>[0]> = {}) {
  const started = await startFakeApp({
    token: env.DASHBOARD_AUTH_TOKEN!,
    signingKey: SIGNING_KEY,
    ...misbehave,
  });
  apps.push(started);
  return started;
}

describe('release check against a deployed app', () => {
  it('is GO on a healthy app once the manual steps are confirmed, and NO-GO naming them before', async () => {
    const env = productionEnv();
    const { service, audit, record } = await setup();
    const deployed = await app(env);
    const before = await service.check({
      ritual,
      releaseId: 'v1',
      target: target(env, deployed.url),
      actor: 'ci',
    });
    expect(before.verdict.decision).toBe('NO-GO');
    expect(before.verdict.reasons).toEqual([
      'confirm_pto_inputs: PENDING — manual step not confirmed',
      'staging_stable_24h: PENDING — manual step not confirmed',
    ]);

    await service.confirm({ ritual, releaseId: 'v1', which: 'all', by: 'Pat PTO', note: 'tokens rotated' });
    const after = await service.check({
      ritual,
      releaseId: 'v1',
      target: target(env, deployed.url),
      actor: 'ci',
    });
    expect(after.verdict.reasons).toEqual([]);
    expect(after.verdict.decision).toBe('GO');
    // the real probes ran against the app: readiness, the protected route with and without token, signed /inngest
    expect(deployed.requests).toEqual(
      expect.arrayContaining(['GET /api/health/ready', 'GET /api/runtime/dependencies', 'GET /inngest']),
    );
    const deps = after.verdict.steps.find((s) => s.id === 'runtime_dependencies');
    expect(deps?.evidence).toMatchObject({
      measured: 'readiness HTTP 200, ready=true',
      by: 'ci',
      target: deployed.url,
    });
    // confirmations and decisions are audited, and the chain verifies
    const actions = (await audit.tail(10)).map((row) => `${row.action} ${row.subject}`);
    expect(actions).toEqual([
      'release.decision v1/production',
      'release.confirm v1/confirm_pto_inputs',
      'release.confirm v1/staging_stable_24h',
      'release.decision v1/production',
    ]);
    // each decision recorded the head it saw (its own row), and verify checked against both
    const decisions = (await audit.tail(10)).filter((row) => row.action === 'release.decision');
    expect((await record.auditHeads.list()).map((head) => [head.seq, head.hash, head.reason])).toEqual(
      decisions.map((row) => [row.seq, row.hash, 'release.decision v1/production']),
    );
    expect(await audit.verify()).toMatchObject({ ok: true, heads_checked: 2 });
  });

  it('is NO-GO when a protected route answers without a token', async () => {
    const env = productionEnv();
    const { service } = await setup();
    await service.confirm({ ritual, releaseId: 'v1', which: 'all', by: 'Pat' });
    const deployed = await app(env, { openProtected: true });
    const { verdict } = await service.check({
      ritual,
      releaseId: 'v1',
      target: target(env, deployed.url),
      actor: 'ci',
    });
    expect(verdict.decision).toBe('NO-GO');
    expect(verdict.reasons).toContain(
      'no-go: protected endpoint GET /api/runtime/dependencies answered without a token',
    );
  });

  it('the real smoke check (caio smoke) reports a protected route that answers without a token', async () => {
    const env = productionEnv();
    const deployed = await app(env, { openProtected: true });
    const step = ritual.steps.find((s) => s.id === 'auth_smoke_production')!;
    const out = await smokeCheck({
      step,
      target: target(env, deployed.url),
      policy: ritual.no_go,
      timeoutMs: 5000,
      signal: new AbortController().signal,
    });
    expect(out.outcome).toBe('fail');
    expect(out.facts?.unprotected_routes).toEqual(['GET /api/runtime/dependencies']);
  });

  it.each([
    [
      'readiness 503 and an unhealthy required Redis',
      { readyStatus: 503, redisHealthy: false },
      /redis \(required\) is unhealthy: ECONNREFUSED/,
    ],
    ['/inngest in dev mode', { inngestMode: 'dev' }, /\/inngest mode is dev, expected cloud/],
    ['an unexpected function count', { functionCount: 2 }, /function_count is 2, expected 4/],
  ])('is NO-GO on %s', async (_name, fault, reason) => {
    const env = productionEnv();
    const { service } = await setup();
    await service.confirm({ ritual, releaseId: 'v1', which: 'all', by: 'Pat' });
    const deployed = await app(env, fault);
    const { verdict } = await service.check({
      ritual,
      releaseId: 'v1',
      target: target(env, deployed.url),
      actor: 'ci',
    });
    expect(verdict.decision).toBe('NO-GO');
    expect(verdict.reasons.join('\n')).toMatch(reason);
  });

  it('a check missing from this build, or past its deadline, is inconclusive and never a pass', async () => {
    const env = productionEnv();
    const { service } = await setup({
      ...doubles,
      smoke: undefined, // as if this build shipped no smoke check
      selftest: () => new Promise(() => {}),
    });
    await service.confirm({ ritual, releaseId: 'v1', which: 'all', by: 'Pat' });
    const deployed = await app(env);
    const { verdict } = await service.check({
      ritual,
      releaseId: 'v1',
      target: target(env, deployed.url),
      actor: 'ci',
      timeoutMs: 200,
    });
    expect(verdict.decision).toBe('NO-GO');
    expect(verdict.reasons).toEqual([
      'auth_smoke_production: INCONCLUSIVE — check "smoke" is not available in this build',
      'runtime_selftest: INCONCLUSIVE — could not run: timed out after 200 ms',
    ]);
  });

  it('an unreachable app is inconclusive, not a pass', async () => {
    const env = productionEnv();
    const { service } = await setup();
    const deployed = await app(env);
    await deployed.close();
    apps.splice(0);
    const { verdict } = await service.check({
      ritual,
      releaseId: 'v1',
      target: target(env, deployed.url),
      actor: 'ci',
    });
    const deps = verdict.steps.find((s) => s.id === 'runtime_dependencies');
    expect(deps?.outcome).toBe('inconclusive');
    expect(deps?.summary).toMatch(/cannot reach/);
  });

  it('re-running a check replaces its evidence; the report reads the latest results', async () => {
    const env = productionEnv();
    const { service } = await setup();
    await service.confirm({ ritual, releaseId: 'v1', which: 'all', by: 'Pat' });
    const broken = await app(env, { readyStatus: 503 });
    await service.check({ ritual, releaseId: 'v1', target: target(env, broken.url), actor: 'first' });
    expect(service.results('v1', 'production').get('runtime_dependencies')?.outcome).toBe('fail');
    expect(renderCompletionText(service.report(ritual, 'v1', 'production'))).toContain(
      '- /api/health/ready: 503',
    );

    const fixed = await app(env);
    await service.check({
      ritual,
      releaseId: 'v1',
      target: target(env, fixed.url),
      actor: 'second',
      only: ['runtime_dependencies'],
    });
    const stored = service.results('v1', 'production').get('runtime_dependencies');
    expect(stored).toMatchObject({ outcome: 'pass', evidence: { by: 'second' } });
    expect(renderCompletionText(service.report(ritual, 'v1', 'production')).split('\n')).toEqual([
      'CAIO Runtime Reliability Checkpoint Complete.',
      '',
      'Environment: production',
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
    ]);
  });

  it('confirmations belong to one release id', async () => {
    const { service } = await setup();
    await service.confirm({ ritual, releaseId: 'v1', which: 'confirm_pto_inputs', by: 'Pat' });
    expect([...service.confirmations('v1').keys()]).toEqual(['confirm_pto_inputs']);
    expect(service.confirmations('v2').size).toBe(0);
    await expect(
      service.confirm({ ritual, releaseId: 'v1', which: 'replay_gate', by: 'Pat' }),
    ).rejects.toThrow(/automatic/);
    await expect(service.confirm({ ritual, releaseId: 'v1', which: 'all', by: '  ' })).rejects.toThrow(
      /--by/,
    );
  });
});

describeRedis('release check in-process, REDIS_REQUIRED=true', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('names Redis in the NO-GO when the required Redis is down, and not when it is up', async () => {
    const env = productionEnv({ REDIS_URL: redis.url });
    const { service } = await setup();
    await service.confirm({ ritual, releaseId: 'v1', which: 'all', by: 'Pat' });

    const up = await service.check({
      ritual,
      releaseId: 'v1',
      target: target(env, undefined),
      actor: 'ci',
      only: ['runtime_dependencies'],
    });
    expect(up.verdict.no_go).toEqual([]);

    await redis.stop();
    try {
      const down = await service.check({
        ritual,
        releaseId: 'v1',
        target: target(env, undefined),
        actor: 'ci',
        only: ['runtime_dependencies'],
      });
      expect(down.verdict.decision).toBe('NO-GO');
      expect(down.verdict.no_go.map((c) => c.code)).toEqual(['dependency_unhealthy']);
      expect(down.verdict.reasons.join('\n')).toMatch(
        /no-go: redis \(required\) is unhealthy: cannot reach redis:\/\/127\.0\.0\.1/,
      );
    } finally {
      await redis.start();
    }
  });
});
