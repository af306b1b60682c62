/**
 * Two hosts on one PostgreSQL record (SPEC 5, 9, 10): a replay run stored by one is the other's
 * history, the ritual's "no critical replay failure this week" reads it from the record whichever
 * host runs the check, and the weekly sign-off is once per week across both.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/runtime/config.js';
import { createCheckRegistry } from '../../src/runtime/services/release-adapters.js';
import type { CheckContext } from '../../src/runtime/services/release-checks.js';
import { createRuntime, type Runtime } from '../../src/runtime/services/runtime.js';
import { POSTGRES_FOR_TESTS } from '../helpers/record.js';
import { createTestDatabase } from '../helpers/postgres-server.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();

async function weeklyCheck(runtime: Runtime) {
  const check = createCheckRegistry({
    exampleValues: new Set(),
    runtime: runtime as unknown as Record<string, unknown>,
  }).critical_failures_week;
  if (!check) throw new Error('the weekly critical-failure check is not registered');
  return check({} as CheckContext);
}

(POSTGRES_FOR_TESTS ? describe : describe.skip)('replay runs and sign-offs shared by two hosts', () => {
  it('one host stores, the other checks and signs; once per week across both', async () => {
    const database = await createTestDatabase();
    const root = tempDir();
    const open = (host: string) =>
      createRuntime(parseConfig({ HIVE_DIR: join(root, host), DATABASE_URL: database.url }));
    const [a, b] = [await open('a'), await open('b')];
    try {
      expect(await weeklyCheck(b)).toMatchObject({ outcome: 'inconclusive' });
      const report = await a.replay.runGate();
      expect(report.block_build).toBe(false);
      expect(await b.replay.last()).toMatchObject({ id: report.stored_run_id, ran_by: 'scheduler' });
      expect(await weeklyCheck(b)).toMatchObject({
        outcome: 'pass',
        measured: '0 critical failures in 1 runs',
      });

      const critical = await a.replays.record({
        ran_at: new Date().toISOString(),
        ran_by: 'release-ritual',
        golden_set: report.golden_set,
        total: report.total,
        passed: report.total - 1,
        pass_rate: 0.99,
        threshold: 0.95,
        block_build: true,
        critical_count: 1,
        failed_ids: ['mm-pass-sdr-hiring'],
      });
      const failed = await weeklyCheck(b);
      expect(failed).toMatchObject({ outcome: 'fail', measured: '1 critical failures in 2 runs' });
      expect(failed.summary).toContain(`#${critical.id}`);

      await a.operators.add('pat', 'pto', 'admin');
      await b.scorecard.signOff({ by: 'pat', note: 'week reviewed' });
      const again = await a.scorecard.signOff({ by: 'pat' }).catch((error: unknown) => error);
      expect(again).toMatchObject({ code: 'scorecard_already_signed' });
      const card = await a.scorecard.weekly();
      expect(card.sign_off).toMatchObject({ status: 'ok', value: { by: 'pat', note: 'week reviewed' } });
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
