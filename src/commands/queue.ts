import type { Writable } from 'node:stream';
import { cliNextStep } from '../cli/hints.js';
import { userInfo } from 'node:os';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs, requireFlag } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeJson, writeLine } from '../cli/output.js';
import { MODES } from '../runtime/config.js';
import { UsageError, UserError, errorMessage, type ExitCode } from '../runtime/errors.js';
import {
  DRAFT_STATUSES,
  MOTIONS,
  type Draft,
  type DraftStatus,
  type Motion,
} from '../runtime/domain/queue/draft.js';
import { QUEUE_PAGE_MAX_LIMIT, QUEUE_SORTS, type QueueSort } from '../runtime/domain/queue/page.js';
import { createRuntime, type Runtime } from '../runtime/services/runtime.js';
import { fileLines, type ImportProgress, type LineSource } from '../runtime/services/queue-import.js';

const HELP = `Usage: caio queue <subcommand> [flags]

The approval queue.

Subcommands:
  import FILE.jsonl               add drafts, one JSON object per line:
                                  {"id"?, "motion"?, "lead": {"email", ...}, "subject", "body", "context"?}
                                  bad lines are reported with their line number; good lines still land
  list [--status S] [--motion M] [--q TEXT] [--sort age|-age] [--limit N] [--cursor C]
                                  a page of drafts, oldest first (default 50; the footer shows
                                  the total and the --cursor of the next page). --json: every
                                  matching draft as an array; with --limit or --cursor, the page
                                  as {items, next, total}
  approve ID [ID ...]             approve (several ids = bulk approve)
  reject ID --category C [--note N]
                                  reject with a category of the rejection taxonomy
  undo ID                         undo your own decision within the grace period (5 minutes)
  stats                           counts, aging p50/p95/max, SLA breaches, capacity, approval rate

Flags:
  --by NAME        who decides (default: $CAIO_OPERATOR, else your OS user name)
  --json           print the result as JSON
  --mode M         development | staging | production (default: CAIO_MODE)
  --env-file F     env file; its values override the environment

Exit codes: 0 done; 1 refused (capacity, wrong state, unknown id) or a bad import line;
2 usage or configuration error, unreadable file, unknown category.`;

const FLAGS = {
  by: { type: 'string' },
  json: { type: 'boolean' },
  status: { type: 'string', choices: DRAFT_STATUSES },
  motion: { type: 'string', choices: MOTIONS },
  q: { type: 'string' },
  sort: { type: 'string', choices: QUEUE_SORTS },
  limit: { type: 'number' },
  cursor: { type: 'string' },
  category: { type: 'string' },
  note: { type: 'string' },
  mode: { type: 'string', choices: MODES },
  envFile: { type: 'string' },
} as const;

/** Who acts: --by, else $CAIO_OPERATOR, else the OS user name. */
export function resolveActor(by: string | undefined, env: NodeJS.ProcessEnv): string {
  const candidates = [by, env.CAIO_OPERATOR];
  for (const candidate of candidates) if (candidate && candidate.trim() !== '') return candidate.trim();
  try {
    const name = userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry (some containers): fall through.
  }
  throw new UsageError('Cannot tell who is acting', 'Pass --by NAME or set CAIO_OPERATOR.');
}

/** Open the runtime for a one-shot command; always closed by the caller's finally. */
export async function openRuntime(
  ctx: CommandContext,
  flags: { envFile?: string | undefined; mode?: string | undefined },
): Promise<Runtime> {
  const { config } = loadCommandConfig(ctx, flags);
  return createRuntime(config);
}

/** Print a refusal as JSON when --json was asked, else let the CLI print it; returns the exit code. */
export function jsonRefusal(ctx: CommandContext, json: boolean, error: unknown): ExitCode {
  if (!json || !(error instanceof UserError)) throw error;
  writeJson(ctx.stdout, {
    ok: false,
    code: error.code,
    message: error.message,
    next_step: cliNextStep(error) ?? null,
  });
  return error.exitCode;
}

/**
 * Import progress on a terminal: one line redrawn in place (bar, percent, lines, lines/s). Piped, it
 * prints nothing while running: the summary line after it says what happened.
 */
function progressBar(out: Writable): { update(p: ImportProgress): void; done(): void } | undefined {
  const tty = out as NodeJS.WriteStream;
  if (!tty.isTTY) return undefined;
  const started = Date.now();
  let drawn = false;
  return {
    update(p) {
      const width = 30;
      const share = p.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : 0;
      const filled = Math.round(share * width);
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      const rate = Math.round(p.lines / seconds);
      tty.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${p.lines} lines  ${rate} lines/s  ${p.errors} bad\u001b[K`,
      );
      drawn = true;
    },
    done() {
      if (drawn) tty.write('\n');
    },
  };
}

function ageOf(draft: Draft, now: number): string {
  const minutes = Math.max(0, Math.round((now - Date.parse(draft.created_at)) / 60_000));
  return minutes < 120 ? `${minutes}m` : `${Math.round(minutes / 60)}h`;
}

/** The filter flags of a `queue list`, repeated for the next page's command. */
function listFlags(flags: {
  status?: string | undefined;
  motion?: string | undefined;
  q?: string | undefined;
  sort?: string | undefined;
  limit?: number | undefined;
}): string {
  const parts: string[] = [];
  if (flags.status) parts.push(`--status ${flags.status}`);
  if (flags.motion) parts.push(`--motion ${flags.motion}`);
  if (flags.q) parts.push(`--q ${JSON.stringify(flags.q)}`);
  if (flags.sort) parts.push(`--sort ${flags.sort}`);
  if (flags.limit !== undefined) parts.push(`--limit ${flags.limit}`);
  return parts.map((part) => `${part} `).join('');
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(ctx.argv, FLAGS, 'queue');
  const [sub, ...args] = input;
  if (flags.help || sub === undefined) {
    writeLine(ctx.stdout, HELP);
    return flags.help ? 0 : 2;
  }
  const known = ['import', 'list', 'approve', 'reject', 'undo', 'stats'];
  if (!known.includes(sub)) {
    throw new UsageError(
      `Unknown subcommand "queue ${sub}"`,
      `Use one of: ${known.join(', ')}. See \`caio queue --help\`.`,
    );
  }
  // The import file is checked before the runtime opens, but its line stream is only created after:
  // a readline interface reads (and drops) lines while nobody iterates it, so opening a slow record
  // (PostgreSQL) in between left the import waiting forever for lines already gone.
  let openSource: (() => Promise<LineSource>) | undefined;
  if (sub === 'import') {
    const file = args[0];
    if (!file)
      throw new UsageError('Missing FILE for `caio queue import`', 'Usage: caio queue import FILE.jsonl');
    const unreadable = (error: unknown) =>
      new UserError(`Cannot read ${file}: ${errorMessage(error)}`, {
        code: 'file_unreadable',
        nextStep: 'Check the path; the file must be JSON lines (one draft per line).',
      });
    const path = resolve(ctx.cwd, file);
    try {
      await access(path, constants.R_OK);
      if (!(await stat(path)).isFile()) throw new Error('not a file');
    } catch (error) {
      throw unreadable(error);
    }
    openSource = () =>
      fileLines(path).catch((error: unknown) => {
        throw unreadable(error);
      });
  }
  const ids = args;
  if ((sub === 'approve' || sub === 'reject' || sub === 'undo') && ids.length === 0) {
    throw new UsageError(`Missing draft ID for \`caio queue ${sub}\``, 'Find ids with `caio queue list`.');
  }
  if (sub === 'reject') requireFlag(flags.category, 'category', 'queue reject');

  const runtime = await openRuntime(ctx, flags);
  try {
    const { queue } = runtime;
    switch (sub) {
      case 'import': {
        const progress = flags.json ? undefined : progressBar(ctx.stderr);
        const started = Date.now();
        const report = await queue.importStream(await openSource!(), {
          source: 'import',
          ...(progress ? { onProgress: progress.update } : {}),
        });
        progress?.done();
        if (flags.json) writeJson(ctx.stdout, report);
        else {
          const parts = Object.entries(report.by_status).map(([status, n]) => `${status} ${n}`);
          writeLine(
            ctx.stdout,
            `Imported ${report.imported} draft(s)${parts.length ? ` (${parts.join(', ')})` : ''}; ${report.existing} already present; ${report.errors.length} bad line(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
          );
          for (const error of report.errors.slice(0, 20))
            writeLine(ctx.stdout, `  line ${error.line}: ${error.reason}`);
          if (report.errors.length > 20)
            writeLine(ctx.stdout, `  … ${report.errors.length - 20} more (--json lists every one)`);
        }
        return report.errors.length > 0 ? 1 : 0;
      }
      case 'list': {
        const query = {
          ...(flags.status ? { status: flags.status as DraftStatus } : {}),
          ...(flags.motion ? { motion: flags.motion as Motion } : {}),
          ...(flags.q ? { q: flags.q } : {}),
          ...(flags.sort ? { sort: flags.sort as QueueSort } : {}),
        };
        const paged = flags.limit !== undefined || flags.cursor !== undefined;
        if (flags.json && !paged) {
          // Every matching draft as one array (SPEC 7), written page by page.
          let cursor: string | undefined;
          let first = true;
          ctx.stdout.write('[');
          for (;;) {
            const page = await queue.page({
              ...query,
              limit: QUEUE_PAGE_MAX_LIMIT,
              ...(cursor ? { cursor } : {}),
            });
            for (const draft of page.items) {
              ctx.stdout.write(`${first ? '\n' : ',\n'}${JSON.stringify(draft)}`);
              first = false;
            }
            if (page.next === null) break;
            cursor = page.next;
          }
          ctx.stdout.write(first ? ']\n' : '\n]\n');
          return 0;
        }
        const page = await queue.page({
          ...query,
          limit: flags.limit ?? 50,
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
        });
        if (flags.json) {
          writeJson(ctx.stdout, page);
          return 0;
        }
        const drafts = page.items;
        if (page.total === 0) {
          writeLine(ctx.stdout, 'No drafts. Import some with `caio queue import FILE.jsonl`.');
          return 0;
        }
        const now = Date.now();
        const width = Math.max(...drafts.map((d) => d.id.length), 2);
        writeLine(ctx.stdout, `${'ID'.padEnd(width)}  STATUS      AGE   FINDINGS  EMAIL / SUBJECT`);
        for (const d of drafts) {
          const who = d.decided_by
            ? ` [${d.decided_by}${d.rejection ? `: ${d.rejection.category}` : ''}]`
            : '';
          writeLine(
            ctx.stdout,
            `${d.id.padEnd(width)}  ${d.status.padEnd(10)}  ${ageOf(d, now).padEnd(4)}  ${String(d.findings.length).padEnd(8)}  ${d.lead.email} — ${truncate(d.subject, 50)}${who}`,
          );
        }
        writeLine(
          ctx.stdout,
          page.next === null
            ? `${drafts.length} shown of ${page.total} matching.`
            : `${drafts.length} shown of ${page.total} matching. Next page: caio queue list ${listFlags(flags)}--cursor ${page.next}`,
        );
        return 0;
      }
      case 'approve': {
        const actor = resolveActor(flags.by, ctx.env);
        const results = await queue.approveMany(ids, actor);
        if (flags.json) writeJson(ctx.stdout, { actor, results });
        else {
          for (const r of results) {
            writeLine(
              r.ok ? ctx.stdout : ctx.stderr,
              r.ok ? `Approved ${r.id} (by ${actor})` : `Refused ${r.id}: ${r.message}`,
            );
          }
        }
        return results.every((r) => r.ok) ? 0 : 1;
      }
      case 'reject': {
        const actor = resolveActor(flags.by, ctx.env);
        try {
          const draft = await queue.reject(ids[0]!, actor, flags.category!, flags.note ?? null);
          if (flags.json) writeJson(ctx.stdout, draft);
          else writeLine(ctx.stdout, `Rejected ${draft.id} as ${flags.category} (by ${actor})`);
          return 0;
        } catch (error) {
          return jsonRefusal(ctx, flags.json, error);
        }
      }
      case 'undo': {
        const actor = resolveActor(flags.by, ctx.env);
        try {
          const draft = await queue.undo(ids[0]!, actor);
          if (flags.json) writeJson(ctx.stdout, draft);
          else writeLine(ctx.stdout, `Undone: ${draft.id} is pending again`);
          return 0;
        } catch (error) {
          return jsonRefusal(ctx, flags.json, error);
        }
      }
      case 'stats': {
        const m = await queue.metrics();
        if (flags.json) {
          writeJson(ctx.stdout, m);
          return 0;
        }
        const counts = Object.entries(m.counts)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ');
        writeLine(ctx.stdout, `Drafts: ${m.total}${counts ? ` (${counts})` : ''}`);
        writeLine(
          ctx.stdout,
          `Aging (pending): p50 ${m.aging.p50_minutes} min, p95 ${m.aging.p95_minutes} min, max ${m.aging.max_minutes} min`,
        );
        writeLine(ctx.stdout, `SLA ${m.sla.minutes} min: ${m.sla.breaches} breach(es)`);
        const reviewers = m.capacity.reviewers
          .map((r) => `${r.reviewer} ${r.used}/${m.capacity.per_reviewer}`)
          .join(', ');
        writeLine(
          ctx.stdout,
          `Approvals today: ${reviewers || 'none'} (capacity ${m.capacity.per_reviewer} per reviewer)`,
        );
        const rate = (r: { rate: number | null; approved: number; decided: number }) =>
          r.rate === null ? 'n/a' : `${Math.round(r.rate * 100)}% (${r.approved}/${r.decided})`;
        writeLine(
          ctx.stdout,
          `Approval rate: today ${rate(m.approval_rate.day)}, 7 days ${rate(m.approval_rate.week)}`,
        );
        return 0;
      }
      default:
        throw new UsageError(`Unknown subcommand "queue ${sub}"`);
    }
  } finally {
    await runtime.close();
  }
}
