/** `caio operators add|list|revoke|rotate`: who may use the API, with which role (SPEC 12). */
import { resolve } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeJson, writeLine } from '../cli/output.js';
import { MODES } from '../runtime/config.js';
import { ROLES } from '../runtime/domain/operators.js';
import { UsageError, type ExitCode } from '../runtime/errors.js';
import { createOperatorsService, parseRole, type IssuedToken } from '../runtime/services/operators.js';
import { createRecordStore } from '../runtime/stores/record/record.js';
import { resolveActor } from './queue.js';

const HELP = `Usage: caio operators add NAME --role ROLE [--json]
       caio operators list [--json]
       caio operators revoke NAME
       caio operators rotate NAME [--json]

Operators are the people who use the API and a remote console. Each has a role and a token; the
token is printed once, when it is made (add, rotate), and only its SHA-256 is kept in the record.

Roles:
  viewer     reads everything
  reviewer   also approves, rejects and undoes drafts
  approver   also previews and executes batches and controls campaigns
  pto        reads, confirms release steps and signs off the scorecard
  admin      everything

DASHBOARD_AUTH_TOKEN stays the service token with admin rights (probes, smoke, automation).

Flags:
  --role R       ${ROLES.join(' | ')} (add)
  --by NAME      who makes the change, for the audit (default: $CAIO_OPERATOR, else your OS user)
  --json         print the result as JSON ({name, role, token} for add and rotate)
  --env-file F   env file (default ./.env if present)

Exit codes: 0 done, 1 refused (a name taken, no such operator), 2 bad flags or configuration.`;

function printIssued(ctx: CommandContext, issued: IssuedToken, verb: string, json: boolean | undefined) {
  if (json) {
    writeJson(ctx.stdout, issued);
    return;
  }
  writeLine(ctx.stdout, `${verb} ${issued.name} (${issued.role}). Their token, shown this once:`);
  writeLine(ctx.stdout, '');
  writeLine(ctx.stdout, `  ${issued.token}`);
  writeLine(ctx.stdout, '');
  writeLine(
    ctx.stdout,
    `Give it to ${issued.name} privately; they use it as CAIO_TOKEN (or --token) with caio console --remote URL.`,
  );
}

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(
    ctx.argv,
    {
      role: { type: 'string' },
      by: { type: 'string' },
      json: { type: 'boolean' },
      envFile: { type: 'string' },
      mode: { type: 'string', choices: MODES },
    },
    'operators',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const [sub, name, ...rest] = input;
  const needsName = sub === 'add' || sub === 'revoke' || sub === 'rotate';
  if (!sub || !['add', 'list', 'revoke', 'rotate'].includes(sub))
    throw new UsageError(
      sub ? `Unknown subcommand "${sub}"` : 'Missing subcommand for `caio operators`',
      'Use `caio operators add NAME --role ROLE`, `list`, `revoke NAME` or `rotate NAME` (see --help).',
    );
  if (needsName && !name)
    throw new UsageError(`\`caio operators ${sub}\` needs a NAME`, 'See `caio operators --help`.');
  if (rest.length > 0 || (sub === 'list' && name))
    throw new UsageError(`Unexpected arguments: ${[...(sub === 'list' ? [name] : []), ...rest].join(' ')}`);
  const role = sub === 'add' ? parseRole(flags.role) : undefined;
  if (sub === 'add' && !flags.role)
    throw new UsageError('`caio operators add` needs --role', `Use one of: ${ROLES.join(', ')}.`);
  const { config } = loadCommandConfig(ctx, flags);
  const record = await createRecordStore({ ...config, HIVE_DIR: resolve(ctx.cwd, config.HIVE_DIR) });
  try {
    const operators = createOperatorsService({ record });
    const by = () => resolveActor(flags.by, ctx.env);
    switch (sub) {
      case 'add':
        printIssued(
          ctx,
          await operators.add(name as string, role as NonNullable<typeof role>, by()),
          'Added',
          flags.json,
        );
        return 0;
      case 'rotate':
        printIssued(ctx, await operators.rotate(name as string, by()), 'Rotated the token of', flags.json);
        return 0;
      case 'revoke':
        await operators.revoke(name as string, by());
        if (flags.json) writeJson(ctx.stdout, { name, revoked: true });
        else writeLine(ctx.stdout, `Revoked ${name}: their token is refused from now on, on every host.`);
        return 0;
      default: {
        const rows = await operators.list();
        if (flags.json) {
          writeJson(ctx.stdout, rows);
          return 0;
        }
        if (rows.length === 0) {
          writeLine(ctx.stdout, 'No operators yet. Add one: caio operators add NAME --role reviewer');
          return 0;
        }
        const width = Math.max(4, ...rows.map((row) => row.name.length));
        writeLine(ctx.stdout, `${'NAME'.padEnd(width)}  ${'ROLE'.padEnd(8)}  CREATED               STATE`);
        for (const row of rows) {
          const state = row.revoked_at
            ? `revoked ${row.revoked_at}`
            : row.rotated_at
              ? `rotated ${row.rotated_at}`
              : 'active';
          writeLine(
            ctx.stdout,
            `${row.name.padEnd(width)}  ${row.role.padEnd(8)}  ${row.created_at.slice(0, 19)}Z  ${state}`,
          );
        }
        return 0;
      }
    }
  } finally {
    await record.close();
  }
}
