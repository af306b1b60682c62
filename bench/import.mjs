#!/usr/bin/env node
/**
 * Import benchmark: `caio queue import FILE` (streamed, batched) of N lines (default 100,000) into a
 * fresh embedded store, against 1,000 lines (the baseline, measured in the same run). Reports
 * lines/s for each and the ratio (a streamed import should keep its rate as the file grows).
 *
 *   node bench/import.mjs [--lines N]
 * Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const CAIO = join(root, 'bin', 'caio');
const { values: flags } = parseArgs({ options: { lines: { type: 'string', default: '100000' } } });

function run(lines) {
  const dir = mkdtempSync(join(tmpdir(), 'caio-import-'));
  try {
    const file = join(dir, 'drafts.jsonl');
    execFileSync('sh', ['-c', `node '${join(root, 'bench', 'draft-lines.mjs')}' ${lines} > '${file}'`]);
    const start = performance.now();
    const out = execFileSync(CAIO, ['queue', 'import', file], {
      env: { ...process.env, HIVE_DIR: join(dir, 'hive') },
      encoding: 'utf8',
    });
    const seconds = (performance.now() - start) / 1000;
    return { lines, seconds, rate: lines / seconds, summary: out.trim().split('\n')[0] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const small = run(1000);
const large = run(Number(flags.lines));
console.log('Import benchmark: caio queue import (embedded store, process start included)');
for (const r of [small, large]) {
  console.log(
    `${String(r.lines).padStart(8)} lines ${r.seconds.toFixed(1).padStart(7)} s ${Math.round(r.rate).toString().padStart(8)} lines/s   ${r.summary}`,
  );
}
console.log(`rate at ${large.lines} lines: x${(large.rate / small.rate).toFixed(2)} the 1,000-line rate`);
