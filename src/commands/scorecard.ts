import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { loadCommandConfig } from '../cli/config.js';
import { writeJson, writeLine } from '../cli/output.js';
import { MODES } from '../runtime/config.js';
import { UsageError, errorMessage, type ExitCode } from '../runtime/errors.js';
import { createReplayStore } from '../runtime/services/replay-store.js';
import { defaultGoldenSetDir } from '../runtime/services/rubric-config.js';
import { createRuntime, type Runtime } from '../runtime/services/runtime.js';
import {
  createScorecardService,
  renderScorecardMarkdown,
  renderScorecardText,
  type ScorecardService,
} from '../runtime/services/scorecard.js';
import { databasePath, openDatabase, type SqliteDatabase } from '../runtime/stores/sqlite/database.js';

const HELP = `Usage: caio scorecard [--week YYYY-Www] [--format text|json|markdown] [--sign-off --by NAME [--note N]]

The weekly scorecard: replay pass rate and trend, groundedness failures, negative-constraint
violations, HoS approval rate, rejections by category, queue aging p95, time to decision, sends,
bounces, replies, scheduler success, the week's release decision and sign-off. A metric this build
or this configuration cannot measure is shown as "unavailable" with the reason, never as 0.

Flags:
  --week W        ISO week such as 2026-W47 (default: the current week, UTC)
  --format F      text (default) | json | markdown
  --json          same as --format json
  --sign-off      record the weekly sign-off in the audit trail (needs --by)
  --by NAME       who signs off
  --note N        a note kept with the sign-off
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
      mode: { type: 'string', choices: MODES },
      envFile: { type: 'string' },
    },
    'scorecard',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  if (flags.signOff && !flags.by)
    throw new UsageError('--sign-off needs --by NAME', 'See `caio scorecard --help`.');
  if (!flags.signOff && (flags.by || flags.note)) {
    throw new UsageError('--by and --note go with --sign-off', 'See `caio scorecard --help`.');
  }
  const { config } = loadCommandConfig(ctx, flags);

  let runtime: Runtime | undefined;
  let db: SqliteDatabase | undefined;
  let service: ScorecardService;
  try {
    runtime = await createRuntime(config);
    service = runtime.scorecard;
  } catch (error) {
    // Without the runtime (e.g. Redis required and down) the stored replay runs still answer.
    const reason = `the runtime did not start: ${errorMessage(error)}`;
    db = openDatabase(databasePath(config.HIVE_DIR));
    service = createScorecardService({
      replays: createReplayStore(db),
      goldenSet: defaultGoldenSetDir(),
      unavailableReason: reason,
    });
  }
  try {
    const card = flags.signOff
      ? await service.signOff({ week: flags.week, by: flags.by ?? '', note: flags.note })
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
    db?.close();
  }
}
