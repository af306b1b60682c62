import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { writeJson, writeLine } from '../cli/output.js';
import { MODES } from '../runtime/config.js';
import { UsageError, type ExitCode } from '../runtime/errors.js';
import type { Batch } from '../runtime/domain/gatekeeper/batch.js';
import { countByReason } from '../runtime/domain/gatekeeper/selection.js';
import { batchJson, previewRefusal, writeBatchText } from './batch.js';
import { openRuntime, resolveActor } from './queue.js';

const HELP = `Usage: caio outbound --motion outbound|inbound|all (--dry-run|--live) [--json]

An outbound run over the approved drafts of a motion.
  --dry-run   prints what would be batched and excluded (with counts and the preview hash);
              changes nothing and stores nothing
  --live      creates the Gatekeeper batch for the HoS to execute (\`caio batch execute ID --hash H\`).
              With GATEKEEPER_TWO_PERSON_RULE=true the person who triggers may not execute it.

Flags:
  --motion M       outbound | inbound | all (required)
  --by NAME        who triggers (default: $CAIO_OPERATOR, else your OS user name)
  --json           print the result as JSON
  --mode M         development | staging | production (default: CAIO_MODE)
  --env-file F     env file; its values override the environment

Exit codes: 0 done, 2 usage or configuration error.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      motion: { type: 'string', choices: ['outbound', 'inbound', 'all'] },
      dryRun: { type: 'boolean' },
      live: { type: 'boolean' },
      by: { type: 'string' },
      json: { type: 'boolean' },
      mode: { type: 'string', choices: MODES },
      envFile: { type: 'string' },
    },
    'outbound',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  if (!flags.motion)
    throw new UsageError('Missing --motion for `caio outbound`', 'Use --motion outbound, inbound or all.');
  if (flags.dryRun === flags.live) {
    throw new UsageError('Choose exactly one of --dry-run or --live', 'See `caio outbound --help`.');
  }
  const motion = flags.motion as 'outbound' | 'inbound' | 'all';
  const runtime = await openRuntime(ctx, flags);
  try {
    const actor = resolveActor(flags.by, ctx.env);
    let batch: Batch;
    try {
      batch = await runtime.gatekeeper.preview({ motion }, actor, {
        persist: flags.live,
        triggeredBy: flags.live ? actor : null,
      });
    } catch (error) {
      return previewRefusal(ctx, flags.json, error);
    }
    const counts = {
      items: batch.items.length,
      excluded: batch.excluded.length,
      excluded_by_reason: countByReason(batch.excluded),
    };
    if (flags.json) {
      const { id, expires_at, ...rest } = batchJson(batch);
      writeJson(
        ctx.stdout,
        flags.live
          ? { dry_run: false, motion, counts, id, expires_at, ...rest, triggered_by: actor }
          : { dry_run: true, motion, counts, ...rest },
      );
      return 0;
    }
    writeLine(
      ctx.stdout,
      flags.live
        ? `Outbound run (${motion}) created a Gatekeeper batch:`
        : `Outbound dry run (${motion}): nothing was changed.`,
    );
    if (flags.live) writeBatchText(ctx, batch, Date.now(), true);
    else {
      writeLine(
        ctx.stdout,
        `Would batch ${counts.items} draft(s), exclude ${counts.excluded}; mode ${batch.mode}; preview hash ${batch.hash}`,
      );
      for (const item of batch.items)
        writeLine(ctx.stdout, `  + ${item.draft_id}  ${item.email} — ${item.subject}`);
      for (const ex of batch.excluded)
        writeLine(ctx.stdout, `  - ${ex.draft_id}  ${ex.reason}: ${ex.detail}`);
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
