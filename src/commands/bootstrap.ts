import { resolve } from 'node:path';
import { parseArgs, requireFlag } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { writeJson, writeLine } from '../cli/output.js';
import { MODES, resolveMode } from '../runtime/config.js';
import type { ExitCode } from '../runtime/errors.js';
import { bootstrapEnvFile } from '../runtime/tasks/bootstrap.js';
import { exampleValues } from '../runtime/services/load-env.js';
import { projectRoot } from './project-root.js';

const HELP = `Usage: caio bootstrap --mode M --env-file F [--redis-url U] [--inngest-signing-key K]
                      [--inngest-event-key K] [--rotate-token] [--validate] [--check-connections] [--json]

Creates or updates the env file: sets CAIO_MODE and the reliability keys with the mode's defaults
(REDIS_REQUIRED, INNGEST_REQUIRED and DASHBOARD_AUTH_STRICT are forced to true in production), keeps
every other line and comment, writes atomically with mode 0600 and keeps a timestamped backup.
Generates DASHBOARD_AUTH_TOKEN when it is missing or a placeholder. Prints the changed keys, masked.

Flags:
  --mode M                  development | staging | production (required)
  --env-file F              the env file to create or update (required)
  --redis-url U             set REDIS_URL
  --inngest-signing-key K   set INNGEST_SIGNING_KEY (signkey-<env>-<hex>)
  --inngest-event-key K     set INNGEST_EVENT_KEY
  --rotate-token            replace DASHBOARD_AUTH_TOKEN with a new one
  --validate                run caio validate on the result
  --check-connections       run caio validate --check-connections on the result
  --json                    print the changes as JSON

Exit codes: 0 written (and valid when asked), 1 validation failed, 2 bad flags or unreadable file.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      mode: { type: 'string', choices: MODES },
      envFile: { type: 'string' },
      redisUrl: { type: 'string' },
      inngestSigningKey: { type: 'string' },
      inngestEventKey: { type: 'string' },
      rotateToken: { type: 'boolean' },
      validate: { type: 'boolean' },
      checkConnections: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    'bootstrap',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const mode = resolveMode({}, requireFlag(flags.mode, 'mode', 'bootstrap'));
  const path = resolve(ctx.cwd, requireFlag(flags.envFile, 'env-file', 'bootstrap'));
  const result = bootstrapEnvFile({
    path,
    mode,
    redisUrl: flags.redisUrl,
    inngestSigningKey: flags.inngestSigningKey,
    inngestEventKey: flags.inngestEventKey,
    rotateToken: flags.rotateToken,
    exampleValues: exampleValues(projectRoot()),
  });

  if (flags.json) {
    writeJson(ctx.stdout, result);
  } else {
    const verb = result.created ? 'Created' : result.changes.length > 0 ? 'Updated' : 'Unchanged:';
    writeLine(ctx.stdout, `${verb} ${path}${result.backup ? ` (backup: ${result.backup})` : ''}`);
    const width = Math.max(0, ...result.changes.map((change) => change.key.length));
    for (const change of result.changes) {
      writeLine(ctx.stdout, `  ${change.key.padEnd(width)}  ${change.before} -> ${change.after}`);
    }
    if (result.changes.length === 0) writeLine(ctx.stdout, '  no keys changed');
    if (result.tokenGenerated) {
      writeLine(
        ctx.stdout,
        'A new DASHBOARD_AUTH_TOKEN was written: deploy it and give it to operators through your secret store.',
      );
    }
  }

  if (flags.validate || flags.checkConnections) {
    writeLine(ctx.stdout, '');
    const validate = await import('./validate.js');
    const argv = [
      '--mode',
      mode,
      '--env-file',
      path,
      ...(flags.checkConnections ? ['--check-connections'] : []),
    ];
    return validate.run({ ...ctx, argv: flags.json ? [...argv, '--json'] : argv });
  }
  return 0;
}
