import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { makeColors, statusColor, writeJson, writeLine } from '../cli/output.js';
import { MODES, resolveMode } from '../runtime/config.js';
import type { ExitCode } from '../runtime/errors.js';
import { exampleValues, loadEnv } from '../runtime/services/load-env.js';
import { runValidate } from '../runtime/tasks/validate.js';
import { projectRoot } from './project-root.js';

const HELP = `Usage: caio validate --mode M --env-file F [--check-connections] [--verify-inngest-route] [--json]

Checks that every key the mode requires is present and well formed, one line per check
(PASS / WARN / FAIL, name, reason, how to fix), then "Result: PASS" or "Result: FAIL".

Flags:
  --mode M                 development | staging | production (default: CAIO_MODE, else development)
  --env-file F             env file to check; its values override the environment (default: ./.env if present)
  --check-connections      also PING Redis, connect to DATABASE_URL and send a signed GET to INNGEST_WEBHOOK_URL
  --verify-inngest-route   boot the app in-process and check the signed /inngest answer
  --json                   print the checks as JSON

Exit codes: 0 PASS, 1 FAIL, 2 missing or unreadable env file, bad flags.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      mode: { type: 'string', choices: MODES },
      envFile: { type: 'string' },
      checkConnections: { type: 'boolean' },
      verifyInngestRoute: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    'validate',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const loaded = loadEnv({ cwd: ctx.cwd, processEnv: ctx.env, envFile: flags.envFile });
  const mode = resolveMode(loaded.env, flags.mode);
  const result = await runValidate({
    env: loaded.env,
    mode,
    exampleValues: exampleValues(projectRoot()),
    checkConnections: flags.checkConnections,
    verifyInngestRoute: flags.verifyInngestRoute,
    verifyRoute: async (env, verifyMode) =>
      (await import('../server/verify-route.js')).verifyInngestRoute(env, verifyMode),
  });

  if (flags.json) {
    writeJson(ctx.stdout, { env_file: loaded.file ?? null, ...result });
  } else {
    const colors = makeColors(ctx.stdout, ctx.env);
    writeLine(
      ctx.stdout,
      `Validating ${mode} configuration${loaded.file ? ` from ${loaded.file}` : ' from the environment'}`,
    );
    const width = Math.max(...result.checks.map((check) => check.name.length));
    for (const check of result.checks) {
      const fix = check.fix ? colors.dim(` — fix: ${check.fix}`) : '';
      writeLine(
        ctx.stdout,
        `${statusColor(colors, check.status).padEnd(4)} ${check.name.padEnd(width)}  ${check.reason}${fix}`,
      );
    }
    const { pass, warn, fail } = result.summary;
    writeLine(ctx.stdout, '');
    writeLine(ctx.stdout, `${pass} passed, ${warn} warnings, ${fail} failed`);
    writeLine(ctx.stdout, `Result: ${statusColor(colors, result.result)}`);
  }
  return result.result === 'PASS' ? 0 : 1;
}
