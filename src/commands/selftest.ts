import { resolve } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { makeColors, statusColor, writeLine } from '../cli/output.js';
import { MODES, secretValues } from '../runtime/config.js';
import { errorMessage, type ExitCode } from '../runtime/errors.js';
import { maskUrl, redact } from '../runtime/mask.js';
import { runSelftest, type SelftestResult } from '../runtime/tasks/selftest.js';
import { createStateStore } from '../runtime/stores/select-store.js';
import { coordinationPath, openDatabase } from '../runtime/stores/sqlite/database.js';

const HELP = `Usage: caio selftest [--json] [--mode M] [--env-file F]

Quick runtime self-test against the configured state store (Redis when REDIS_URL is set, else the
embedded SQLite store in HIVE_DIR): compare-and-set round trip, context with TTL, dispatch lock with
fencing, rate limiter, one-time claim, counter, and the Inngest / Standard Webhooks signature round
trips. One PASS/FAIL line per check, then "Result: PASS" or "Result: FAIL". A degraded store (Redis
configured but unreachable) fails the store.health check.

Flags:
  --json          print the checks as JSON
  --mode M        development | staging | production (default: CAIO_MODE)
  --env-file F    env file; its values override the environment

Exit codes: 0 every check passed, 1 a check failed, 2 usage or configuration error.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    { json: { type: 'boolean' }, mode: { type: 'string', choices: MODES }, envFile: { type: 'string' } },
    'selftest',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const { config } = loadCommandConfig(ctx, flags);
  const db = openDatabase(coordinationPath(resolve(ctx.cwd, config.HIVE_DIR)));
  let result: SelftestResult;
  try {
    const store = await createStateStore(config, { db });
    try {
      result = await runSelftest(store, { signingKey: config.INNGEST_SIGNING_KEY });
    } finally {
      await store.close();
    }
  } catch (error) {
    result = storeUnavailable(errorMessage(error));
  } finally {
    db.close();
  }

  const target = config.REDIS_URL
    ? `redis ${maskUrl(config.REDIS_URL)}`
    : `embedded ${coordinationPath(config.HIVE_DIR)}`;
  const secrets = secretValues(config);
  if (flags.json) {
    writeLine(ctx.stdout, redact(JSON.stringify({ target, ...result }, null, 2), secrets));
  } else {
    const colors = makeColors(ctx.stdout, ctx.env);
    writeLine(ctx.stdout, `Self-test against ${target}`);
    const width = Math.max(...result.checks.map((c) => c.name.length));
    for (const c of result.checks) {
      const line = `${statusColor(colors, c.status).padEnd(4)} ${c.name.padEnd(width)}  ${c.detail} ${colors.dim(`(${c.duration_ms} ms)`)}`;
      writeLine(ctx.stdout, redact(line, secrets));
    }
    writeLine(ctx.stdout, '');
    writeLine(ctx.stdout, `${result.passed} passed, ${result.failed} failed`);
    writeLine(ctx.stdout, `Result: ${statusColor(colors, result.result)}`);
  }
  return result.result === 'PASS' ? 0 : 1;
}

function storeUnavailable(message: string): SelftestResult {
  return {
    store: { kind: 'redis', healthy: false, degraded: false, error: message },
    checks: [{ name: 'store.health', status: 'FAIL', detail: message, duration_ms: 0 }],
    passed: 0,
    failed: 1,
    result: 'FAIL',
  };
}
