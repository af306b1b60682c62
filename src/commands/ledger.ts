import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { writeJson, writeLine } from '../cli/output.js';
import { fetchGhlTaggedEmails } from '../runtime/adapters/ghl-contacts.js';
import { MODES } from '../runtime/config.js';
import { UsageError, UserError, errorMessage, type ExitCode } from '../runtime/errors.js';
import { externalSendsOverRecord, type ImportSentReport } from '../runtime/tasks/external-sends.js';
import { openRuntime, resolveActor } from './queue.js';

const HELP = `Usage: caio ledger import-sent FILE [--source ghl] [--dry-run] [--json]
       caio ledger import-sent --source ghl --fetch --tag TAG [--dry-run] [--json]

Records addresses already contacted outside CAIO (a GHL or other CRM export). Each one is excluded
from every Gatekeeper preview as \`already_sent_external\`, a new draft for it enters the queue
suppressed, and \`caio pipeline run\` skips it. An address already suppressed or already mailed
through CAIO is counted as already excluded and keeps its reason. Importing the same file again
records nothing new.

FILE is CSV with a header naming an email column (email, Email Address, contact_email, ...) or JSONL
with an email field per line. Bad rows are reported by line number; the good rows are still recorded.

With GHL_MODE=live, --fetch reads the contacts carrying --tag TAG from the GHL API instead of a file.

Flags:
  --source S       where the addresses come from (default ghl); shown in the audit trail
  --fetch          read from the GHL API (GHL_MODE=live, GHL_API_KEY, GHL_LOCATION_ID)
  --tag TAG        with --fetch: the GHL tag that marks contacted leads
  --dry-run        report what would be recorded; change nothing
  --by NAME        who imports (default: $CAIO_OPERATOR, else your OS user name)
  --json           print the report as JSON
  --mode M         development | staging | production (default: CAIO_MODE)
  --env-file F     env file; its values override the environment

Exit codes: 0 recorded (bad rows are reported, not fatal); 1 every row was bad;
2 usage or configuration error, unreadable file.`;

function writeReport(ctx: CommandContext, report: ImportSentReport): void {
  const verb = report.dry_run ? 'would record' : 'recorded';
  writeLine(
    ctx.stdout,
    `Import of externally sent addresses (${report.source}, ${report.format}): ${report.rows} address(es); ${verb} ${report.added} new, ${report.known} already recorded, ${report.already_excluded} already excluded for another reason.`,
  );
  if (report.repeated_in_file > 0)
    writeLine(ctx.stdout, `  ${report.repeated_in_file} repeated row(s) counted once`);
  for (const error of report.errors.slice(0, 20))
    writeLine(ctx.stdout, `  line ${error.line}: ${error.reason}`);
  if (report.errors.length > 20)
    writeLine(ctx.stdout, `  ... and ${report.errors.length - 20} more bad row(s)`);
  if (!report.dry_run && report.added > 0)
    writeLine(
      ctx.stdout,
      'Next: `caio outbound --motion all --dry-run` shows them excluded as already_sent_external.',
    );
}

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(
    ctx.argv,
    {
      source: { type: 'string' },
      fetch: { type: 'boolean' },
      tag: { type: 'string' },
      dryRun: { type: 'boolean' },
      by: { type: 'string' },
      json: { type: 'boolean' },
      mode: { type: 'string', choices: MODES },
      envFile: { type: 'string' },
    },
    'ledger',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const [sub, file, ...rest] = input;
  if (sub !== 'import-sent' || rest.length > 0)
    throw new UsageError(
      sub === undefined ? 'Missing subcommand for `caio ledger`' : `Unknown subcommand "${input.join(' ')}"`,
      'Use `caio ledger import-sent FILE`; see `caio ledger --help`.',
    );
  const source = (flags.source ?? 'ghl').trim();
  if (!/^[a-z0-9_-]{1,40}$/i.test(source))
    throw new UsageError(
      `--source "${source}" is not a plain name`,
      'Use letters, digits, - or _ (e.g. --source ghl).',
    );
  if (flags.fetch && file)
    throw new UsageError('Give either FILE or --fetch, not both', 'See `caio ledger --help`.');
  if (!flags.fetch && !file)
    throw new UsageError(
      'Missing FILE for `caio ledger import-sent`',
      'Pass a CSV or JSONL export, or --fetch with GHL_MODE=live.',
    );
  if (flags.fetch && !flags.tag)
    throw new UsageError('--fetch needs --tag TAG', 'Name the GHL tag that marks contacted leads.');
  let text: string | undefined;
  if (file) {
    try {
      text = readFileSync(resolve(ctx.cwd, file), 'utf8');
    } catch (error) {
      throw new UserError(`Cannot read ${file}: ${errorMessage(error)}`, {
        code: 'file_unreadable',
        nextStep: 'Check the path; export the sent contacts as CSV or JSONL.',
      });
    }
  }
  const actor = resolveActor(flags.by, ctx.env);
  const runtime = await openRuntime(ctx, flags);
  try {
    const sends = externalSendsOverRecord(runtime.record);
    let report: ImportSentReport;
    if (text !== undefined) report = await sends.importText(text, source, actor, { dryRun: flags.dryRun });
    else {
      const { config } = runtime;
      if (config.GHL_MODE !== 'live' || !config.GHL_API_KEY || !config.GHL_LOCATION_ID)
        throw new UserError('--fetch needs GHL_MODE=live with GHL_API_KEY and GHL_LOCATION_ID', {
          code: 'config_invalid',
          nextStep: 'Set them in your env file, or import an exported file instead.',
        });
      const fetched = await fetchGhlTaggedEmails(
        { apiKey: config.GHL_API_KEY, baseUrl: config.GHL_BASE_URL, locationId: config.GHL_LOCATION_ID },
        flags.tag as string,
      ).catch((error: unknown) => {
        throw new UserError(`GHL contacts fetch failed: ${errorMessage(error)}`, {
          exitCode: 1,
          code: 'dependency_unavailable',
          nextStep: 'Check GHL_API_KEY and GHL_BASE_URL, or import an exported file instead.',
        });
      });
      report = await sends.importAddresses(fetched.emails, source, actor, { dryRun: flags.dryRun });
    }
    if (flags.json) writeJson(ctx.stdout, report);
    else writeReport(ctx, report);
    return report.rows === 0 && report.errors.length > 0 ? 1 : 0;
  } finally {
    await runtime.close();
  }
}
