/**
 * Replay benchmark: 10,000 generated cases (the golden set, repeated with varied ids and names)
 * through the rubric and the gate's judgement. Prints time and cases/s, with the ratio to a bare
 * baseline measured in the same run: JSON.stringify + JSON.parse of the same cases.
 *
 * Run: node --import tsx bench/replay.ts [count]
 */
import { performance } from 'node:perf_hooks';
import {
  caseInput,
  createRubric,
  evaluateDraft,
  replayCases,
  type GoldenCase,
} from '../src/runtime/domain/rubric/index.js';
import { loadGoldenSet } from '../src/runtime/services/replay.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const ROUNDS = 5;

function generate(base: readonly GoldenCase[], count: number): GoldenCase[] {
  return Array.from({ length: count }, (_, index) => {
    const golden = structuredClone(base[index % base.length] as GoldenCase);
    golden.id = `${golden.id}-${index}`;
    // Vary the text a little so nothing can be cached by identity.
    golden.draft.body = `${golden.draft.body}${' '.repeat(index % 3)}`;
    return golden;
  });
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Median wall time and median CPU time (user+system) in ms: on a shared machine CPU time is steadier. */
function measure(fn: () => unknown): { wall: number; cpu: number } {
  fn(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    fn();
    const used = process.cpuUsage(startCpu);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const golden = loadGoldenSet();
const cases = generate(golden.cases, COUNT);
const rubric = createRubric(golden.config);

const baseline = measure(() => JSON.parse(JSON.stringify(cases)));
let summary = replayCases(cases, rubric, 0.95);
const replay = measure(() => {
  summary = replayCases(cases, rubric, 0.95);
});
const perDraft = measure(() => {
  for (const golden of cases.slice(0, 1000)) evaluateDraft(caseInput(golden), rubric.config);
});

const line = (name: string, time: { wall: number; cpu: number }, n: number) =>
  console.log(
    `${name.padEnd(44)} ${time.wall.toFixed(1).padStart(8)} ms (cpu ${time.cpu.toFixed(1).padStart(7)} ms)  ${Math.round(
      (n / time.wall) * 1000,
    )
      .toLocaleString('en-US')
      .padStart(8)} cases/s  ${(time.wall / baseline.wall).toFixed(2).padStart(6)}x baseline`,
  );
console.log(`replay benchmark: ${COUNT} cases (median of ${ROUNDS} rounds), node ${process.version}`);
line('baseline: JSON stringify+parse', baseline, COUNT);
line('replay: rubric + judgement (compiled once)', replay, COUNT);
line('evaluateDraft, compiling per call (1,000)', perDraft, 1000);
console.log(
  `gate result on generated cases: pass_rate=${summary.pass_rate} block_build=${summary.block_build}; goal < 2000 ms: ${replay.wall < 2000 ? 'met' : 'MISSED'} (wall), ${replay.cpu < 2000 ? 'met' : 'MISSED'} (cpu)`,
);
