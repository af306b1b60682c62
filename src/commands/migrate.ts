import { resolve } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeLine } from '../cli/output.js';
import { MODES, secretValues, type Config } from '../runtime/config.js';
import type { ExitCode } from '../runtime/errors.js';
import { redact } from '../runtime/mask.js';
import { runMigrate } from '../runtime/services/migrate.js';

const HELP = `Usage: caio migrate [--hive-dir D] [--dry-run] [--mode M] [--env-file F]

Copies the embedded state (D/caio.db: records, context, counters, one-time claims, lock fences) into
the Redis at REDIS_URL, under STATE_REDIS_PREFIX / CONTEXT_REDIS_PREFIX. Idempotent: entries Redis
already holds are skipped, so a second run migrates nothing new. Counts are verified after the copy.
Prints {"ok", "dry_run", "source", "migrated", "skipped", "verified", "errors"} as JSON.

Flags:
  --hive-dir D    folder holding caio.db (default: HIVE_DIR)
  --dry-run       report what would be copied; write nothing
  --mode M        development | staging | production (default: CAIO_MODE)
  --env-file F    env file; its values override the environment

Exit codes: 0 ok, 1 an entry failed to copy or verify (or Redis is unreachable), 2 usage or configuration error.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      hiveDir: { type: 'string' },
      dryRun: { type: 'boolean' },
      mode: { type: 'string', choices: MODES },
      envFile: { type: 'string' },
    },
    'migrate',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const { config } = loadCommandConfig(ctx, flags);
  const summary = await runMigrate({
    config,
    hiveDir: resolve(ctx.cwd, flags.hiveDir ?? config.HIVE_DIR),
    dryRun: flags.dryRun,
  });
  writeLine(ctx.stdout, redact(JSON.stringify(summary, null, 2), secretsOf(config)));
  return summary.ok ? 0 : 1;
}

function secretsOf(config: Config): string[] {
  const secrets = secretValues(config);
  try {
    const password = config.REDIS_URL ? new URL(config.REDIS_URL).password : '';
    if (password) secrets.push(decodeURIComponent(password), password);
  } catch {
    // An unparsable URL was refused by the config schema already.
  }
  return secrets;
}
