import { resolve } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { writeJson, writeLine } from '../cli/output.js';
import { UsageError, type ExitCode } from '../runtime/errors.js';
import { addGoldenCase } from '../runtime/tasks/golden.js';
import { defaultGoldenSetDir } from '../runtime/services/rubric-config.js';
import { openRuntime, resolveActor } from './queue.js';

const HELP = `Usage: caio golden add --from-queue ID [--golden-set DIR] [--id CASE_ID] [--segment S] [--by NAME] [--json]

Turns a rejected draft into a golden case (cases/<id>.json): the lead, context, subject and body as
they were reviewed, expected verdict "fail" with the rejection category. Prints what the rubric says
of the case today: when it disagrees, the replay gate will fail on this case until the rubric learns
to catch it. Audited as golden.add.

Flags:
  --from-queue ID   the rejected draft (see: caio queue list --status rejected)
  --golden-set DIR  golden set folder (default: the project's golden-set/)
  --id CASE_ID      case id and file name (default: queue-<draft id>)
  --segment S       segment when the lead record has none
  --by NAME         who adds it (default: $CAIO_OPERATOR, else the OS user)
  --env-file F      env file to read (values override the environment)
  --json            print the case and the rubric's verdict as JSON

Exit codes: 0 added, 1 refused (not rejected, unknown id, case exists), 2 usage error.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(
    ctx.argv,
    {
      fromQueue: { type: 'string' },
      goldenSet: { type: 'string' },
      id: { type: 'string' },
      segment: { type: 'string' },
      by: { type: 'string' },
      envFile: { type: 'string' },
      json: { type: 'boolean' },
    },
    'golden',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  if (input[0] !== 'add') {
    throw new UsageError(
      input[0] ? `Unknown subcommand "golden ${input[0]}"` : 'Missing subcommand',
      'Use: caio golden add --from-queue ID.',
    );
  }
  if (!flags.fromQueue) throw new UsageError('Missing --from-queue ID', 'See `caio golden --help`.');
  const actor = resolveActor(flags.by, ctx.env);
  const runtime = await openRuntime(ctx, { envFile: flags.envFile });
  try {
    const result = await addGoldenCase({
      draft: await runtime.queue.get(flags.fromQueue),
      draftId: flags.fromQueue,
      goldenSetDir: resolve(ctx.cwd, flags.goldenSet ?? defaultGoldenSetDir()),
      caseId: flags.id,
      segment: flags.segment,
      actor,
      audit: runtime.audit,
    });
    if (flags.json) {
      writeJson(ctx.stdout, result);
    } else {
      writeLine(ctx.stdout, `Added golden case ${result.golden.id}: ${result.path}`);
      writeLine(ctx.stdout, `Expected: fail (${result.golden.expected.categories.join(', ')})`);
      writeLine(
        ctx.stdout,
        `Rubric today: ${result.rubric.verdict}${result.rubric.categories.length ? ` (${result.rubric.categories.join(', ')})` : ''}`,
      );
      writeLine(
        ctx.stdout,
        result.caught
          ? 'The rubric already catches it: the case guards against regressions.'
          : 'The rubric does not catch it yet: `caio replay` will report this case until a rule covers it.',
      );
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
