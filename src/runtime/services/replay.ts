/**
 * The replay gate (SPEC 9): read a golden set (`cases/*.json` + `rubric.json`), run every case
 * through the rubric, judge it, compare with the previous stored run and store this one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  createRubric,
  goldenCaseSchema,
  replayCases,
  type GoldenCase,
  type RubricConfig,
  type ReplaySummary,
} from '../domain/rubric/index.js';
import { RefusedError, UserError, errorMessage } from '../errors.js';
import type { ReplayBaseline, ReplayRun, ReplayRunInput, ReplayStore } from '../stores/replay-store.js';
import { defaultGoldenSetDir, loadRubricConfig, rubricConfigPath } from './rubric-config.js';

export interface GoldenSet {
  dir: string;
  /** The tuning split, `cases/`: rule changes are checked against it. */
  cases: GoldenCase[];
  /** The held-out split, `holdout/` (optional): never used to tune the rules. */
  holdout: GoldenCase[];
  config: RubricConfig;
  /** Where the rubric came from: the folder's rubric.json or the built-in defaults. */
  rubricSource: 'rubric.json' | 'defaults';
  /** SHA-256 of the case files of each split (names and contents) and of the effective rubric. */
  hashes: { cases: string; holdout: string | null; rubric: string };
}

interface CaseFolder {
  cases: GoldenCase[];
  hash: string;
}

function readCaseFolder(casesDir: string, required: boolean): CaseFolder | null {
  let files: string[];
  try {
    if (!statSync(casesDir).isDirectory()) throw new Error('not a folder');
    files = readdirSync(casesDir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (error) {
    if (!required) return null;
    throw new UserError(`No golden-set cases folder at ${casesDir} (${errorMessage(error)})`, {
      nextStep: 'Point --golden-set at a folder holding cases/<id>.json (and optionally rubric.json).',
      code: 'golden_set_missing',
    });
  }
  if (files.length === 0) {
    if (!required) return null;
    throw new UserError(`The golden set ${casesDir} has no case files`, {
      nextStep: 'Add cases as cases/<id>.json (see docs/rubric.md for the schema).',
      code: 'golden_set_empty',
    });
  }
  const problems: string[] = [];
  const cases: GoldenCase[] = [];
  const seen = new Set<string>();
  const digest = createHash('sha256');
  for (const file of files) {
    const path = join(casesDir, file);
    let raw: unknown;
    try {
      const text = readFileSync(path, 'utf8');
      digest.update(`${file}\n${createHash('sha256').update(text).digest('hex')}\n`);
      raw = JSON.parse(text);
    } catch (error) {
      problems.push(`${file}: ${errorMessage(error)}`);
      continue;
    }
    const parsed = goldenCaseSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      problems.push(
        `${file}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
      );
      continue;
    }
    if (`${parsed.data.id}.json` !== file) {
      problems.push(
        `${file}: id "${parsed.data.id}" does not match the file name ${basename(file, '.json')}`,
      );
      continue;
    }
    if (seen.has(parsed.data.id)) problems.push(`${file}: duplicate id "${parsed.data.id}"`);
    seen.add(parsed.data.id);
    cases.push(parsed.data);
  }
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new UserError(
      `Invalid golden-set case files in ${casesDir}: ${problems.slice(0, 5).join('; ')}${more}`,
      {
        nextStep: 'Fix the listed files; every case needs id, segment, lead, context, draft and expected.',
        code: 'golden_set_invalid',
      },
    );
  }
  return { cases, hash: digest.digest('hex') };
}

export function loadGoldenSet(goldenSetDir: string = defaultGoldenSetDir()): GoldenSet {
  const dir = resolve(goldenSetDir);
  const tuning = readCaseFolder(join(dir, 'cases'), true) as CaseFolder;
  const holdout = readCaseFolder(join(dir, 'holdout'), false);
  const clash = holdout?.cases.find((golden) => tuning.cases.some((other) => other.id === golden.id));
  if (clash) {
    throw new UserError(`Case id "${clash.id}" is in both cases/ and holdout/ of ${dir}`, {
      nextStep: 'A case belongs to one split: rename or remove one of the two files.',
      code: 'golden_set_invalid',
    });
  }
  const config = loadRubricConfig(dir);
  return {
    dir,
    cases: tuning.cases,
    holdout: holdout?.cases ?? [],
    config,
    rubricSource: existsSync(rubricConfigPath(dir)) ? 'rubric.json' : 'defaults',
    hashes: {
      cases: tuning.hash,
      holdout: holdout?.hash ?? null,
      rubric: createHash('sha256').update(JSON.stringify(config)).digest('hex'),
    },
  };
}

export interface ReplayComparison {
  ran_at: string;
  pass_rate: number;
  /** This run's pass rate minus the previous one's. */
  delta: number;
  drop: boolean;
  /** Cases failing now that did not fail in the previous run. */
  new_failures: string[];
  /** Cases that failed in the previous run and pass now. */
  fixed: string[];
}

/** The held-out split's figures: reported apart, never tuned on. */
export interface HoldoutReport {
  total: number;
  passed: number;
  pass_rate: number;
  failures: ReplaySummary['failures'];
  critical_failures: ReplaySummary['critical_failures'];
  agreement: ReplaySummary['agreement'];
}

export interface BaselineComparison {
  run_id: number;
  ran_at: string;
  promoted_at: string;
  promoted_by: string;
  pass_rate: number;
  /** This run's tuning pass rate minus the baseline's. */
  delta: number;
  holdout_pass_rate: number | null;
  holdout_delta: number | null;
  /** The case files or the rubric differ from the baseline's (null: the baseline predates hashes). */
  cases_changed: boolean | null;
  holdout_changed: boolean | null;
  rubric_changed: boolean | null;
  new_failures: string[];
  fixed: string[];
  holdout_new_failures: string[];
  holdout_fixed: string[];
}

export interface ReplayReport extends ReplaySummary {
  golden_set: string;
  rubric: 'rubric.json' | 'defaults';
  ran_at: string;
  previous: ReplayComparison | null;
  stored_run_id: number | null;
  /** The held-out split (`holdout/`), or null when the golden set has none. */
  holdout: HoldoutReport | null;
  hashes: GoldenSet['hashes'];
  baseline: BaselineComparison | null;
  /** Set when this run was promoted to baseline (`--promote-baseline`). */
  promoted: { promoted_at: string; promoted_by: string } | null;
}

export interface ReplayOptions {
  goldenSetDir?: string | undefined;
  minPassRate: number;
  /** Where runs are stored and compared; without it the run is neither compared nor stored. */
  store?: ReplayStore | undefined;
  now?: () => Date;
  /** Promote this run to the baseline of its golden set, on behalf of this person (refused when blocked). */
  promoteBy?: string | undefined;
  /** Who runs it (stored with the run): an operator, `scheduler`, `release-ritual`. */
  ranBy?: string | undefined;
}

export function compareRuns(current: ReplaySummary, previous: ReplayRun): ReplayComparison {
  const failing = current.failures.map((failure) => failure.id);
  const delta = Math.round((current.pass_rate - previous.pass_rate) * 10_000) / 10_000;
  return {
    ran_at: previous.ran_at,
    pass_rate: previous.pass_rate,
    delta,
    drop: delta < 0,
    new_failures: failing.filter((id) => !previous.failed_ids.includes(id)),
    fixed: previous.failed_ids.filter((id) => !failing.includes(id)),
  };
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

export function compareWithBaseline(
  current: ReplaySummary,
  holdout: HoldoutReport | null,
  hashes: GoldenSet['hashes'],
  baseline: ReplayBaseline,
): BaselineComparison {
  const { run } = baseline;
  const failing = current.failures.map((failure) => failure.id);
  const holdoutFailing = holdout?.failures.map((failure) => failure.id) ?? [];
  const baseHoldoutFailed = run.holdout_failed_ids ?? [];
  const baseHoldoutRate =
    run.holdout_total && run.holdout_passed !== null && run.holdout_passed !== undefined
      ? round4(run.holdout_passed / run.holdout_total)
      : null;
  const changed = (now: string | null, then: string | null | undefined) =>
    then === null || then === undefined ? null : now !== then;
  return {
    run_id: run.id,
    ran_at: run.ran_at,
    promoted_at: baseline.promoted_at,
    promoted_by: baseline.promoted_by,
    pass_rate: run.pass_rate,
    delta: round4(current.pass_rate - run.pass_rate),
    holdout_pass_rate: baseHoldoutRate,
    holdout_delta: holdout && baseHoldoutRate !== null ? round4(holdout.pass_rate - baseHoldoutRate) : null,
    cases_changed: changed(hashes.cases, run.cases_hash),
    holdout_changed: changed(hashes.holdout, run.holdout_hash),
    rubric_changed: changed(hashes.rubric, run.rubric_hash),
    new_failures: failing.filter((id) => !run.failed_ids.includes(id)),
    fixed: run.failed_ids.filter((id) => !failing.includes(id)),
    holdout_new_failures: holdoutFailing.filter((id) => !baseHoldoutFailed.includes(id)),
    holdout_fixed: baseHoldoutFailed.filter((id) => !holdoutFailing.includes(id)),
  };
}

export async function runReplay(options: ReplayOptions): Promise<ReplayReport> {
  const golden = loadGoldenSet(options.goldenSetDir);
  const rubric = createRubric(golden.config);
  const tuning = replayCases(golden.cases, rubric, options.minPassRate);
  const held = golden.holdout.length > 0 ? replayCases(golden.holdout, rubric, options.minPassRate) : null;
  const holdout: HoldoutReport | null = held
    ? {
        total: held.total,
        passed: held.passed,
        pass_rate: held.pass_rate,
        failures: held.failures,
        critical_failures: held.critical_failures,
        agreement: held.agreement,
      }
    : null;
  // A critical miss blocks wherever it is found; the rate threshold applies to the tuning split.
  const blockReasons = [...tuning.block_reasons];
  if (holdout && holdout.critical_failures.length > 0) {
    blockReasons.push(
      `${holdout.critical_failures.length} critical failure${holdout.critical_failures.length > 1 ? 's' : ''} in the held-out set (${holdout.critical_failures.map((failure) => failure.id).join(', ')})`,
    );
  }
  const summary: ReplaySummary = {
    ...tuning,
    block_reasons: blockReasons,
    block_build: blockReasons.length > 0,
  };
  if (options.promoteBy !== undefined && summary.block_build) {
    throw new RefusedError(
      `This run cannot become the baseline: the build is blocked (${blockReasons.join('; ')})`,
      'replay_baseline_blocked',
      'Fix the rubric or the cases until `caio replay` passes, then promote again.',
    );
  }
  const ranAt = (options.now?.() ?? new Date()).toISOString();
  const store = options.store;
  const [previousRun, baseline] = store
    ? await Promise.all([store.latest(golden.dir), store.baseline(golden.dir)])
    : [undefined, undefined];
  const input: ReplayRunInput = {
    ran_at: ranAt,
    ran_by: options.promoteBy ?? options.ranBy ?? 'unknown',
    golden_set: golden.dir,
    total: summary.total,
    passed: summary.passed,
    pass_rate: summary.pass_rate,
    threshold: summary.threshold,
    block_build: summary.block_build,
    critical_count: summary.critical_failures.length + (holdout?.critical_failures.length ?? 0),
    failed_ids: summary.failures.map((failure) => failure.id),
    cases_hash: golden.hashes.cases,
    holdout_hash: golden.hashes.holdout,
    rubric_hash: golden.hashes.rubric,
    holdout_total: holdout?.total ?? null,
    holdout_passed: holdout?.passed ?? null,
    holdout_failed_ids: holdout?.failures.map((failure) => failure.id) ?? [],
  };
  let stored: ReplayRun | undefined;
  let promoted: ReplayBaseline | undefined;
  if (store && options.promoteBy !== undefined) {
    promoted = await store.recordPromoted(input, options.promoteBy);
    stored = promoted.run;
  } else if (store) {
    stored = await store.record(input);
  }
  return {
    ...summary,
    golden_set: golden.dir,
    rubric: golden.rubricSource,
    ran_at: ranAt,
    previous: previousRun ? compareRuns(summary, previousRun) : null,
    stored_run_id: stored?.id ?? null,
    holdout,
    hashes: golden.hashes,
    baseline: baseline ? compareWithBaseline(summary, holdout, golden.hashes, baseline) : null,
    promoted: promoted ? { promoted_at: promoted.promoted_at, promoted_by: promoted.promoted_by } : null,
  };
}

/** The runtime's replay service: the weekly Inngest job, `/api/operator/status` and the scorecard use it. */
export interface ReplayService {
  /** Run the gate on the configured golden set and store the run (`ranBy` default: `scheduler`). */
  runGate(options?: { goldenSetDir?: string; minPassRate?: number; ranBy?: string }): Promise<ReplayReport>;
  /** The newest stored run (any golden set). */
  last(): Promise<ReplayRun | undefined>;
  /** Stored runs, newest first; `since`/`until` are ISO timestamps. */
  history(options?: {
    limit?: number;
    since?: string;
    until?: string;
    goldenSet?: string;
  }): Promise<ReplayRun[]>;
}

export interface ReplayServiceDeps {
  store: ReplayStore;
  minPassRate: number;
  goldenSetDir?: string | undefined;
  now?: (() => number) | undefined;
}

export function createReplayService(deps: ReplayServiceDeps): ReplayService {
  return {
    async runGate(options = {}) {
      return runReplay({
        goldenSetDir: options.goldenSetDir ?? deps.goldenSetDir,
        minPassRate: options.minPassRate ?? deps.minPassRate,
        store: deps.store,
        ranBy: options.ranBy ?? 'scheduler',
        now: () => new Date(deps.now ? deps.now() : Date.now()),
      });
    },
    last: () => deps.store.latest(),
    history: (options) => deps.store.list(options),
  };
}
