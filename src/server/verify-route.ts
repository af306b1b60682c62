/**
 * `caio validate --verify-inngest-route`: boot the HTTP app in-process on an ephemeral port (over a
 * throwaway database, so nothing real is touched), then check that /inngest refuses an unsigned GET
 * and answers a signed one with authentication_succeeded, mode=cloud and the expected function count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Mode, type RawEnv } from '../runtime/config.js';
import type { Check } from '../runtime/domain/env-rules.js';
import { errorMessage } from '../runtime/errors.js';
import { probeInngest } from '../runtime/tasks/connections.js';
import { createRecordStore } from '../runtime/stores/record/record.js';
import { startServer } from './start.js';

export const EXPECTED_FUNCTION_COUNT = 4;

export async function verifyInngestRoute(env: RawEnv, mode: Mode): Promise<Check[]> {
  const name = 'inngest.route';
  const dir = mkdtempSync(join(tmpdir(), 'caio-verify-'));
  // A throwaway embedded record, even when DATABASE_URL names the real one.
  const record = await createRecordStore({ HIVE_DIR: dir });
  const db = record.db.sqlite;
  try {
    if (!db) throw new Error('the throwaway record is not embedded');
    let config;
    try {
      // The deployed app runs in cloud mode: ignore INNGEST_DEV for this check.
      config = parseConfig({ ...env, INNGEST_DEV: undefined, HIVE_DIR: dir }, mode);
    } catch (error) {
      return [
        {
          status: 'FAIL',
          name,
          reason: `cannot boot the app: ${errorMessage(error)}`,
          fix: 'Fix the keys reported above.',
        },
      ];
    }
    const signingKey = config.INNGEST_SIGNING_KEY;
    if (!signingKey) {
      return [
        {
          status: mode === 'development' ? 'WARN' : 'FAIL',
          name,
          reason: 'INNGEST_SIGNING_KEY is not set: /inngest cannot run in cloud mode',
          fix: 'Set INNGEST_SIGNING_KEY (signkey-<env>-<hex>) from the Inngest dashboard.',
        },
      ];
    }
    const server = await startServer(
      { config, db, record },
      { port: 0, host: '127.0.0.1', background: false },
    );
    try {
      const url = `${server.url}/inngest`;
      const unsigned = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await unsigned.body?.cancel();
      const { status, body } = await probeInngest(url, signingKey);
      const ok =
        unsigned.status === 401 &&
        body?.authentication_succeeded === true &&
        body.mode === 'cloud' &&
        body.function_count === EXPECTED_FUNCTION_COUNT;
      return [
        {
          status: ok ? 'PASS' : 'FAIL',
          name,
          reason: `unsigned GET ${unsigned.status}; signed GET ${status}: authentication_succeeded=${String(body?.authentication_succeeded)}, mode=${String(body?.mode)}, function_count=${String(body?.function_count)}`,
          fix: ok
            ? ''
            : `Expected unsigned 401 and authentication_succeeded=true, mode=cloud, function_count=${EXPECTED_FUNCTION_COUNT}.`,
        },
      ];
    } finally {
      await server.close();
    }
  } catch (error) {
    return [
      {
        status: 'FAIL',
        name,
        reason: `in-process check failed: ${errorMessage(error)}`,
        fix: 'Report this with CAIO_DEBUG=1.',
      },
    ];
  } finally {
    await record.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
