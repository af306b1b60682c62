import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeJson, writeLine } from '../cli/output.js';
import { MODES } from '../runtime/config.js';
import { UsageError, errorMessage, type ExitCode } from '../runtime/errors.js';
import { createReplayStore } from '../runtime/stores/replay-store.js';
import { resolveActor } from './queue.js';
import { defaultGoldenSetDir } from '../runtime/services/rubric-config.js';
import { createRuntime, type Runtime } from '../runtime/services/runtime.js';
import {
  createScorecardService,
  renderScorecardMarkdown,
  renderScorecardText,
  resolveWeek,
  type ScorecardService,
} from '../runtime/services/scorecard.js';
import { createRecordStore, type RecordStore } from '../runtime/stores/record/record.js';

const HELP = `Usage: caio scorecard [--week YYYY-Www] [--format text|json|markdown]
       caio scorecard --sign-off [--week YYYY-Www] [--by NAME] [--note N] [--force]

The weekly scorecard: replay pass rate and trend, groundedness failures, negative-constraint
violations, HoS approval rate, rejections by category, queue aging p95, time to decision, sends,
bounces, replies, scheduler success, the week's release decision and sign-off. A metric this build
or this configuration cannot measure is shown as "unavailable" with the reason, never as 0.

The sign-off is the PTO's: only an operator with the pto (or admin) role signs a week off, once.
It is stored in the record with the week's release decision and figures, and audited. A second
sign-off of the same week is refused unless --force is given (the first is kept beside it).

Flags:
  --week W        ISO week such as 2026-W47 (default: the current week, UTC)
  --format F      text (default) | json | markdown
  --json          same as --format json
  --sign-off      sign the week off
  --by NAME       who signs off (default: $CAIO_OPERATOR, else the OS user); must be a pto or admin
                  operator (caio operators add NAME --role pto)
  --note N        a note kept with the sign-off
  --force         sign off a week that is already signed off (audited; the earlier one is kept)
  --mode M        development | staging | production (default: CAIO_MODE)
  --env-file F    env file; its values override the environment

Exit codes: 0 printed (and signed off), 1 sign-off refused, 2 usage or configuration error.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      week: { type: 'string' },
      format: { type: 'string', choices: ['text', 'json', 'markdown'] },
      json: { type: 'boolean' },
      signOff: { type: 'boolean' },
      by: { type: 'string' },
      note: { type: 'string' },
      force: { type: 'boolean' },
      mode: { type: 'string', choices: MODES },
      envFile: { type: 'string' },
    },
    'scorecard',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  if (!flags.signOff && (flags.by || flags.note || flags.force)) {
    throw new UsageError('--by, --note and --force go with --sign-off', 'See `caio scorecard --help`.');
  }
  if (flags.week !== undefined) resolveWeek(flags.week, Date.now());
  const by = flags.signOff ? resolveActor(flags.by, ctx.env) : undefined;
  const { config } = loadCommandConfig(ctx, flags);

  let runtime: Runtime | undefined;
  let record: RecordStore | undefined;
  let service: ScorecardService;
  try {
    runtime = await createRuntime(config);
    service = runtime.scorecard;
  } catch (error) {
    // Without the runtime (e.g. Redis required and down) the record still answers: replay runs,
    // the week's decision and sign-offs.
    const reason = `the runtime did not start: ${errorMessage(error)}`;
    record = await createRecordStore(config);
    service = createScorecardService({
      replays: createReplayStore(record),
      goldenSet: defaultGoldenSetDir(),
      record,
      unavailableReason: reason,
    });
  }
  try {
    const card =
      by !== undefined
        ? await service.signOff({ week: flags.week, by, note: flags.note, force: flags.force })
        : await service.weekly(flags.week);
    const format = flags.json ? 'json' : (flags.format ?? 'text');
    if (format === 'json') writeJson(ctx.stdout, card);
    else
      writeLine(
        ctx.stdout,
        format === 'markdown' ? renderScorecardMarkdown(card) : renderScorecardText(card),
      );
    return 0;
  } finally {
    await runtime?.close();
    await record?.close();
  }
}
