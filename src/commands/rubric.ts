import { resolve } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { writeJson, writeLine } from '../cli/output.js';
import {
  calibrate,
  createRubric,
  decisionOf,
  formatPercent,
  type CalibrationReport,
  type Decision,
} from '../runtime/domain/rubric/index.js';
import { UsageError, type ExitCode } from '../runtime/errors.js';
import {
  defaultGoldenSetDir,
  loadRubricConfig,
  rubricConfigPath,
} from '../runtime/services/rubric-config.js';
import { openRuntime } from './queue.js';

const HELP = `Usage: caio rubric calibrate [--since DATE] [--golden-set DIR] [--json] [--env-file F] [--mode M]

Compares the rubric, as rubric.json configures it now, with what reviewers decided in the approval
queue: approved drafts the rubric would fail, rejected drafts it would pass, and rejected categories
it missed. Prints the verdict agreement, agreement per category and per rule, and the draft ids
behind every number, so the head of sales can tune rubric.json on evidence (loosen or switch off a
rule that fires on approved drafts: "rules" in rubric.json; add titles, patterns or facts for what
it misses), then check the change with \`caio replay\`.

Flags:
  --since DATE       only decisions made on or after DATE (YYYY-MM-DD or an ISO time)
  --golden-set DIR   the golden set whose rubric.json is calibrated (default: the project's golden-set/)
  --json             print the report as JSON
  --mode M           development | staging | production (default: CAIO_MODE)
  --env-file F       env file to read (values override the environment)

Exit codes: 0 report printed, 2 usage or configuration error.`;

/** "2026-11-01" or an ISO time -> a canonical ISO timestamp. */
export function parseSince(value: string): string {
  const trimmed = value.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const ms = Date.parse(dateOnly ? `${trimmed}T00:00:00Z` : trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || Number.isNaN(ms)) {
    throw new UsageError(
      `--since must be a date such as 2026-11-01 (got "${value}")`,
      'Use --since YYYY-MM-DD.',
    );
  }
  return new Date(ms).toISOString();
}

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags, input } = parseArgs(
    ctx.argv,
    {
      since: { type: 'string' },
      goldenSet: { type: 'string' },
      json: { type: 'boolean' },
      mode: { type: 'string' },
      envFile: { type: 'string' },
    },
    'rubric',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  if (input[0] !== 'calibrate') {
    throw new UsageError(
      input[0] ? `Unknown subcommand "rubric ${input[0]}"` : 'Missing subcommand',
      'Use: caio rubric calibrate [--since DATE] [--json].',
    );
  }
  const since = flags.since === undefined ? undefined : parseSince(flags.since);
  const goldenSetDir = resolve(ctx.cwd, flags.goldenSet ?? defaultGoldenSetDir());
  const rubric = createRubric(loadRubricConfig(goldenSetDir));
  const runtime = await openRuntime(ctx, { envFile: flags.envFile, mode: flags.mode });
  let decisions: Decision[];
  try {
    decisions = (await runtime.queue.list())
      .map(decisionOf)
      .filter((decision): decision is Decision => decision !== null);
  } finally {
    await runtime.close();
  }
  const report = calibrate(decisions, rubric, { since });
  if (flags.json) {
    writeJson(ctx.stdout, { rubric: rubricConfigPath(goldenSetDir), ...report });
    return 0;
  }
  printCalibration((text = '') => writeLine(ctx.stdout, text), report, rubricConfigPath(goldenSetDir));
  return 0;
}

const MAX_LISTED = 10;

function ids(list: readonly string[]): string {
  const shown = list.slice(0, MAX_LISTED).join(', ');
  return list.length > MAX_LISTED ? `${shown} (+${list.length - MAX_LISTED} more)` : shown;
}

function printCalibration(
  line: (text?: string) => void,
  report: CalibrationReport,
  rubricPath: string,
): void {
  line(
    `Rubric calibration: ${report.decided} decided drafts${report.since ? ` since ${report.since}` : ''} (${report.approved} approved, ${report.rejected} rejected)`,
  );
  line(`Rubric: ${rubricPath}`);
  if (report.decided === 0) {
    line(
      'Nothing to compare yet: approve or reject drafts in the queue (caio queue approve|reject), then run this again.',
    );
    return;
  }
  line(
    `Verdict agreement: ${formatPercent(report.verdict_agreement)} (${report.agreeing}/${report.decided})`,
  );
  const list = (title: string, items: CalibrationReport['approved_would_fail']) => {
    line('');
    line(`${title}: ${items.length}`);
    for (const item of items.slice(0, MAX_LISTED)) {
      const rubric = item.verdict === 'pass' ? 'pass' : `fail [${item.categories.join(', ')}]`;
      line(
        `  - ${item.id} (${item.reviewer}; rubric ${rubric})${item.rules.length > 0 ? `: ${item.rules.join(', ')}` : ''}`,
      );
    }
    if (items.length > MAX_LISTED) line(`  ... and ${items.length - MAX_LISTED} more (--json lists all)`);
  };
  list('Approved drafts the rubric would fail', report.approved_would_fail);
  list('Rejected drafts the rubric would pass', report.rejected_would_pass);
  list('Rejected categories the rubric missed', report.rejected_category_missed);
  if (report.other_rejections.length > 0) {
    line(
      `Rejections outside the rubric's categories: ${report.other_rejections.map((r) => `${r.id} (${r.category})`).join(', ')}`,
    );
  }
  line('');
  line('Agreement by category (rejected for it | caught | missed | false alarms on other drafts):');
  for (const category of report.categories) {
    const detail = [
      category.missed.length > 0 ? `missed: ${ids(category.missed)}` : '',
      category.false_alarms.length > 0 ? `false alarms: ${ids(category.false_alarms)}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    line(
      `  ${category.category.padEnd(16)} ${formatPercent(category.agreement).padStart(6)}  ${category.expected} | ${category.caught.length} | ${category.missed.length} | ${category.false_alarms.length}${detail ? `  ${detail}` : ''}`,
    );
  }
  line('');
  line('Agreement by rule (share of its findings on drafts rejected for its category):');
  for (const rule of report.rules) {
    const agreement = rule.agreement === null ? '-' : formatPercent(rule.agreement);
    line(
      `  ${`${rule.rule} (${rule.effect})`.padEnd(44)} ${agreement.padStart(6)}  fired ${rule.fired}: ${rule.on_rejected_same_category.length} rejected for ${rule.category}, ${rule.on_rejected_other.length} rejected for another reason, ${rule.on_approved.length} approved`,
    );
    if (rule.effect === 'fail' && rule.on_approved.length > 0) {
      line(`      disagrees: fails drafts reviewers approved: ${ids(rule.on_approved)}`);
    }
  }
  const loud = report.rules.filter((rule) => rule.effect === 'fail' && rule.on_approved.length > 0);
  line('');
  line(
    loud.length > 0
      ? `Next: review ${loud.map((rule) => rule.rule).join(', ')} in ${rubricPath} (loosen it, or set it to "advise" under "rules"), then run caio replay.`
      : 'Next: no failing rule fired on an approved draft; check the missed categories above, then run caio replay.',
  );
}
