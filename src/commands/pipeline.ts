import type { Readable } from 'node:stream';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { writeJson, writeLine } from '../cli/output.js';
import { MODES } from '../runtime/config.js';
import { RefusedError, UsageError, type ExitCode } from '../runtime/errors.js';
import type { PipelineReport } from '../runtime/domain/pipeline/draft.js';
import { TEMPLATE_TOKENS } from '../runtime/domain/pipeline/template.js';
import { createPipeline } from '../runtime/services/pipeline-wiring.js';
import { jsonRefusal, openRuntime, resolveActor } from './queue.js';

const HELP = `Usage: caio pipeline run [--mode M] [--source rb2b|clay|all] [--limit N] [--yes] [--json]

Turns stored leads (RB2B visitors and Clay rows from the webhooks) into drafts: enrichment from what
is known about each lead (visited pages, Clay columns, earlier events), a draft from the segment's
template (<golden-set>/templates/<segment>.md, else default.md), rubric findings, then \`pending\` in
the queue for review (\`caio queue list\`, or the console's Queue screen).

A lead is drafted once per motion (RB2B visitors: inbound; Clay rows: outbound): a rerun drafts only
new leads. Skipped leads are counted by reason: no_email, suppressed, already_sent,
already_sent_external, already_drafted, no_template, unresolved_token. A template with an unknown
token stops the run before anything is drafted.

In production the run asks for confirmation: pass --yes, or pipe it: echo yes | caio pipeline run --mode production

Flags:
  --source S       rb2b | clay | all (default all)
  --limit N        draft at most N leads this run
  --yes            confirm a production run without asking
  --by NAME        who runs it, for the audit trail (default: $CAIO_OPERATOR, else your OS user name)
  --golden-set DIR read templates from DIR/templates (default: the project's golden-set)
  --json           print the report as JSON
  --mode M         development | staging | production (default: CAIO_MODE)
  --env-file F     env file; its values override the environment

Template tokens:
${Object.entries(TEMPLATE_TOKENS)
  .map(([name, what]) => `  {{${name}}}`.padEnd(19) + what)
  .join('\n')}

Exit codes: 0 done; 1 refused (not confirmed, another run in progress);
2 usage or configuration error (an unusable template).`;

/** First line of a piped stdin, or a typed answer on a terminal; bounded to 1 KiB. */
export async function readAnswer(stdin: Readable | undefined, prompt: () => void): Promise<string> {
  if (!stdin) return '';
  if ((stdin as { isTTY?: boolean }).isTTY) prompt();
  return new Promise((resolve) => {
    let text = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.off('end', finish);
      stdin.off('error', finish);
      stdin.pause();
      resolve((text.split(/\r?\n/)[0] ?? '').trim());
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('\n') || text.length > 1024) finish();
    };
    stdin.on('data', onData);
    stdin.once('end', finish);
    stdin.once('error', finish);
    stdin.resume();
  });
}

function writeReport(ctx: CommandContext, report: PipelineReport): void {
  writeLine(
    ctx.stdout,
    `Pipeline (${report.mode}, source ${report.source}): ${report.drafted} drafted from ${report.considered} lead(s).`,
  );
  for (const [status, n] of Object.entries(report.by_status)) writeLine(ctx.stdout, `  ${status}: ${n}`);
  const skipped = Object.entries(report.skipped);
  if (skipped.length > 0) {
    writeLine(ctx.stdout, `Skipped: ${skipped.map(([reason, n]) => `${reason} ${n}`).join(', ')}`);
    for (const example of report.skipped_examples.slice(0, 10))
      writeLine(ctx.stdout, `  - ${example.email}  ${example.reason}: ${example.detail}`);
  }
  if (report.drafted > 0)
    writeLine(ctx.stdout, 'Next: review them with `caio queue list --status pending` or in the console.');
}

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(
    ctx.argv,
    {
      source: { type: 'string', choices: ['rb2b', 'clay', 'all'] },
      limit: { type: 'number' },
      yes: { type: 'boolean' },
      by: { type: 'string' },
      goldenSet: { type: 'string' },
      json: { type: 'boolean' },
      mode: { type: 'string', choices: MODES },
      envFile: { type: 'string' },
    },
    'pipeline',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const [sub, ...rest] = input;
  if (sub !== 'run' || rest.length > 0)
    throw new UsageError(
      sub === undefined
        ? 'Missing subcommand for `caio pipeline`'
        : `Unknown subcommand "${input.join(' ')}"`,
      'Use `caio pipeline run`; see `caio pipeline --help`.',
    );
  if (flags.limit !== undefined && (!Number.isInteger(flags.limit) || flags.limit < 0))
    throw new UsageError(
      `--limit must be a whole number >= 0, got ${flags.limit}`,
      'For example --limit 100.',
    );
  const actor = resolveActor(flags.by, ctx.env);
  const runtime = await openRuntime(ctx, flags);
  try {
    const mode = runtime.config.CAIO_MODE;
    const pipeline = createPipeline({
      state: runtime.state,
      record: runtime.record,
      leads: runtime.leads,
      queue: runtime.queue,
      webhooks: runtime.webhooks,
      audit: runtime.audit,
      traces: runtime.traces,
      goldenSetDir: flags.goldenSet,
    });
    // Templates first: an unusable one stops the run before anything is asked or drafted.
    pipeline.checkTemplates();
    if (mode === 'production' && !flags.yes) {
      const answer = await readAnswer(ctx.stdin, () =>
        ctx.stderr.write('This drafts leads into the production queue. Type yes to continue: '),
      );
      if (answer.toLowerCase() !== 'yes') {
        return jsonRefusal(
          ctx,
          flags.json,
          new RefusedError(
            'Production pipeline run not confirmed; nothing was drafted',
            'not_confirmed',
            'Pass --yes, or pipe the answer: echo yes | caio pipeline run --mode production',
          ),
        );
      }
    }
    const tty = Boolean((ctx.stderr as { isTTY?: boolean }).isTTY) && !flags.json;
    let shown = 0;
    const report = await pipeline
      .run({
        mode,
        source: (flags.source ?? 'all') as 'rb2b' | 'clay' | 'all',
        limit: flags.limit,
        actor,
        ...(tty
          ? {
              onProgress: (done: number, total: number) => {
                if (done !== total && done - shown < 50) return;
                shown = done;
                ctx.stderr.write(`\rDrafting ${done}/${total}${done === total ? '\n' : ''}`);
              },
            }
          : {}),
      })
      .catch((error: unknown) => jsonRefusal(ctx, flags.json, error));
    if (typeof report === 'number') return report;
    if (flags.json) writeJson(ctx.stdout, report);
    else writeReport(ctx, report);
    return 0;
  } finally {
    await runtime.close();
  }
}
