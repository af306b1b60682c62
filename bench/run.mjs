#!/usr/bin/env node
/**
 * Runs every benchmark in turn (after `npm run build`; the HTTP and limiter benches use dist/).
 * Each prints its figures with a ratio against a baseline measured in the same run.
 *   npm run bench            all of them
 *   npm run bench -- replay  only those whose name contains "replay"
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const BENCHES = [
  { name: 'limiter', args: ['bench/limiter.mjs'] },
  { name: 'webhook-ingest', args: ['bench/webhook-ingest.mjs'] },
  { name: 'webhook-inngest', args: ['bench/webhook-inngest.mjs'] },
  { name: 'http-auth', args: ['bench/http-auth.mjs'] },
  { name: 'gatekeeper', args: ['--import', 'tsx', 'bench/gatekeeper.ts'] },
  { name: 'replay', args: ['--import', 'tsx', 'bench/replay.ts'] },
  { name: 'pipeline', args: ['--import', 'tsx', 'bench/pipeline.ts'] },
  { name: 'console', args: ['--import', 'tsx', 'bench/console.tsx'] },
  { name: 'import', args: ['bench/import.mjs'] },
  // Ten minutes idle at 100,000 drafts (imports them first): run it alone, `npm run bench -- soak`.
  { name: 'soak', args: ['bench/console-soak.mjs'] },
  { name: 'queue-page', args: ['--import', 'tsx', 'bench/queue-page.ts'] },
  // 100 consoles on /api/events while 1,000 approvals land: every console sees every change; server RSS.
  { name: 'events', args: ['bench/events.mjs'] },
];

const filter = process.argv[2];
let failed = 0;
for (const bench of BENCHES.filter((b) => !filter || b.name.includes(filter))) {
  console.log(`\n=== ${bench.name} ===`);
  const result = spawnSync(process.execPath, bench.args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.log(`(${bench.name} exited ${result.status ?? result.signal})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
