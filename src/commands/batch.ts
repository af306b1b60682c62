import { parseArgs, requireFlag } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { writeJson, writeLine } from '../cli/output.js';
import { MODES } from '../runtime/config.js';
import { UsageError, type ExitCode } from '../runtime/errors.js';
import { batchView, type Batch } from '../runtime/domain/gatekeeper/batch.js';
import { shortHash } from '../runtime/domain/gatekeeper/hash.js';
import { cliNextStep } from '../cli/hints.js';
import { EmptyPreviewError } from '../runtime/services/gatekeeper.js';
import { jsonRefusal, openRuntime, resolveActor } from './queue.js';

const HELP = `Usage: caio batch <subcommand> [flags]

Gatekeeper batches: a preview freezes what would be sent behind a hash; executing needs
that hash, before the batch expires, exactly once.

Subcommands:
  preview [--motion M] [--ids a,b]   build a batch from approved drafts (motion: outbound|inbound|all)
  execute ID --hash H [--resume]     send exactly the previewed items; --resume continues a run that
                                     was interrupted (sends only what is left, never twice)
  list                               batches, newest first
  show ID                            one batch with its items, exclusions and outcomes
  ramp [--graduate --confirm] [--incident NOTE]
                                     ramp tier, today's allowance, clean days; graduate (audited)

Flags:
  --by NAME        who acts (default: $CAIO_OPERATOR, else your OS user name)
  --json           print the result as JSON
  --mode M         development | staging | production (default: CAIO_MODE)
  --env-file F     env file; its values override the environment

A preview with nothing to send (no approved drafts, or every one excluded: suppressed, already
contacted, over the ramp, not whitelisted) stores no batch, lists the exclusions and exits 1; with
--json it prints {ok: false, code: "empty_preview", message, next_step, counts, excluded}.

Exit codes: 0 done; 1 refused (nothing to send, wrong hash, expired, already executed, items
changed, lock held, unknown id); 2 usage or configuration error.`;

const FLAGS = {
  motion: { type: 'string', choices: ['outbound', 'inbound', 'all'] },
  ids: { type: 'string' },
  hash: { type: 'string' },
  resume: { type: 'boolean' },
  graduate: { type: 'boolean' },
  confirm: { type: 'boolean' },
  incident: { type: 'string' },
  note: { type: 'string' },
  by: { type: 'string' },
  json: { type: 'boolean' },
  mode: { type: 'string', choices: MODES },
  envFile: { type: 'string' },
} as const;

/** The JSON shape of SPEC 8: {id, hash, expires_at, mode, items, excluded}. */
export const batchJson = batchView;

export function writeBatchText(ctx: CommandContext, batch: Batch, now: number, stored: boolean): void {
  const minutes = Math.max(0, Math.round((Date.parse(batch.expires_at) - now) / 60_000));
  writeLine(
    ctx.stdout,
    `Batch ${batch.id}  mode: ${batch.mode}  items: ${batch.items.length}  excluded: ${batch.excluded.length}`,
  );
  writeLine(ctx.stdout, `Hash: ${batch.hash}  (${shortHash(batch.hash)})`);
  if (stored) writeLine(ctx.stdout, `Expires: ${batch.expires_at} (in ${minutes} min)`);
  writeLine(
    ctx.stdout,
    `Ramp: tier ${batch.ramp.tier}, ${batch.ramp.remaining_today} of ${batch.ramp.daily_limit} sends left today`,
  );
  for (const item of batch.items)
    writeLine(ctx.stdout, `  + ${item.draft_id}  ${item.email} — ${item.subject}`);
  for (const ex of batch.excluded) writeLine(ctx.stdout, `  - ${ex.draft_id}  ${ex.reason}: ${ex.detail}`);
  if (stored && batch.items.length > 0) {
    writeLine(ctx.stdout, `Execute with: caio batch execute ${batch.id} --hash ${batch.hash}`);
  }
}

/**
 * A preview that stored nothing: with --json one document (the refusal's `ok`, `code`, `message`,
 * `next_step`, plus the mode, the counts and every exclusion), else the exclusions on stdout and the
 * error with its next step on stderr. Exit 1 (refused).
 */
export function previewRefusal(ctx: CommandContext, json: boolean | undefined, error: unknown): ExitCode {
  if (!(error instanceof EmptyPreviewError)) return jsonRefusal(ctx, json ?? false, error);
  if (json) {
    writeJson(ctx.stdout, {
      ok: false,
      code: error.code,
      message: error.message,
      next_step: cliNextStep(error) ?? null,
      mode: error.mode,
      counts: error.counts,
      excluded: error.excluded,
    });
    return error.exitCode;
  }
  for (const ex of error.excluded) writeLine(ctx.stdout, `  - ${ex.draft_id}  ${ex.reason}: ${ex.detail}`);
  throw error;
}

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(ctx.argv, FLAGS, 'batch');
  const [sub, ...args] = input;
  if (flags.help || sub === undefined) {
    writeLine(ctx.stdout, HELP);
    return flags.help ? 0 : 2;
  }
  const known = ['preview', 'execute', 'list', 'show', 'ramp'];
  if (!known.includes(sub)) {
    throw new UsageError(
      `Unknown subcommand "batch ${sub}"`,
      `Use one of: ${known.join(', ')}. See \`caio batch --help\`.`,
    );
  }
  if ((sub === 'execute' || sub === 'show') && !args[0]) {
    throw new UsageError(`Missing batch ID for \`caio batch ${sub}\``, 'Find ids with `caio batch list`.');
  }
  if (sub === 'execute') requireFlag(flags.hash, 'hash', 'batch execute');
  const ids = flags.ids
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (flags.ids !== undefined && (!ids || ids.length === 0))
    throw new UsageError('--ids needs at least one draft id');
  if (ids && flags.motion) throw new UsageError('Use --motion or --ids, not both');

  const runtime = await openRuntime(ctx, flags);
  try {
    const { gatekeeper } = runtime;
    switch (sub) {
      case 'preview': {
        const actor = resolveActor(flags.by, ctx.env);
        let batch: Batch;
        try {
          batch = await gatekeeper.preview(
            ids ? { ids } : { motion: (flags.motion as 'outbound' | 'inbound' | 'all') ?? 'all' },
            actor,
          );
        } catch (error) {
          return previewRefusal(ctx, flags.json, error);
        }
        if (flags.json) writeJson(ctx.stdout, batchJson(batch));
        else writeBatchText(ctx, batch, Date.now(), true);
        return 0;
      }
      case 'execute': {
        const actor = resolveActor(flags.by, ctx.env);
        try {
          const result = await gatekeeper.execute(args[0]!, flags.hash!, actor, { resume: flags.resume });
          if (flags.json) writeJson(ctx.stdout, { ok: true, ...result });
          else {
            const c = result.counts;
            writeLine(
              ctx.stdout,
              `Executed batch ${result.batch_id} in ${gatekeeper.mode} mode: ${c.sent} sent, ${c.failed} failed, ${c.skipped} skipped, ${c.unknown} unknown`,
            );
            for (const item of result.items.filter((i) => i.status !== 'sent')) {
              writeLine(ctx.stdout, `  ${item.status} ${item.draft_id}: ${item.detail ?? ''}`);
            }
          }
          return 0;
        } catch (error) {
          return jsonRefusal(ctx, flags.json, error);
        }
      }
      case 'list': {
        const batches = await gatekeeper.list();
        if (flags.json) {
          writeJson(ctx.stdout, batches);
          return 0;
        }
        if (batches.length === 0) {
          writeLine(ctx.stdout, 'No batches. Create one with `caio batch preview`.');
          return 0;
        }
        for (const b of batches) {
          const counts = b.run ? `  sent ${b.run.counts.sent}, failed ${b.run.counts.failed}` : '';
          writeLine(
            ctx.stdout,
            `${b.id}  ${b.status.padEnd(9)}  ${b.mode.padEnd(9)}  items ${String(b.items).padEnd(4)} excluded ${String(b.excluded).padEnd(4)} hash ${b.hash}  expires ${b.expires_at}  by ${b.previewed_by}${counts}`,
          );
        }
        return 0;
      }
      case 'show': {
        const detail = await gatekeeper.get(args[0]!);
        if (flags.json) {
          writeJson(ctx.stdout, {
            ...batchJson(detail.batch),
            status: detail.status,
            run: detail.run,
            outcomes: detail.sent.map((r) => ({
              draft_id: r.draft_id,
              status: r.status,
              detail: r.detail,
              at: r.updated_at,
            })),
          });
          return 0;
        }
        writeLine(ctx.stdout, `Status: ${detail.status}`);
        writeBatchText(ctx, detail.batch, Date.now(), detail.status === 'previewed');
        for (const r of detail.sent)
          writeLine(ctx.stdout, `  = ${r.draft_id}  ${r.status}${r.detail ? `: ${r.detail}` : ''}`);
        return 0;
      }
      case 'ramp': {
        let status = await gatekeeper.ramp();
        try {
          if (flags.incident)
            status = await gatekeeper.recordIncident(resolveActor(flags.by, ctx.env), flags.incident);
          if (flags.graduate)
            status = await gatekeeper.graduate(
              resolveActor(flags.by, ctx.env),
              flags.confirm,
              flags.note ?? null,
            );
        } catch (error) {
          return jsonRefusal(ctx, flags.json, error);
        }
        if (flags.json) writeJson(ctx.stdout, status);
        else {
          writeLine(
            ctx.stdout,
            `Ramp tier ${status.tier}: ${status.daily_limit} sends/day, ${status.sent_today} sent today, ${status.remaining_today} left`,
          );
          writeLine(
            ctx.stdout,
            `Clean supervised days: ${status.clean_days} of ${status.required_clean_days}`,
          );
          writeLine(
            ctx.stdout,
            status.eligible_to_graduate
              ? `Eligible to graduate to ${status.next_daily_limit} sends/day: caio batch ramp --graduate --confirm`
              : `Not eligible to graduate: ${status.blockers.join('; ')}`,
          );
        }
        return 0;
      }
      default:
        throw new UsageError(`Unknown subcommand "batch ${sub}"`);
    }
  } finally {
    await runtime.close();
  }
}
