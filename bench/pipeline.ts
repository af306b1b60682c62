/**
 * Pipeline benchmark (embedded store): N stored leads (default 10,000; a third with an RB2B visit
 * event to enrich from) turned into scored drafts by `pipeline.run`, against a baseline measured in
 * the same run: `queue.importLines` of the very same drafts into a fresh runtime (the rubric scores
 * both). Prints leads/s for each and the ratio. Goal: ratio >= 0.5.
 *
 * Run: node --import tsx bench/pipeline.ts [leadCount]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/runtime/config.js';
import { createRuntime, type Runtime } from '../src/runtime/services/runtime.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const SEGMENTS = ['smb', 'mid-market', 'enterprise', 'agency', ''];

async function open(dir: string): Promise<Runtime> {
  return createRuntime(parseConfig({ HIVE_DIR: dir, TRACE_ENVELOPE_ENABLED: 'false' }));
}

async function seed(runtime: Runtime): Promise<void> {
  runtime.db.pragma('synchronous = OFF');
  for (let i = 0; i < COUNT; i += 500) {
    const batch = Array.from({ length: Math.min(500, COUNT - i) }, (_, j) => i + j);
    await Promise.all(
      batch.map(async (n) => {
        const email = `lead${n}@company${n % 997}.example`;
        const rb2b = n % 3 === 0;
        const segment = SEGMENTS[n % SEGMENTS.length];
        await runtime.leads.upsertLead(
          {
            email,
            first_name: 'Sam',
            last_name: `Lee${n}`,
            company: `Company${n % 997}`,
            title: 'Head of Sales',
            ...(segment ? { segment } : {}),
          },
          rb2b ? 'rb2b' : 'clay',
        );
        if (rb2b) {
          await runtime.webhooks.insert({
            source: 'rb2b',
            idempotencyKey: `bench-${n}`,
            payload: Buffer.from(
              JSON.stringify({
                'Business Email': email,
                'Captured URL': `https://quorra.example/page-${n % 7}`,
              }),
            ),
            status: 'stored',
          });
        }
      }),
    );
  }
  runtime.db.pragma('synchronous = FULL');
}

const dirs = [
  mkdtempSync(join(tmpdir(), 'caio-bench-pipe-')),
  mkdtempSync(join(tmpdir(), 'caio-bench-import-')),
];
try {
  const pipelineRuntime = await open(dirs[0] as string);
  await seed(pipelineRuntime);
  let start = performance.now();
  let first = 0;
  const report = await pipelineRuntime.pipeline.run({
    mode: 'development',
    actor: 'bench',
    onProgress: () => {
      if (first === 0) first = performance.now() - start;
    },
  });
  const pipelineMs = performance.now() - start;
  const drafts = await pipelineRuntime.queue.list();
  await pipelineRuntime.close();
  if (report.drafted !== COUNT) throw new Error(`expected ${COUNT} drafts, got ${JSON.stringify(report)}`);

  const lines = drafts
    .map((d) =>
      JSON.stringify({
        id: d.id,
        motion: d.motion,
        lead: d.lead,
        subject: d.subject,
        body: d.body,
        context: d.context,
      }),
    )
    .join('\n');
  const importRuntime = await open(dirs[1] as string);
  start = performance.now();
  const imported = await importRuntime.queue.importLines(lines, 'import');
  const importMs = performance.now() - start;
  await importRuntime.close();
  if (imported.imported !== COUNT) throw new Error(`import baseline imported ${imported.imported}`);

  const rate = (ms: number) => Math.round((COUNT / ms) * 1000);
  const ratio = rate(pipelineMs) / rate(importMs);
  console.log(
    `pipeline run:   ${COUNT} leads -> scored drafts in ${Math.round(pipelineMs)} ms = ${rate(pipelineMs)} leads/s (${Math.round(first)} ms until the first chunk of drafts was stored: leads, facts, templates, dedup, 500 drafts)`,
  );
  console.log(
    `queue import:   ${COUNT} same drafts        in ${Math.round(importMs)} ms = ${rate(importMs)} drafts/s (baseline)`,
  );
  console.log(
    `ratio pipeline/import: ${ratio.toFixed(2)}x (goal >= 0.5x) ${ratio >= 0.5 ? 'OK' : 'BELOW GOAL'}`,
  );
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
