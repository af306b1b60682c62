import { resolve } from 'node:path';
import { parseArgs } from '../cli/args.js';
import type { CommandContext } from '../cli/command.js';
import { makeColors, writeJson, writeLine, type Colors } from '../cli/output.js';
import { formatPercent } from '../runtime/domain/rubric/index.js';
import { UsageError, type ExitCode } from '../runtime/errors.js';
import { loadConfig } from '../runtime/services/load-env.js';
import { secretValues, traceFilePath } from '../runtime/config.js';
import { runReplay, type ReplayReport } from '../runtime/services/replay.js';
import { replaySummary } from '../runtime/services/traced-services.js';
import { createTraceWriter } from '../runtime/services/traces.js';
import { defaultGoldenSetDir } from '../runtime/services/rubric-config.js';
import { printAgreement, printBaseline, printHoldout } from './replay-print.js';
import { resolveActor } from './queue.js';
import { createReplayStore } from '../runtime/stores/replay-store.js';
import { createRecordStore, type RecordStore } from '../runtime/stores/record/record.js';

const HELP = `Usage: caio replay [--golden-set DIR] [--min-pass-rate 0.95] [--json] [--env-file F] [--no-store]
       caio replay --promote-baseline [--by NAME]

Runs every golden case through the rubric. A case passes when the rubric's verdict and categories
equal the expected ones. The tuning split (cases/) and the held-out split (holdout/, cases the rules
are never tuned on) are reported apart, with agreement per category and per rule. Prints
"Pass rate: N% (threshold: M%)" for the tuning split, the failing cases with reasons and
"block_build: true|false". The build is blocked when the tuning pass rate is below the threshold,
or when the rubric let through a groundedness (accuracy) or negative-constraint (compliance)
violation in either split (a critical failure), whatever the rate. Runs are stored in the record
(HIVE_DIR/caio.db, or PostgreSQL at DATABASE_URL) with a hash of the cases and of rubric.json and
who ran them, and compared with the previous run and with the baseline run the PTO promoted.

Flags:
  --golden-set DIR     folder with cases/<id>.json, holdout/<id>.json and rubric.json
                       (default: the project's golden-set/)
  --min-pass-rate R    threshold from 0 to 1 (default: REPLAY_MIN_PASS_RATE, else 0.95)
  --json               print {total, passed, pass_rate, threshold, block_build, failures, critical_failures,
                       agreement, holdout, hashes, baseline, ...}
  --promote-baseline   store this run and make it the baseline later runs are compared with
                       (refused when the build is blocked; audited; earlier baselines are kept)
  --by NAME            who runs or promotes (default: $CAIO_OPERATOR, else the OS user)
  --env-file F         env file to read (values override the environment)
  --no-store           do not store this run (and do not compare it)

Exit codes: 0 gate passed, 1 build blocked or promotion refused, 2 bad flags, unreadable golden set
or rubric.json.`;

export async function run(ctx: CommandContext): Promise<ExitCode> {
  const { flags } = parseArgs(
    ctx.argv,
    {
      goldenSet: { type: 'string' },
      minPassRate: { type: 'number' },
      json: { type: 'boolean' },
      envFile: { type: 'string' },
      store: { type: 'boolean', default: true },
      promoteBaseline: { type: 'boolean' },
      by: { type: 'string' },
    },
    'replay',
  );
  if (flags.help) {
    writeLine(ctx.stdout, HELP);
    return 0;
  }
  const threshold = flags.minPassRate;
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) {
    throw new UsageError(
      `--min-pass-rate must be from 0 to 1 (got ${threshold})`,
      threshold > 1 && threshold <= 100
        ? `Write it as a fraction: --min-pass-rate ${threshold / 100}`
        : undefined,
    );
  }
  if (flags.promoteBaseline && !flags.store) {
    throw new UsageError('--promote-baseline needs a stored run', 'Drop --no-store to promote this run.');
  }
  const promoteBy = flags.promoteBaseline ? resolveActor(flags.by, ctx.env) : undefined;
  const { config } = loadConfig({ cwd: ctx.cwd, processEnv: ctx.env, envFile: flags.envFile });
  const goldenSetDir = flags.goldenSet ?? defaultGoldenSetDir();
  const hiveDir = resolve(ctx.cwd, config.HIVE_DIR);
  const record: RecordStore | undefined = flags.store
    ? await createRecordStore({ HIVE_DIR: hiveDir, DATABASE_URL: config.DATABASE_URL })
    : undefined;
  // A stored run is a state change: it leaves a trace envelope, like the runtime's replay gate.
  const traces = record
    ? createTraceWriter({
        file: traceFilePath({ ...config, HIVE_DIR: hiveDir }),
        enabled: config.TRACE_ENVELOPE_ENABLED,
        secrets: secretValues(config),
        agent: 'caio-cli',
      })
    : undefined;
  let report: ReplayReport;
  try {
    const run = () =>
      runReplay({
        goldenSetDir: resolve(ctx.cwd, goldenSetDir),
        minPassRate: threshold ?? config.REPLAY_MIN_PASS_RATE,
        store: record ? createReplayStore(record) : undefined,
        promoteBy,
        ranBy: promoteBy ?? runner(flags.by, ctx.env),
      });
    report = traces ? await traces.span('replay.run', run, { output: replaySummary }) : await run();
  } finally {
    traces?.close();
    await record?.close();
  }
  if (flags.json) writeJson(ctx.stdout, report);
  else printReport(ctx, report, makeColors(ctx.stdout, ctx.env));
  return report.block_build ? 1 : 0;
}

/** Who a plain run is stored as: --by, else $CAIO_OPERATOR, else the OS user, else `caio-cli`. */
function runner(by: string | undefined, env: NodeJS.ProcessEnv): string {
  try {
    return resolveActor(by, env);
  } catch {
    return 'caio-cli';
  }
}

function printReport(ctx: CommandContext, report: ReplayReport, colors: Colors): void {
  const line = (text = '') => writeLine(ctx.stdout, text);
  line(`Replay gate: ${report.total} cases from ${report.golden_set} (rubric: ${report.rubric})`);
  line(
    `Tuning set (cases/): ${report.total} cases; rubric.json ${report.hashes.rubric.slice(0, 12)}, cases ${report.hashes.cases.slice(0, 12)}`,
  );
  line(`Passed: ${report.passed}/${report.total}`);
  line(`Pass rate: ${formatPercent(report.pass_rate)} (threshold: ${formatPercent(report.threshold)})`);
  line(`Critical failures: ${report.critical_failures.length}`);
  if (report.previous) {
    const { previous } = report;
    const points = Math.round(previous.delta * 1000) / 10;
    const change =
      points === 0
        ? 'no change'
        : points < 0
          ? colors.red(`DROP of ${-points} points`)
          : `up ${points} points`;
    line(`Previous run: ${formatPercent(previous.pass_rate)} at ${previous.ran_at} (${change})`);
    if (previous.new_failures.length > 0) line(`  newly failing: ${previous.new_failures.join(', ')}`);
    if (previous.fixed.length > 0) line(`  fixed since: ${previous.fixed.join(', ')}`);
  } else {
    line('Previous run: none stored for this golden set');
  }
  if (report.failures.length > 0) {
    line('');
    line('Failing cases:');
    const critical = new Set(report.critical_failures.map((failure) => failure.id));
    for (const failure of report.failures) {
      const tag = critical.has(failure.id) ? colors.red(' [CRITICAL]') : '';
      line(`- ${failure.id}${tag}: expected ${describe(failure.expected)}, got ${describe(failure.actual)}`);
      for (const reason of failure.reasons) line(`    ${reason}`);
    }
  }
  printHoldout(line, report, colors);
  printAgreement(line, report);
  printBaseline(line, report, colors);
  line('');
  for (const reason of report.block_reasons) line(`Blocked: ${reason}`);
  line(`block_build: ${report.block_build ? colors.red('true') : colors.green('false')}`);
}

export function describe(outcome: { verdict: string; categories: string[] }): string {
  return outcome.categories.length > 0
    ? `${outcome.verdict} [${outcome.categories.join(', ')}]`
    : outcome.verdict;
}
