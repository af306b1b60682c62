import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  DEFAULT_RUBRIC_CONFIG,
  caseInput,
  createRubric,
  type GoldenCase,
} from '../../src/runtime/domain/rubric/index.js';
import { isUserError } from '../../src/runtime/errors.js';
import { loadGoldenSet, runReplay } from '../../src/runtime/services/replay.js';
import { createReplayStore } from '../../src/runtime/stores/replay-store.js';
import { defaultGoldenSetDir, loadRubricConfig } from '../../src/runtime/services/rubric-config.js';
import { createRecordStore, type RecordStore } from '../../src/runtime/stores/record/record.js';
import { useTempDir } from '../helpers/temp.js';

const tempDir = useTempDir();
const opened: RecordStore[] = [];
afterEach(async () => {
  for (const record of opened.splice(0)) await record.close();
});

async function store(dir: string) {
  const record = await createRecordStore({ HIVE_DIR: join(dir, 'hive') });
  opened.push(record);
  return createReplayStore(record);
}

/** A copy of the project's golden set with every case passed through `edit`. */
function copyGoldenSet(edit: (golden: GoldenCase) => GoldenCase = (golden) => golden): string {
  const dir = join(tempDir(), 'golden-set');
  mkdirSync(join(dir, 'cases'), { recursive: true });
  cpSync(join(defaultGoldenSetDir(), 'rubric.json'), join(dir, 'rubric.json'));
  for (const golden of loadGoldenSet().cases) {
    writeFileSync(join(dir, 'cases', `${golden.id}.json`), JSON.stringify(edit(structuredClone(golden))));
  }
  return dir;
}

describe('the project golden set', () => {
  const golden = loadGoldenSet();

  it('has at least 50 cases, passes and fails, in every segment of rubric.json', () => {
    expect(golden.rubricSource).toBe('rubric.json');
    expect(golden.cases.length).toBeGreaterThanOrEqual(50);
    const verdicts = new Set(golden.cases.map((c) => c.expected.verdict));
    expect(verdicts).toEqual(new Set(['pass', 'fail']));
    for (const segment of Object.keys(golden.config.segments)) {
      const inSegment = golden.cases.filter((c) => c.segment === segment);
      expect(
        inSegment.some((c) => c.expected.verdict === 'pass'),
        `${segment} pass case`,
      ).toBe(true);
      expect(
        inSegment.some((c) => c.expected.verdict === 'fail'),
        `${segment} fail case`,
      ).toBe(true);
    }
  });

  it('expects every category, and every failing and advice rule fires on at least one case', () => {
    const expected = new Set(golden.cases.flatMap((c) => c.expected.categories));
    expect([...expected].sort()).toEqual([...CATEGORIES].sort());
    const rubric = createRubric(golden.config);
    const fired = new Set(
      golden.cases.flatMap((c) => rubric.evaluate(caseInput(c)).findings.map((f) => f.rule)),
    );
    for (const rule of [
      'groundedness.number',
      'groundedness.name',
      'groundedness.claim',
      'compliance.guarantee',
      'compliance.banned_phrase',
      'personalization.unresolved_token',
      'personalization.generic_greeting',
      'personalization.not_specific',
      'personalization.missing_first_name',
      'personalization.missing_company',
      'tone.body_length',
      'tone.body_length_extreme',
      'tone.shouting',
      'tone.exclamation',
      'tone.pressure',
      'tone.call_to_action',
      'targeting.persona',
      'targeting.segment_mismatch',
      'targeting.unknown_segment',
      'targeting.segment_language',
    ]) {
      expect(fired.has(rule), rule).toBe(true);
    }
  });

  it('rubric.json is the shipped default configuration', () => {
    expect(loadRubricConfig()).toEqual(DEFAULT_RUBRIC_CONFIG);
  });

  it('passes the gate at 0.95 with block_build false', async () => {
    const report = await runReplay({ minPassRate: 0.95 });
    expect(report.block_build).toBe(false);
    expect(report.critical_failures).toEqual([]);
    expect(report.pass_rate).toBeGreaterThanOrEqual(0.95);
    expect(report.total).toBe(golden.cases.length);
  });
});

describe('honesty: wrong expectations block the build', () => {
  it('flipping every expected verdict blocks', async () => {
    const dir = copyGoldenSet((golden) => ({
      ...golden,
      expected: { ...golden.expected, verdict: golden.expected.verdict === 'pass' ? 'fail' : 'pass' },
    }));
    const report = await runReplay({ goldenSetDir: dir, minPassRate: 0.95 });
    expect(report.block_build).toBe(true);
    expect(report.passed).toBe(0);
    expect(report.failures).toHaveLength(report.total);
    expect(report.block_reasons[0]).toMatch(/^pass rate 0% is below the threshold 95%/);
  });

  it('expecting an accuracy or compliance failure the rubric lets through is critical, even at a high rate', async () => {
    // One case expects a fabricated number to be caught, but the draft is clean: the rubric "lets it through".
    const dir = copyGoldenSet((golden) =>
      golden.id === 'mm-pass-sdr-hiring'
        ? { ...golden, expected: { verdict: 'fail', categories: ['accuracy'] } }
        : golden,
    );
    const report = await runReplay({ goldenSetDir: dir, minPassRate: 0.5 });
    expect(report.pass_rate).toBeGreaterThan(0.95);
    expect(report.block_build).toBe(true);
    expect(report.critical_failures).toEqual([
      expect.objectContaining({ id: 'mm-pass-sdr-hiring', missed: ['accuracy'] }),
    ]);
  });

  it('a rubric with its negative-constraint lists emptied is caught', async () => {
    const dir = copyGoldenSet();
    const config = JSON.parse(readFileSync(join(dir, 'rubric.json'), 'utf8'));
    config.negative_constraints = { guarantee_phrases: [], banned_phrases: [] };
    writeFileSync(join(dir, 'rubric.json'), JSON.stringify(config));
    const report = await runReplay({ goldenSetDir: dir, minPassRate: 0.5 });
    expect(report.block_build).toBe(true);
    expect(report.critical_failures.map((failure) => failure.id)).toContain('smb-fail-risk-free');
  });
});

describe('stored runs', () => {
  it('stores each run and reports a drop against the previous one', async () => {
    const root = tempDir();
    const runs = await store(root);
    const dir = copyGoldenSet();
    const first = await runReplay({
      goldenSetDir: dir,
      minPassRate: 0.95,
      store: runs,
      now: () => new Date('2026-11-16T09:00:00Z'),
    });
    expect(first.previous).toBeNull();
    expect(first.stored_run_id).toBe(1);

    const casePath = join(dir, 'cases', 'mm-pass-revops-forecast.json');
    const golden = JSON.parse(readFileSync(casePath, 'utf8'));
    golden.expected = { verdict: 'fail', categories: ['tone'] };
    writeFileSync(casePath, JSON.stringify(golden));
    const second = await runReplay({
      goldenSetDir: dir,
      minPassRate: 0.95,
      store: runs,
      now: () => new Date('2026-11-17T09:00:00Z'),
    });
    expect(second.previous).toMatchObject({
      ran_at: '2026-11-16T09:00:00.000Z',
      pass_rate: 1,
      drop: true,
      new_failures: ['mm-pass-revops-forecast'],
      fixed: [],
    });
    expect(second.previous?.delta).toBeLessThan(0);
    expect(await runs.latest(dir)).toMatchObject({
      id: 2,
      failed_ids: ['mm-pass-revops-forecast'],
      block_build: false,
    });
    expect((await runs.list({ since: '2026-11-17T00:00:00Z' })).map((run) => run.id)).toEqual([2]);
    expect((await runs.get(2))?.ran_by).toBe('unknown');
  });

  it('runs survive reopening the record', async () => {
    const root = tempDir();
    await runReplay({
      goldenSetDir: copyGoldenSet(),
      minPassRate: 0.95,
      store: await store(root),
      ranBy: 'pat',
    });
    for (const record of opened.splice(0)) await record.close();
    expect(await (await store(root)).latest()).toMatchObject({
      total: loadGoldenSet().cases.length,
      block_build: false,
      ran_by: 'pat',
    });
  });
});

describe('golden-set errors', () => {
  const userError = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (isUserError(error)) return error;
      throw error;
    }
    throw new Error('expected a UserError');
  };

  it('a missing folder, a malformed case and a wrong id are configuration errors naming the file', () => {
    expect(userError(() => loadGoldenSet(join(tempDir(), 'nope'))).code).toBe('golden_set_missing');
    const dir = copyGoldenSet();
    const first = readdirSync(join(dir, 'cases'))[0] as string;
    writeFileSync(join(dir, 'cases', first), '{"id": 1}');
    const error = userError(() => loadGoldenSet(dir));
    expect(error.code).toBe('golden_set_invalid');
    expect(error.message).toContain(first);
    expect(error.exitCode).toBe(2);
    rmSync(join(dir, 'cases', first));
    const other = readdirSync(join(dir, 'cases'))[0] as string;
    const golden = JSON.parse(readFileSync(join(dir, 'cases', other), 'utf8'));
    writeFileSync(join(dir, 'cases', other), JSON.stringify({ ...golden, id: 'renamed' }));
    expect(userError(() => loadGoldenSet(dir)).message).toMatch(/does not match the file name/);
  });

  it('without rubric.json the built-in defaults apply; a broken rubric.json is an error', () => {
    const dir = copyGoldenSet();
    rmSync(join(dir, 'rubric.json'));
    expect(loadGoldenSet(dir).rubricSource).toBe('defaults');
    writeFileSync(join(dir, 'rubric.json'), '{"tone": {"max_exclamation": 3}}');
    expect(userError(() => loadGoldenSet(dir)).code).toBe('rubric_config_invalid');
  });
});
