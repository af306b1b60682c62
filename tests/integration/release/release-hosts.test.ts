/**
 * Two hosts over one record (SQLite file or PostgreSQL database) agree on the release: evidence one
 * host stores, the other reads; a sign-off on one is the sign-off on the other; production on host B
 * stays NO-GO naming staging until host A's staging check passed.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseConfig } from '../../../src/runtime/config.js';
import { tokenDigest } from '../../../src/runtime/domain/operators.js';
import { parseRitual, renderCompletionText, type Ritual } from '../../../src/runtime/domain/ritual/index.js';
import type { CheckFn, CheckTarget } from '../../../src/runtime/services/release-checks.js';
import { createReleaseService } from '../../../src/runtime/services/release.js';
import type { RecordStore } from '../../../src/runtime/stores/record/record.js';
import { productionEnv } from '../../helpers/env-fixtures.js';
import { describeRecords } from '../../helpers/record.js';

const ritual: Ritual = parseRitual(
  JSON.parse(readFileSync(new URL('../../../release/ritual.json', import.meta.url), 'utf8')),
  'release/ritual.json',
);
const passing: CheckFn = async () => ({ outcome: 'pass', summary: 'ok (test double)' });
const checks = {
  validate: passing,
  dependencies: async () => ({
    outcome: 'pass' as const,
    summary: 'ready',
    facts: { readiness_status: 200, dependencies_ready: true, dependencies: [], unprotected_routes: [] },
  }),
  inngest_route: async () => ({
    outcome: 'pass' as const,
    summary: 'cloud',
    facts: { inngest: { mode: 'cloud', function_count: 4, authenticated: true } },
  }),
  smoke: passing,
  migrate_status: passing,
  replay: async () => ({
    outcome: 'pass' as const,
    summary: '98%',
    facts: { replay: { pass_rate: 0.98, threshold: 0.95, block_build: false } },
  }),
  selftest: passing,
  outbound_dry_run: passing,
  queue_aging: passing,
  critical_failures_week: passing,
};

function target(env: 'staging' | 'production', label: string): CheckTarget {
  const raw = productionEnv();
  return { env, baseUrl: undefined, token: undefined, label, rawEnv: raw, config: parseConfig(raw, env) };
}

const host = (record: RecordStore) => createReleaseService({ record, checks });

describeRecords('release evidence across hosts', ({ open, reopen }) => {
  it('host A and host B read and write the same evidence, sign-offs and decisions', async () => {
    const { record, config } = await open();
    await record.operators.insert({ name: 'pat', role: 'pto', digest: tokenDigest('t'), at: 'now', by: 't' });
    const a = host(record);
    const b = host(await reopen(config));

    const first = await b.check({
      ritual,
      releaseId: 'r1',
      target: target('production', 'https://prod'),
      actor: 'host-b',
    });
    expect(first.verdict.decision).toBe('NO-GO');
    expect(first.verdict.no_go.map((c) => c.step_id)).toEqual(['validate_env_staging', 'auth_smoke_staging']);

    await a.check({ ritual, releaseId: 'r1', target: target('staging', 'https://staging'), actor: 'host-a' });
    await a.confirm({ ritual, releaseId: 'r1', which: 'all', by: 'pat', note: 'checked' });

    const second = await b.check({
      ritual,
      releaseId: 'r1',
      target: target('production', 'https://prod'),
      actor: 'host-b',
    });
    expect(second.verdict.reasons).toEqual([]);
    expect(second.verdict.decision).toBe('GO');
    // both hosts answer the same verdict and the same report
    expect((await a.verdict(ritual, 'r1', 'production')).decision).toBe('GO');
    const reportA = renderCompletionText(await a.report(ritual, 'r1', 'production'));
    expect(reportA).toBe(renderCompletionText(await b.report(ritual, 'r1', 'production')));
    expect(reportA).toContain('- validate_env_staging (staging): PASS on https://staging, by host-a at ');
    expect(reportA).toContain('- runtime_dependencies: PASS on https://prod, by host-b at ');
    expect(reportA).toMatch(/- confirm_pto_inputs: confirmed by pat at \S+ — note: checked/);
    expect((await a.latestRun('r1'))?.id).toBe(second.run.id);

    // a sign-off on host A is refused a silent overwrite on host B (and withdrawn from either)
    await record.operators.insert({ name: 'sam', role: 'pto', digest: tokenDigest('u'), at: 'now', by: 't' });
    await expect(
      b.confirm({ ritual, releaseId: 'r1', which: 'staging_stable_24h', by: 'sam' }),
    ).rejects.toThrow(/confirmed by pat .* needs --force/);
    expect(
      await b.unconfirm({ ritual, releaseId: 'r1', step: 'staging_stable_24h', by: 'sam' }),
    ).toHaveLength(1);
    expect((await a.verdict(ritual, 'r1', 'production')).decision).toBe('NO-GO');
  });

  it('two hosts signing off the same step at once: one wins, the other is refused, never both', async () => {
    const { record, config } = await open();
    await record.operators.insert({ name: 'pat', role: 'pto', digest: tokenDigest('t'), at: 'now', by: 't' });
    await record.operators.insert({ name: 'sam', role: 'pto', digest: tokenDigest('u'), at: 'now', by: 't' });
    const a = host(record);
    const b = host(await reopen(config));
    for (let round = 0; round < 5; round += 1) {
      const releaseId = `race-${round}`;
      const outcomes = await Promise.allSettled([
        a.confirm({ ritual, releaseId, which: 'confirm_pto_inputs', by: 'pat' }),
        b.confirm({ ritual, releaseId, which: 'confirm_pto_inputs', by: 'sam' }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === 'rejected');
      expect(String(refused?.reason)).toMatch(/needs --force/);
      expect(await a.confirmationHistory(releaseId)).toHaveLength(1);
    }
  });
});
