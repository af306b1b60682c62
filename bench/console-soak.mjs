#!/usr/bin/env node
/**
 * Memory soak of the console: the real `bin/caio` on the Queue screen in a real terminal (tmux),
 * left idle over a store of N drafts, its resident memory (RSS, from `ps`) sampled every few
 * seconds. Prints the curve and the growth after warm-up (goal: < 10% over the soak).
 *
 *   node bench/console-soak.mjs [--hive DIR] [--drafts N] [--minutes M] [--every S] [--warmup S] [--react-dev]
 *
 *   --hive DIR    a HIVE_DIR that already holds the drafts (else N drafts are imported into a temp one
 *                 first, which takes minutes at 100,000)
 *   --drafts N    drafts to import when no --hive is given (default 100000)
 *   --minutes M   length of the idle soak (default 10)
 *   --every S     seconds between samples (default 10)
 *   --warmup S    seconds before the reference sample (default 60)
 *   --react-dev   run React's development build (NODE_ENV=development): the build the console ran
 *                 before the fix, to see the old growth
 * Needs `npm run build` and tmux.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const CAIO = join(root, 'bin', 'caio');
const { values: flags } = parseArgs({
  options: {
    hive: { type: 'string' },
    drafts: { type: 'string', default: '100000' },
    minutes: { type: 'string', default: '10' },
    every: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '60' },
    'react-dev': { type: 'boolean', default: false },
  },
});
const minutes = Number(flags.minutes);
const every = Number(flags.every);
const warmup = Number(flags.warmup);

if (spawnSync('tmux', ['-V']).status !== 0) {
  console.log('tmux is not installed: the soak needs a real terminal. Skipped.');
  process.exit(0);
}

let temp;
let hive = flags.hive;
if (!hive) {
  temp = mkdtempSync(join(tmpdir(), 'caio-soak-'));
  hive = join(temp, 'hive');
  const file = join(temp, 'drafts.jsonl');
  execFileSync('sh', [
    '-c',
    `node '${join(root, 'bench', 'draft-lines.mjs')}' ${Number(flags.drafts)} > '${file}'`,
  ]);
  console.log(`Importing ${flags.drafts} drafts into ${hive} (not measured)…`);
  execFileSync(CAIO, ['queue', 'import', file], {
    env: { ...process.env, HIVE_DIR: hive },
    stdio: 'inherit',
  });
}

const socket = `caio-soak-${process.pid}`;
const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const env = [
  `HIVE_DIR='${hive}'`,
  `PATH='${process.env.PATH}'`,
  `HOME='${process.env.HOME}'`,
  "TERM='xterm-256color'",
];
if (flags['react-dev']) env.push("NODE_ENV='development'");
tmux(
  'new-session',
  '-d',
  '-s',
  'soak',
  '-x',
  '120',
  '-y',
  '35',
  `env -i ${env.join(' ')} '${CAIO}' --port 0 --screen queue; sleep 600`,
);

function cleanup() {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  if (temp) rmSync(temp, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();
let pane = '';
while (!/pending|approved/.test(pane)) {
  if (Date.now() - started > 300_000) throw new Error(`the queue did not show in 5 minutes:\n${pane}`);
  await sleep(100);
  pane = tmux('capture-pane', '-p', '-t', 'soak');
}
const firstRowsMs = Date.now() - started;
const shellPid = tmux('list-panes', '-t', 'soak', '-F', '#{pane_pid}').trim();
const pid = execFileSync('pgrep', ['-P', shellPid], { encoding: 'utf8' }).trim().split('\n')[0];
const rssMb = () => Number(execFileSync('ps', ['-o', 'rss=', '-p', pid], { encoding: 'utf8' }).trim()) / 1024;

const rowsShown = (/(\d+) rows/.exec(pane) ?? [])[1];
console.log(
  `Console soak: bin/caio on the Queue screen, idle, ${rowsShown ?? '?'} drafts in ${hive}${flags['react-dev'] ? ' (React development build)' : ''}`,
);
console.log(`start to first rows (process start included): ${firstRowsMs} ms`);
console.log(`sampling RSS every ${every} s for ${minutes} min (reference after ${warmup} s of warm-up)`);
console.log('   t (s)   RSS (MB)');
const samples = [];
const soakStart = Date.now();
while (Date.now() - soakStart <= minutes * 60_000) {
  const t = Math.round((Date.now() - soakStart) / 1000);
  const rss = rssMb();
  samples.push({ t, rss });
  console.log(`${String(t).padStart(8)} ${rss.toFixed(1).padStart(10)}`);
  await sleep(every * 1000);
}
const after = samples.filter((s) => s.t >= warmup);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// Growth = the settled level at the end against the settled level after warm-up (medians of three
// samples each, so a collection in progress at one sample does not decide it); the peak is reported too.
const head = after.slice(0, 3).map((s) => s.rss);
const tail = after.slice(-3).map((s) => s.rss);
const reference = { t: after[0]?.t ?? 0, rss: median(head) };
const last = { t: after.at(-1)?.t ?? 0, rss: median(tail) };
const peak = Math.max(...after.map((s) => s.rss));
// Least-squares slope after warm-up, MB per minute.
const n = after.length;
const mt = after.reduce((a, s) => a + s.t, 0) / n;
const mr = after.reduce((a, s) => a + s.rss, 0) / n;
const slope =
  (after.reduce((a, s) => a + (s.t - mt) * (s.rss - mr), 0) /
    Math.max(
      1e-9,
      after.reduce((a, s) => a + (s.t - mt) ** 2, 0),
    )) *
  60;
const growth = ((last.rss - reference.rss) / reference.rss) * 100;
const peakGrowth = ((peak - reference.rss) / reference.rss) * 100;
console.log('');
console.log(
  `after warm-up: ${reference.rss.toFixed(1)} MB at ${reference.t} s -> ${last.rss.toFixed(1)} MB at ${last.t} s: ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}% (peak +${peakGrowth.toFixed(1)}%), trend ${slope >= 0 ? '+' : ''}${slope.toFixed(2)} MB/min`,
);
const ok = growth < 10;
console.log(`Result: ${ok ? 'PASS' : 'FAIL'} (goal: RSS grows < 10% after warm-up)`);
process.exitCode = ok ? 0 : 1;
