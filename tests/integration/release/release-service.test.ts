import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/runtime/config.js';
import { parseRitual, renderCompletionText, type Ritual } from '../../../src/runtime/domain/ritual/index.js';
import { verifyAuditChain } from '../../../src/runtime/domain/audit-chain.js';
import { tokenDigest } from '../../../src/runtime/domain/operators.js';
import { createCheckRegistry, smokeCheck } from '../../../src/runtime/services/release-adapters.js';
import type { CheckFn, CheckRegistry, CheckTarget } from '../../../src/runtime/services/release-checks.js';
import { createReleaseService, type ReleaseRunRecord } from '../../../src/runtime/services/release.js';
import { onReleaseDecision } from '../../../src/runtime/services/notifier-wiring.js';
import { createRecordStore, type RecordStore } from '../../../src/runtime/stores/record/record.js';
import { auditRowSchema } from '../../../src/runtime/stores/record/tables/audit.js';
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

/** A record with a pto operator "Pat", and the service over it. */
async function setup(extra: CheckRegistry = doubles, onDecision?: (run: ReleaseRunRecord) => void) {
  const record = await createRecordStore({ HIVE_DIR: tempDir() });
  opened.push(record);
  for (const [name, role] of [
    ['Pat', 'pto'],
    ['Sam', 'pto'],
    ['Rev', 'reviewer'],
  ] as const) {
    await record.operators.insert({ name, role, digest: tokenDigest(`t-${name}`), at: 'now', by: 'test' });
  }
  let clock = Date.parse('2026-11-21T10:00:00Z');
  const service = createReleaseService({
    record,
    checks: createCheckRegistry({ exampleValues: new Set(), extra }),
    now: () => (clock += 1000),
    onDecision,
  });
  return { record, service };
}

/** The same release's staging validation and smoke, passed (a production GO needs them). */
async function stagingPassed(record: RecordStore, releaseId = 'v1') {
  for (const step of ['validate_env_staging', 'auth_smoke_staging']) {
    await record.release.putResult(releaseId, 'staging', {
      step_id: step,
      outcome: 'pass',
      summary: 'ok',
      evidence: { by: 'ci', at: '2026-11-21T09:00:00.000Z', target: 'https://staging.example' },
    });
  }
}

async function auditRows(record: RecordStore) {
  const rows = [];
  for await (const raw of record.audit.rows()) rows.push(auditRowSchema.parse(raw));
  return rows;
}

function target(
  env: Record<string, string>,
  baseUrl: string | undefined,
  targetEnv: 'staging' | 'production' = 'production',
): CheckTarget {
  const config = parseConfig(env, targetEnv);
  return {
    env: targetEnv,
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
  it('is GO on a healthy app once staging passed and the manual steps are confirmed, NO-GO naming what is missing before', async () => {
    const env = productionEnv();
    const { service, record } = await setup();
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
      'no-go: staging validation (validate_env_staging) has not run for this release: run `caio release check --env staging` first',
      'no-go: staging smoke (auth_smoke_staging) has not run for this release: run `caio release check --env staging` first',
    ]);

    // staging, run against the (same) deployed app, from the record
    const staging = await service.check({
      ritual,
      releaseId: 'v1',
      target: target(env, deployed.url, 'staging'),
      actor: 'ci-staging',
    });
    expect(staging.verdict.steps.find((s) => s.id === 'validate_env_staging')?.outcome).toBe('pass');
    await service.confirm({ ritual, releaseId: 'v1', which: 'all', by: 'pat', note: 'tokens rotated' });
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
    // sign-offs use the operator's own spelling of the name
    expect((await service.confirmations('v1')).get('confirm_pto_inputs')).toMatchObject({
      by: 'Pat',
      note: 'tokens rotated',
    });
    // sign-offs and decisions are audited in the record, and each decision stored the head it saw
    const rows = await auditRows(record);
    expect(rows.map((row) => `${row.action} ${row.subject}`)).toEqual([
      'release.decision v1/production',
      'release.decision v1/staging',
      'release.confirm v1/confirm_pto_inputs',
      'release.confirm v1/staging_stable_24h',
      'release.decision v1/production',
    ]);
    const heads = await record.release.decisionHeads();
    expect(heads.map((h) => [h.seq, h.hash])).toEqual(
      rows.filter((row) => row.action === 'release.decision').map((row) => [row.seq, row.hash]),
    );
    expect(after.run).toMatchObject({
      decision: 'GO',
      audit_seq: rows.at(-1)!.seq,
      audit_hash: rows.at(-1)!.hash,
    });
    const verified = verifyAuditChain(
      rows,
      [],
      heads.map((h) => ({
        seq: h.seq,
        hash: h.hash,
        recorded_at: h.at,
        reason: `release.decision ${h.release_id}/${h.env}`,
      })),
    );
    expect(verified.ok).toBe(true);
    // ...and the same heads are in audit_heads, where `caio audit verify` reads them
    expect((await record.auditHeads.list()).map((h) => [h.seq, h.hash, h.reason])).toEqual(
      heads.map((h) => [h.seq, h.hash, `release.decision ${h.release_id}/${h.env}`]),
    );

    // the report names each check's target, who ran it and when, staging's evidence and the sign-offs
    const text = renderCompletionText(await service.report(ritual, 'v1', 'production'));
    expect(text).toContain(`- runtime_dependencies: PASS on ${deployed.url}, by ci at `);
    expect(text).toContain(`- validate_env_staging (staging): PASS on ${deployed.url}, by ci-staging at `);
    expect(text).toMatch(/- confirm_pto_inputs: confirmed by Pat at \S+ — note: tokens rotated/);
  });

  it('takes sign-offs only from pto or admin operators, never silently over someone else, and keeps the history', async () => {
    const { service, record } = await setup();
    await expect(
      service.confirm({ ritual, releaseId: 'v1', which: 'confirm_pto_inputs', by: 'Rev' }),
    ).rejects.toThrow(
      /confirming release steps and signing off the scorecard needs the pto or admin role; Rev is a reviewer/,
    );
    await expect(
      service.confirm({ ritual, releaseId: 'v1', which: 'confirm_pto_inputs', by: 'nobody' }),
    ).rejects.toThrow(/nobody is not an operator/);
    // an authenticated caller (the API) passes the role: the service token acts as admin
    await service.confirm({
      ritual,
      releaseId: 'v1',
      which: 'staging_stable_24h',
      by: 'ops (service token)',
      role: 'admin',
    });

    await service.confirm({ ritual, releaseId: 'v1', which: 'confirm_pto_inputs', by: 'Pat', note: 'first' });
    const refused = await service
      .confirm({ ritual, releaseId: 'v1', which: 'confirm_pto_inputs', by: 'Sam' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'confirmed_by_other',
      exitCode: 1,
      message: expect.stringMatching(
        /^confirm_pto_inputs was confirmed by Pat at \S+: re-confirming it as Sam needs --force/,
      ),
    });
    expect((await service.confirmations('v1')).get('confirm_pto_inputs')?.by).toBe('Pat');

    // `all` skips what is confirmed, and says so
    const all = await service.confirm({ ritual, releaseId: 'v1', which: 'all', by: 'Sam' });
    expect(all.confirmed).toEqual([]);
    expect(all.skipped.map((s) => s.message)).toEqual([
      expect.stringMatching(/^confirm_pto_inputs is already confirmed by Pat at /),
      expect.stringMatching(/^staging_stable_24h is already confirmed by ops \(service token\) at /),
    ]);

    const forced = await service.confirm({
      ritual,
      releaseId: 'v1',
      which: 'confirm_pto_inputs',
      by: 'sam',
      force: true,
    });
    expect(forced.confirmed).toMatchObject([{ step_id: 'confirm_pto_inputs', by: 'Sam', forced: true }]);
    expect((await service.confirmations('v1')).get('confirm_pto_inputs')?.by).toBe('Sam');

    const withdrawn = await service.unconfirm({
      ritual,
      releaseId: 'v1',
      step: 'confirm_pto_inputs',
      by: 'Pat',
    });
    expect(withdrawn.map((c) => c.by)).toEqual(['Pat', 'Sam']);
    expect((await service.confirmations('v1')).has('confirm_pto_inputs')).toBe(false);
    expect(
      await service.unconfirm({ ritual, releaseId: 'v1', step: 'confirm_pto_inputs', by: 'Pat' }),
    ).toEqual([]);
    await expect(
      service.unconfirm({ ritual, releaseId: 'v1', step: 'confirm_pto_inputs', by: 'Rev' }),
    ).rejects.toThrow(/reviewer/);

    const history = await service.confirmationHistory('v1', 'confirm_pto_inputs');
    expect(history.map((c) => [c.by, c.forced, c.revoked_by])).toEqual([
      ['Pat', false, 'Pat'],
      ['Sam', true, 'Pat'],
    ]);
    const actions = (await auditRows(record)).map((row) => `${row.actor} ${row.action} ${row.subject}`);
    expect(actions).toEqual([
      'ops (service token) release.confirm v1/staging_stable_24h',
      'Pat release.confirm v1/confirm_pto_inputs',
      'Sam release.confirm v1/confirm_pto_inputs',
      'Pat release.unconfirm v1/confirm_pto_inputs',
    ]);
  });

  it('is NO-GO when a protected route answers without a token, and posts the NO-GO as a notification', async () => {
    const env = productionEnv();
    const raised: { kind: string; title: string }[] = [];
    const resolved: string[] = [];
    const { service, record } = await setup(
      doubles,
      onReleaseDecision({
        raise: (incident: { kind: string; title: string }) => void raised.push(incident),
        resolve: async (kind: string) => void resolved.push(kind),
      } as unknown as Parameters<typeof onReleaseDecision>[0]),
    );
    await stagingPassed(record);
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
    expect(raised).toHaveLength(1);
    expect(raised[0]?.kind).toBe('release_no_go');
    expect(resolved).toEqual([]);
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
    const { service, record } = await setup();
    await stagingPassed(record);
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
    const { service, record } = await setup({
      ...doubles,
      smoke: undefined, // as if this build shipped no smoke check
      selftest: () => new Promise(() => {}),
    });
    await stagingPassed(record);
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
    const { service, record } = await setup();
    await stagingPassed(record);
    await service.confirm({ ritual, releaseId: 'v1', which: 'all', by: 'Pat' });
    const broken = await app(env, { readyStatus: 503 });
    await service.check({ ritual, releaseId: 'v1', target: target(env, broken.url), actor: 'first' });
    expect((await service.results('v1', 'production')).get('runtime_dependencies')?.outcome).toBe('fail');
    expect(renderCompletionText(await service.report(ritual, 'v1', 'production'))).toContain(
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
    const stored = (await service.results('v1', 'production')).get('runtime_dependencies');
    expect(stored).toMatchObject({ outcome: 'pass', evidence: { by: 'second', target: fixed.url } });
    expect(
      (await record.release.resultHistory('v1', 'production', 'runtime_dependencies')).map(
        (r) => r.evidence.by,
      ),
    ).toEqual(['second', 'first']);
    expect(
      renderCompletionText(await service.report(ritual, 'v1', 'production'))
        .split('\n')
        .slice(0, 15),
    ).toEqual([
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
    expect([...(await service.confirmations('v1')).keys()]).toEqual(['confirm_pto_inputs']);
    expect((await service.confirmations('v2')).size).toBe(0);
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
    const { service, record } = await setup();
    await stagingPassed(record);
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
