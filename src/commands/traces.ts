import { join, resolve } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeLine } from '../cli/output.js';
import { MODES, secretValues, traceArchivePath, traceFilePath } from '../runtime/config.js';
import { UsageError, UserError, errorMessage, isUserError, type ExitCode } from '../runtime/errors.js';
import { redact } from '../runtime/mask.js';
import {
  listTraceArchive,
  pruneTraces,
  tailTraces,
  traceStats,
  type TraceEnvelope,
  type TraceStats,
} from '../runtime/services/traces.js';

const HELP = `Usage: caio traces tail [-n N] [--status S] [--correlation-id ID] [--json]
       caio traces prune [--days N] [--dry-run] [--json]
       caio traces stats [--json]
       caio traces archive list [--json]

Trace envelopes: one JSON line per tool call in TRACE_ENVELOPE_FILE
(default HIVE_DIR/traces/tool_trace_envelopes.jsonl).

  tail    the last envelopes, oldest first, optionally filtered
  prune   move envelopes older than --days (default TRACE_RETENTION_DAYS) into the archive
          (HIVE_DIR/traces/archive/YYYY-MM-DD.jsonl.gz, one file per day), then drop them from the
          live file; atomic, and lines other processes append meanwhile are kept
  archive list
          the archive's day files with their sizes (ship the folder to object storage with your
          own tool, e.g. \`aws s3 sync\` or \`rclone copy\`)
  stats   count, by status, by tool, oldest/newest, file size

Flags:
  -n, --lines N          envelopes to show with tail (default 20)
  --status S             only this status (success, error, blocked, skipped)
  --correlation-id ID    only this correlation id
  --days N               retention for prune
  --dry-run              prune: count what would be dropped, change nothing
  --json                 print the result as JSON
  --file F               trace file (default: TRACE_ENVELOPE_FILE)
  --env-file F           env file to read (default: ./.env if present)
  --mode M               development | staging | production

Exit codes: 0 done, 2 bad flags or configuration.`;

const SUBCOMMANDS = ['tail', 'prune', 'stats', 'archive'] as const;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(
    ctx.argv,
    {
      lines: { type: 'number', shortFlag: 'n', default: 20 },
      status: { type: 'string' },
      correlationId: { type: 'string' },
      days: { type: 'number' },
      dryRun: { type: 'boolean' },
      json: { type: 'boolean' },
      file: { type: 'string' },
      envFile: { type: 'string' },
      mode: { type: 'string', choices: MODES },
    },
    'traces',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const sub = input[0];
  const arity = sub === 'archive' ? 2 : 1;
  if (
    !sub ||
    !(SUBCOMMANDS as readonly string[]).includes(sub) ||
    input.length !== arity ||
    (sub === 'archive' && input[1] !== 'list')
  ) {
    throw new UsageError(
      sub ? `Unknown traces command "${input.join(' ')}"` : 'Missing traces command',
      'Use `caio traces tail`, `prune`, `stats` or `archive list` (see --help).',
    );
  }
  const lines = flags.lines ?? 20;
  if (!Number.isInteger(lines) || lines < 1)
    throw new UsageError('-n must be a positive whole number', 'For example `caio traces tail -n 50`.');
  if (flags.days !== undefined && (!Number.isInteger(flags.days) || flags.days < 1)) {
    throw new UsageError(
      '--days must be a positive whole number',
      'For example `caio traces prune --days 30 --dry-run`; without --days it uses TRACE_RETENTION_DAYS.',
    );
  }

  const { config } = loadCommandConfig(ctx, flags);
  const file = resolve(ctx.cwd, flags.file ?? traceFilePath(config));
  const secrets = secretValues(config);
  const out = (text: string) => writeLine(ctx.stdout, redact(text, secrets));
  const json = (value: unknown) => out(JSON.stringify(value, null, 2));

  try {
    const archiveDir = resolve(ctx.cwd, traceArchivePath(config));
    return await runSub(
      sub as (typeof SUBCOMMANDS)[number],
      file,
      archiveDir,
      flags,
      config.TRACE_RETENTION_DAYS,
      {
        out,
        json,
        stderr: (text) => writeLine(ctx.stderr, text),
      },
    );
  } catch (error) {
    if (isUserError(error)) throw error;
    throw new UserError(`Cannot ${sub} ${file}: ${errorMessage(error)}`, {
      exitCode: 1,
      code: 'traces_io',
      nextStep: 'Check that the file and its folder exist and are readable and writable by this user.',
    });
  }
}

interface Printers {
  out: (text: string) => void;
  json: (value: unknown) => void;
  stderr: (text: string) => void;
}

interface TraceFlags {
  lines: number | undefined;
  status: string | undefined;
  correlationId: string | undefined;
  days: number | undefined;
  dryRun: boolean;
  json: boolean;
}

async function runSub(
  sub: (typeof SUBCOMMANDS)[number],
  file: string,
  archiveDir: string,
  flags: TraceFlags,
  retentionDays: number,
  { out, json, stderr }: Printers,
): Promise<ExitCode> {
  const lines = flags.lines ?? 20;
  if (sub === 'tail') {
    const { envelopes, malformed } = await tailTraces(file, {
      limit: lines,
      status: flags.status,
      correlationId: flags.correlationId,
    });
    if (flags.json) json(envelopes);
    else {
      if (envelopes.length === 0)
        out(`No trace envelopes${flags.status || flags.correlationId ? ' match' : ''} in ${file}.`);
      for (const envelope of envelopes) out(formatEnvelope(envelope));
      if (malformed > 0) stderr(`(${malformed} unreadable lines skipped)`);
    }
    return 0;
  }
  if (sub === 'prune') {
    const days = flags.days ?? retentionDays;
    const result = await pruneTraces(file, days, Date.now(), { dryRun: flags.dryRun, archiveDir });
    if (flags.json) json({ days, ...result });
    else {
      const verb = result.dry_run ? 'would drop' : 'dropped';
      out(
        `${result.dry_run ? 'Dry run: ' : ''}${verb} ${result.dropped} envelopes older than ${days} days (before ${result.cutoff}), kept ${result.kept}${result.malformed > 0 ? ` (${result.malformed} unreadable lines kept)` : ''}`,
      );
      if (!result.dry_run) {
        out(`${file}: ${formatBytes(result.bytes_before)} -> ${formatBytes(result.bytes_after)}`);
      }
      for (const [name, n] of Object.entries(result.archived))
        out(`  ${result.dry_run ? 'would archive' : 'archived'} ${n} to ${join(result.archive_dir, name)}`);
    }
    return 0;
  }
  if (sub === 'archive') {
    const files = listTraceArchive(archiveDir);
    if (flags.json) json({ archive_dir: archiveDir, files });
    else if (files.length === 0)
      out(`No archived traces yet in ${archiveDir} (\`caio traces prune\` moves expired envelopes there).`);
    else {
      out(`Archived traces in ${archiveDir}:`);
      for (const f of files) out(`  ${f.day}.jsonl.gz  ${formatBytes(f.bytes)}  modified ${f.modified_at}`);
    }
    return 0;
  }
  const stats = await traceStats(file);
  if (flags.json) json(stats);
  else printStats(out, stats);
  return 0;
}

function formatEnvelope(envelope: TraceEnvelope): string {
  const error = envelope.error_code ? `  ${envelope.error_code}: ${envelope.error_message ?? ''}` : '';
  return [
    envelope.ts,
    envelope.status.padEnd(7),
    envelope.tool_name,
    `${envelope.duration_ms}ms`,
    `cid=${envelope.correlation_id}`,
    envelope.case_id ? `case=${envelope.case_id}` : '',
  ]
    .filter((part) => part !== '')
    .join('  ')
    .concat(error);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function printStats(out: (text: string) => void, stats: TraceStats): void {
  if (!stats.exists) {
    out(`No trace file yet: ${stats.file}`);
    return;
  }
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([key, n]) => `${key} ${n}`)
      .join(', ') || '-';
  out(`File:       ${stats.file} (${formatBytes(stats.size_bytes)})`);
  out(`Envelopes:  ${stats.count}${stats.malformed > 0 ? ` (+${stats.malformed} unreadable lines)` : ''}`);
  out(`Oldest:     ${stats.oldest ?? '-'}`);
  out(`Newest:     ${stats.newest ?? '-'}`);
  out(`By status:  ${counts(stats.by_status)}`);
  out(`By tool:    ${counts(stats.by_tool)}`);
}
