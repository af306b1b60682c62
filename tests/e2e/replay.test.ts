import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

const GOLDEN = new URL('../../golden-set/', import.meta.url).pathname;
const tempDir = useTempDir();

function flippedGoldenSet(): string {
  const dir = join(tempDir(), 'flipped');
  mkdirSync(join(dir, 'cases'), { recursive: true });
  cpSync(join(GOLDEN, 'rubric.json'), join(dir, 'rubric.json'));
  for (const file of readdirSync(join(GOLDEN, 'cases'))) {
    const golden = JSON.parse(readFileSync(join(GOLDEN, 'cases', file), 'utf8'));
    golden.expected.verdict = golden.expected.verdict === 'pass' ? 'fail' : 'pass';
    writeFileSync(join(dir, 'cases', file), JSON.stringify(golden));
  }
  return dir;
}

describe('caio replay', () => {
  it('passes on the project golden set, stores the run and compares the next one', async () => {
    const cwd = tempDir();
    const first = await runCli(['replay', '--min-pass-rate', '0.95'], { cwd });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Pass rate: \d+(\.\d)?% \(threshold: 95%\)$/m);
    expect(first.stdout).toMatch(/^block_build: false$/m);
    expect(first.stdout).toContain('Previous run: none stored');
    expect(existsSync(join(cwd, '.hive-mind', 'caio.db'))).toBe(true);
    // A stored run leaves a trace envelope, like the runtime's replay gate.
    const traces = readFileSync(join(cwd, '.hive-mind', 'traces', 'tool_trace_envelopes.jsonl'), 'utf8');
    expect(
      traces
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([expect.objectContaining({ tool_name: 'replay.run', status: 'success', agent: 'caio-cli' })]);

    const second = await runCli(['replay'], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^Previous run: \d+(\.\d)?% at \S+ \(no change\)$/m);
  });

  it('blocks with exit 1 when every expected verdict is flipped', async () => {
    const cwd = tempDir();
    const result = await runCli(['replay', '--golden-set', flippedGoldenSet()], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^Pass rate: 0% \(threshold: 95%\)$/m);
    expect(result.stdout).toMatch(/^block_build: true$/m);
    expect(result.stdout).toContain('Failing cases:');
    expect(result.stdout).toMatch(/^- mm-pass-sdr-hiring: expected fail, got pass$/m);
  });

  it('--json prints the SPEC fields; REPLAY_MIN_PASS_RATE sets the threshold', async () => {
    const cwd = tempDir();
    const result = await runCli(['replay', '--json', '--no-store'], {
      cwd,
      env: { REPLAY_MIN_PASS_RATE: '0.9' },
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      threshold: 0.9,
      block_build: false,
      failures: [],
      critical_failures: [],
      previous: null,
    });
    expect(report.total).toBeGreaterThanOrEqual(50);
    expect(report.passed).toBe(report.total);
    expect(report.pass_rate).toBe(1);
    expect(existsSync(join(cwd, '.hive-mind'))).toBe(false);

    const flipped = await runCli(['replay', '--json', '--no-store', '--golden-set', flippedGoldenSet()], {
      cwd,
    });
    expect(flipped.code).toBe(1);
    const blocked = JSON.parse(flipped.stdout);
    expect(blocked.block_build).toBe(true);
    expect(blocked.failures[0]).toEqual({
      id: expect.any(String),
      expected: { verdict: expect.any(String), categories: expect.any(Array) },
      actual: { verdict: expect.any(String), categories: expect.any(Array) },
      reasons: expect.arrayContaining([expect.stringMatching(/^expected verdict/)]),
    });
  });

  it('reports the held-out split and per-rule agreement; the PTO promotes a baseline that later runs compare with', async () => {
    const cwd = tempDir();
    const promoted = await runCli(['replay', '--promote-baseline', '--by', 'Priya (PTO)'], { cwd });
    expect(promoted.stderr).toBe('');
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(
      /^Held-out set \(holdout\/, never tuned on\): \d+\/\d+ agree, \d+(\.\d)?%; critical misses: 0$/m,
    );
    expect(promoted.stdout).toMatch(/^Agreement by category \(tuning \| held-out\):$/m);
    expect(promoted.stdout).toMatch(/^ {2}groundedness\.number\s+\d+\/\d+ \d+(\.\d)?% \|/m);
    expect(promoted.stdout).toMatch(/^ {2}tone\.body_length \(advice\)/m);
    expect(promoted.stdout).toMatch(/^Promoted: this run \(#1\) is now the baseline \(by Priya \(PTO\)\)$/m);

    const next = await runCli(['replay', '--json'], { cwd });
    expect(next.code).toBe(0);
    const report = JSON.parse(next.stdout);
    expect(report.baseline).toMatchObject({
      run_id: 1,
      promoted_by: 'Priya (PTO)',
      cases_changed: false,
      rubric_changed: false,
    });
    expect(report.holdout.total).toBeGreaterThanOrEqual(40);
    expect(report.hashes.rubric).toMatch(/^[0-9a-f]{64}$/);

    const text = await runCli(['replay'], { cwd });
    expect(text.stdout).toMatch(
      /^Baseline: run #1 \(\S+, promoted by Priya \(PTO\)\): tuning \d+(\.\d)?% -> \d+(\.\d)?% \(no change\)$/m,
    );
    expect(text.stdout).toMatch(
      /^ {2}since the baseline: cases same, held-out cases same, rubric\.json same$/m,
    );

    const refused = await runCli(['replay', '--promote-baseline', '--golden-set', flippedGoldenSet()], {
      cwd,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cannot become the baseline');
    const noStore = await runCli(['replay', '--promote-baseline', '--no-store'], { cwd });
    expect(noStore.code).toBe(2);
  });

  it('bad flags and a missing golden set exit 2 with the next step, no stack trace', async () => {
    const cwd = tempDir();
    const percent = await runCli(['replay', '--min-pass-rate', '95'], { cwd });
    expect(percent.code).toBe(2);
    expect(percent.stderr).toContain('--min-pass-rate must be from 0 to 1');
    expect(percent.stderr).toContain('--min-pass-rate 0.95');
    const missing = await runCli(['replay', '--golden-set', join(cwd, 'nope')], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^Error: No golden-set cases folder/m);
    expect(missing.stderr).toMatch(/^Next: /m);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('caio scorecard', () => {
  it('reports the latest pass rate, shows missing metrics as unavailable, and signs off', async () => {
    const cwd = tempDir();
    expect((await runCli(['replay'], { cwd })).code).toBe(0);
    const json = await runCli(['scorecard', '--format', 'json'], { cwd });
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const card = JSON.parse(json.stdout);
    expect(card.week).toMatch(/^\d{4}-W\d{2}$/);
    expect(card.replay_pass_rate).toMatchObject({
      status: 'ok',
      value: { pass_rate: 1, block_build: false },
    });
    expect(card.scheduler_success.status).toBe('unavailable');

    const text = await runCli(['scorecard'], { cwd });
    expect(text.stdout).toMatch(/^Replay pass rate\s+100% \(threshold 95%, block_build=false/m);

    expect((await runCli(['operators', 'add', 'Hana', '--role', 'pto'], { cwd })).code).toBe(0);
    expect((await runCli(['operators', 'add', 'maria', '--role', 'reviewer'], { cwd })).code).toBe(0);
    const reviewer = await runCli(['scorecard', '--sign-off', '--by', 'maria'], { cwd });
    expect(reviewer.code).toBe(1);
    expect(reviewer.stderr).toMatch(
      /^Error: .*signing off the scorecard needs the pto or admin role; maria is a reviewer$/m,
    );
    expect(reviewer.stderr).toMatch(/^Next: .*--role pto/m);

    const signed = await runCli(['scorecard', '--sign-off', '--format', 'markdown', '--note', 'ok'], {
      cwd,
      env: { CAIO_OPERATOR: 'hana' },
    });
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(/^\| Sign-off \| hana \(pto\) at \S+, decision then: none — ok \|$/m);

    const twice = await runCli(['scorecard', '--sign-off', '--by', 'Hana'], { cwd });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(
      /^Error: \d{4}-W\d{2} is already signed off by hana at \S+; a week is signed off once$/m,
    );
    expect(twice.stderr).toContain('--force');
    const forced = await runCli(['scorecard', '--sign-off', '--by', 'Hana', '--force', '--json'], { cwd });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).sign_off).toMatchObject({
      status: 'ok',
      value: { by: 'Hana', forced: true, earlier: 1 },
    });
    expect((await runCli(['scorecard', '--force'], { cwd })).code).toBe(2);

    const bad = await runCli(['scorecard', '--week', '2026-47'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--week must be an ISO week such as 2026-W07');
  });
});
