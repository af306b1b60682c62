/** `caio webhooks list`: stored webhook events, newest first. */
import { existsSync } from 'node:fs';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeJson, writeLine } from '../cli/output.js';
import { MODES } from '../runtime/config.js';
import { UsageError, type ExitCode } from '../runtime/errors.js';
import { WEBHOOK_SOURCES } from '../runtime/domain/webhooks/sources.js';
import { createRecordStore } from '../runtime/stores/record/record.js';
import { WEBHOOK_STATUSES, type WebhookPage } from '../runtime/stores/record/tables/intake.js';
import { databasePath } from '../runtime/stores/sqlite/database.js';

const HELP = `Usage: caio webhooks list [--status stored|processed|quarantined] [--source S] [--limit N] [--after ID] [--json]

Lists stored webhook events (newest first) from the record (PostgreSQL at DATABASE_URL, else
HIVE_DIR/caio.db): id, time received, source, status, idempotency key and, for quarantined events,
why. One page at a time: the last line names the command for the next page.

Flags:
  --status S     stored | processed | quarantined
  --source S     ${WEBHOOK_SOURCES.join(' | ')}
  --limit N      how many (1-500, default 50)
  --after ID     the page after this id (the "next" of a previous page)
  --json         print {events, next}
  --env-file F   env file (default ./.env if present)

Exit codes: 0 listed, 2 bad flags or configuration.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(
    ctx.argv,
    {
      status: { type: 'string', choices: WEBHOOK_STATUSES },
      source: { type: 'string', choices: WEBHOOK_SOURCES },
      limit: { type: 'number' },
      after: { type: 'number' },
      json: { type: 'boolean' },
      envFile: { type: 'string' },
      mode: { type: 'string', choices: MODES },
    },
    'webhooks',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const [sub, ...rest] = input;
  if (sub !== 'list' || rest.length > 0) {
    throw new UsageError(
      sub === undefined
        ? 'Missing subcommand for `caio webhooks`'
        : `Unknown subcommand "${[sub, ...rest].join(' ')}"`,
      'Use `caio webhooks list [--status quarantined] [--json]`.',
    );
  }
  if (flags.limit !== undefined && (!Number.isInteger(flags.limit) || flags.limit < 1 || flags.limit > 500)) {
    throw new UsageError('--limit must be an integer from 1 to 500', 'See `caio webhooks --help`.');
  }
  const { config } = loadCommandConfig(ctx, flags);
  let page: WebhookPage = { events: [], next: null };
  // Without DATABASE_URL and before the first start there is no record yet: nothing to list.
  if (config.DATABASE_URL || existsSync(databasePath(config.HIVE_DIR))) {
    const record = await createRecordStore(config);
    try {
      page = await record.webhookEvents.list({
        status: flags.status as (typeof WEBHOOK_STATUSES)[number] | undefined,
        source: flags.source,
        limit: flags.limit,
        after: flags.after,
      });
    } finally {
      await record.close();
    }
  }
  if (flags.json) {
    writeJson(ctx.stdout, {
      events: page.events.map(({ id, source, idempotency_key, status, received_at, error }) => ({
        id,
        source,
        idempotency_key,
        status,
        received_at,
        error,
      })),
      next: page.next,
    });
    return 0;
  }
  if (page.events.length === 0) {
    writeLine(ctx.stdout, 'No webhook events match.');
    return 0;
  }
  writeLine(
    ctx.stdout,
    `${'ID'.padEnd(8)} ${'RECEIVED'.padEnd(24)} ${'SOURCE'.padEnd(9)} ${'STATUS'.padEnd(11)} KEY / ERROR`,
  );
  for (const event of page.events) {
    const key =
      event.idempotency_key.length > 28 ? `${event.idempotency_key.slice(0, 27)}…` : event.idempotency_key;
    writeLine(
      ctx.stdout,
      `${String(event.id).padEnd(8)} ${event.received_at.padEnd(24)} ${event.source.padEnd(9)} ${event.status.padEnd(11)} ${key}${event.error ? `  ${event.error}` : ''}`,
    );
  }
  if (page.next !== null) writeLine(ctx.stdout, `More: caio webhooks list --after ${page.next}`);
  return 0;
}
