import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { makeColors, writeLine } from '../cli/output.js';
import { MODES, secretValues, type Config } from '../runtime/config.js';
import type { ExitCode } from '../runtime/errors.js';
import { redact } from '../runtime/mask.js';
import { runMigrate, type MigrateProgress, type MigrateSummary } from '../runtime/tasks/migrate.js';

const HELP = `Usage: caio migrate [--hive-dir D] [--dry-run] [--json] [--mode M] [--env-file F]

Moves a one-host installation onto shared stores:
  - with DATABASE_URL: copies the embedded record (D/caio.db: drafts and decisions, batches, the send
    ledger, suppressions, ramp, webhook events, leads, operators, the audit chain, evidence, …) into the
    shared PostgreSQL record, keeping every id; an empty shared record takes the embedded record's id;
    a shared record that already holds another record is refused (nothing is merged);
  - with REDIS_URL (with or without DATABASE_URL): seeds Redis's coordination state from the record:
    the record id registration, the claims of batches that ran, and the embedded coordination
    (D/coordination.db: context, counters, claims, lock fences).
Idempotent: what is already there is skipped, so a second run migrates nothing new. Verified after
the copy: every row is in the shared record, copied rows read back identical, the audit chain verifies
there with the same head hash, every coordination entry is in Redis.

Flags:
  --hive-dir D    folder holding caio.db (default: HIVE_DIR)
  --dry-run       report what would be copied; write nothing
  --json          print {"ok", "migrated", "skipped", "errors", …} as JSON
  --mode M        development | staging | production (default: CAIO_MODE)
  --env-file F    env file; its values override the environment

Exit codes: 0 ok, 1 something failed to copy or verify (or was refused, or Redis is unreachable),
2 usage or configuration error (no DATABASE_URL nor REDIS_URL, DATABASE_URL unreachable, no caio.db).`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      hiveDir: { type: 'string' },
      dryRun: { type: 'boolean' },
      json: { type: 'boolean' },
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
  const bar = !flags.json && isTty(ctx.stderr) ? progressBar(ctx.stderr) : undefined;
  const summary = await runMigrate({
    config,
    hiveDir: resolve(ctx.cwd, flags.hiveDir ?? config.HIVE_DIR),
    dryRun: flags.dryRun,
    ...(bar ? { onProgress: bar.update } : {}),
  }).finally(() => bar?.done());
  const secrets = secretsOf(config);
  if (flags.json) writeLine(ctx.stdout, redact(JSON.stringify(summary, null, 2), secrets));
  else writeLine(ctx.stdout, redact(humanSummary(summary, makeColors(ctx.stdout, ctx.env)), secrets));
  return summary.ok ? 0 : 1;
}

function isTty(stream: Writable): boolean {
  return Boolean((stream as { isTTY?: boolean }).isTTY);
}

/** One line on stderr, redrawn at most every 100 ms: `[#####-----]  48%  drafts  4,800/10,000`. */
function progressBar(stream: Writable) {
  let last = 0;
  let drawn = false;
  return {
    update(progress: MigrateProgress) {
      const now = Date.now();
      if (now - last < 100 && progress.done < progress.total) return;
      last = now;
      const share = progress.total === 0 ? 1 : Math.min(1, progress.done / progress.total);
      const width = 24;
      const filled = Math.round(share * width);
      const label = progress.phase === 'record' ? `record ${progress.table}` : `redis ${progress.step}`;
      stream.write(
        `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${label}  ${progress.done.toLocaleString('en-US')}/${progress.total.toLocaleString('en-US')}\u001b[K`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\u001b[K');
    },
  };
}

function humanSummary(summary: MigrateSummary, colors: ReturnType<typeof makeColors>): string {
  const lines: string[] = [];
  const verb = summary.dry_run ? 'would copy' : 'copied';
  lines.push(
    `${summary.dry_run ? 'Dry run: ' : ''}${summary.source} -> ${summary.target ?? 'the embedded record (no DATABASE_URL)'}` +
      (summary.record_id
        ? `, record ${summary.record_id}${summary.adopted_record_id ? ' (adopted by the shared record)' : ''}`
        : ''),
  );
  const tables = Object.keys(summary.migrated.record);
  if (tables.length > 0) {
    const width = Math.max(...tables.map((table) => table.length), 5);
    lines.push(`  ${'table'.padEnd(width)}  ${verb.padStart(10)}  ${'skipped'.padStart(8)}`);
    for (const table of tables) {
      const diverged = summary.diverged[table];
      lines.push(
        `  ${table.padEnd(width)}  ${String(summary.migrated.record[table] ?? 0).padStart(10)}  ${String(summary.skipped.record[table] ?? 0).padStart(8)}` +
          (diverged ? `  (${diverged} changed in the shared record since; kept)` : ''),
      );
    }
  }
  const m = summary.migrated.redis;
  const s = summary.skipped.redis;
  const records = (tally: typeof m) => Object.values(tally.records).reduce((sum, n) => sum + n, 0);
  lines.push(
    `  redis: record id ${m.record_id ? (summary.dry_run ? 'to register' : 'registered') : s.record_id ? 'already registered' : 'not registered'}; ` +
      `claims ${m.claims} (${s.claims} skipped), context ${m.contexts} (${s.contexts}), counters ${m.counters} (${s.counters}), ` +
      `fences ${m.fences} (${s.fences}), state records ${records(m)} (${records(s)})`,
  );
  for (const note of summary.notes) lines.push(`  note: ${note}`);
  for (const error of summary.errors.slice(0, 20))
    lines.push(`  ${colors.red('ERROR')} ${error.kind}${error.key ? ` ${error.key}` : ''}: ${error.message}`);
  if (summary.errors.length > 20)
    lines.push(`  … and ${summary.errors.length - 20} more (--json lists every one)`);
  if (summary.errors.some((error) => error.kind === 'records_differ'))
    lines.push(
      '  next: point DATABASE_URL at an empty database (or the record this one was copied into); two records are never merged',
    );
  else if (summary.errors.some((error) => error.kind === 'records_not_shared'))
    lines.push(
      '  next: point DATABASE_URL at the record the other hosts on this Redis use (caio status lists them)',
    );
  lines.push(
    summary.ok
      ? `Result: ${colors.green('ok')}`
      : `Result: ${colors.red('FAILED')} (${summary.errors.length} errors)`,
  );
  return lines.join('\n');
}

function secretsOf(config: Config): string[] {
  const secrets = secretValues(config);
  for (const url of [config.REDIS_URL, config.DATABASE_URL]) {
    try {
      const password = url ? new URL(url).password : '';
      if (password) secrets.push(decodeURIComponent(password), password);
    } catch {
      // An unparsable URL was refused by the config schema already.
    }
  }
  return secrets;
}
