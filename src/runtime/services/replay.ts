/**
 * The replay gate (SPEC 9): read a golden set (`cases/*.json` + `rubric.json`), run every case
 * through the rubric, judge it, compare with the previous stored run and store this one.
 */
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
import { UserError, errorMessage } from '../errors.js';
import type { ReplayRun, ReplayStore } from './replay-store.js';
import { defaultGoldenSetDir, loadRubricConfig, rubricConfigPath } from './rubric-config.js';

export interface GoldenSet {
  dir: string;
  cases: GoldenCase[];
  config: RubricConfig;
  /** Where the rubric came from: the folder's rubric.json or the built-in defaults. */
  rubricSource: 'rubric.json' | 'defaults';
}

export function loadGoldenSet(goldenSetDir: string = defaultGoldenSetDir()): GoldenSet {
  const dir = resolve(goldenSetDir);
  const casesDir = join(dir, 'cases');
  let files: string[];
  try {
    if (!statSync(casesDir).isDirectory()) throw new Error('not a folder');
    files = readdirSync(casesDir)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new UserError(`No golden-set cases folder at ${casesDir} (${errorMessage(error)})`, {
      nextStep: 'Point --golden-set at a folder holding cases/<id>.json (and optionally rubric.json).',
      code: 'golden_set_missing',
    });
  }
  if (files.length === 0) {
    throw new UserError(`The golden set ${casesDir} has no case files`, {
      nextStep: 'Add cases as cases/<id>.json (see docs/rubric.md for the schema).',
      code: 'golden_set_empty',
    });
  }
  const problems: string[] = [];
  const cases: GoldenCase[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const path = join(casesDir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
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
  return {
    dir,
    cases,
    config: loadRubricConfig(dir),
    rubricSource: existsSync(rubricConfigPath(dir)) ? 'rubric.json' : 'defaults',
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

export interface ReplayReport extends ReplaySummary {
  golden_set: string;
  rubric: 'rubric.json' | 'defaults';
  ran_at: string;
  previous: ReplayComparison | null;
  stored_run_id: number | null;
}

export interface ReplayOptions {
  goldenSetDir?: string | undefined;
  minPassRate: number;
  /** Where runs are stored and compared; without it the run is neither compared nor stored. */
  store?: ReplayStore | undefined;
  now?: () => Date;
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

export function runReplay(options: ReplayOptions): ReplayReport {
  const golden = loadGoldenSet(options.goldenSetDir);
  const summary = replayCases(golden.cases, createRubric(golden.config), options.minPassRate);
  const ranAt = (options.now?.() ?? new Date()).toISOString();
  const previousRun = options.store?.latest(golden.dir);
  const stored = options.store?.record({
    ran_at: ranAt,
    golden_set: golden.dir,
    total: summary.total,
    passed: summary.passed,
    pass_rate: summary.pass_rate,
    threshold: summary.threshold,
    block_build: summary.block_build,
    critical_count: summary.critical_failures.length,
    failed_ids: summary.failures.map((failure) => failure.id),
  });
  return {
    ...summary,
    golden_set: golden.dir,
    rubric: golden.rubricSource,
    ran_at: ranAt,
    previous: previousRun ? compareRuns(summary, previousRun) : null,
    stored_run_id: stored?.id ?? null,
  };
}

/** The runtime's replay service: the weekly Inngest job, `/api/operator/status` and the scorecard use it. */
export interface ReplayService {
  /** Run the gate on the configured golden set and store the run. */
  runGate(options?: { goldenSetDir?: string; minPassRate?: number }): Promise<ReplayReport>;
  /** The newest stored run (any golden set). */
  last(): ReplayRun | undefined;
  /** Stored runs, newest first; `since`/`until` are ISO timestamps. */
  history(options?: { limit?: number; since?: string; until?: string; goldenSet?: string }): ReplayRun[];
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
        now: () => new Date(deps.now ? deps.now() : Date.now()),
      });
    },
    last: () => deps.store.latest(),
    history: (options) => deps.store.list(options),
  };
}
