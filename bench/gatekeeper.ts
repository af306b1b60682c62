/**
 * Gatekeeper benchmark, on each store (embedded coordination + SQLite record; Redis + SQLite record
 * when redis-server is installed; Redis + PostgreSQL record when PostgreSQL is installed, in a private
 * server started for the run):
 * - preview of N approved drafts (default 10,000) in the record, against a bare baseline measured in
 *   the same run: the record's read of the approved drafts (`drafts.forPreview`, which every preview
 *   does before it selects, hashes and stores the batch);
 * - execution of a 1,000-item batch in log-only mode, against a bare baseline: 1,000 sequential
 *   durable single-row record transactions (an audit row each) on the same record.
 * Seeding inserts drafts 500 per transaction (not measured). Goal: preview of 10,000 under 200 ms
 * embedded.
 *
 * Run: node --import tsx bench/gatekeeper.ts [previewCount] [executeCount]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { canonicalEmail } from '../src/runtime/domain/canonical-email.js';
import { sha256Hex } from '../src/runtime/domain/gatekeeper/hash.js';
import type { Draft } from '../src/runtime/domain/queue/draft.js';
import { POSTGRES_AVAILABLE, startPostgres, type TestPostgres } from '../tests/helpers/postgres-server.js';
import { REDIS_AVAILABLE, startRedis, type TestRedis } from '../tests/helpers/redis-server.js';
import { makeWorld, type StoreKind, type World } from '../tests/helpers/queue/world.js';

const PREVIEW_COUNT = Number(process.argv[2] ?? 10_000);
const EXECUTE_COUNT = Number(process.argv[3] ?? 1_000);
const ROUNDS = 5;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function timeIt(fn: () => Promise<unknown>, rounds = ROUNDS): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i += 1) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function approvedDraft(n: number, tag: string): Draft {
  const email = `lead${n}.${tag}@company${n % 211}.example`;
  const at = new Date(Date.UTC(2026, 0, 5, 9, 0, 0) + n).toISOString();
  const body = `Hi Sam,\n\nA short, specific note number ${n} about how your team runs calls.\n\nWould you be open to a 20-minute call next week?\n\nBest,\nMaya`;
  return {
    id: `${tag}${String(n).padStart(6, '0')}`,
    motion: n % 4 === 0 ? 'inbound' : 'outbound',
    source: 'import',
    lead: { email, first_name: 'Sam', company: `Company ${n % 211}` },
    canonical_email: canonicalEmail(email),
    subject: `Quick question about Company ${n % 211}`,
    body,
    body_sha256: sha256Hex(body),
    context: [{ ref: 'crm:account', text: `Company ${n % 211} runs an inside sales team.` }],
    findings: [],
    created_at: at,
    status: 'approved',
    decided_by: 'bench',
    decided_at: at,
    rejection: null,
    duplicate_of: null,
    suppression: null,
    batch_id: null,
    sent_at: null,
    error: null,
    escalated_at: null,
    updated_at: at,
  };
}

async function seed(world: World, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i += 500) {
    const chunk = Array.from({ length: Math.min(500, count - i) }, (_, j) => approvedDraft(i + j, tag));
    await world.record.transaction((tx) => tx.drafts.insertMany(chunk));
  }
}

async function benchStore(
  kind: StoreKind,
  redis: TestRedis | undefined,
  postgres?: TestPostgres,
): Promise<void> {
  const label = postgres ? 'redis+pg' : kind;
  const databaseUrl = async () => (postgres ? await postgres.createDatabase('caio_bench') : undefined);
  const dir = mkdtempSync(join(tmpdir(), 'caio-bench-gk-'));
  const env = {
    RAMP_START_DAILY_LIMIT: String(Math.max(PREVIEW_COUNT, EXECUTE_COUNT) * 2),
    GATEKEEPER_BATCH_TTL_SECONDS: '3600',
  };
  try {
    // Preview ---------------------------------------------------------------------------------
    const world = await makeWorld({
      kind,
      dir,
      redisUrl: redis?.url,
      prefix: `bench-${Date.now()}`,
      env,
      databaseUrl: await databaseUrl(),
    });
    await seed(world, PREVIEW_COUNT, 'p');
    const baseline = await timeIt(() => world.record.drafts.forPreview({ motion: 'all' }));
    let items = 0;
    const preview = await timeIt(async () => {
      items = (await world.gatekeeper.preview({ motion: 'all' }, 'bench')).items.length;
    });
    if (items !== PREVIEW_COUNT) throw new Error(`preview selected ${items} of ${PREVIEW_COUNT}`);
    console.log(
      `${label.padEnd(8)} preview of ${PREVIEW_COUNT} approved drafts: ${preview.toFixed(1)} ms (baseline: reading them ${baseline.toFixed(1)} ms, ratio ${(preview / baseline).toFixed(2)}x)${kind === 'sqlite' && !postgres ? `  goal < 200 ms: ${preview < 200 ? 'met' : 'NOT met'}` : ''}`,
    );
    await world.close();

    // Execute ---------------------------------------------------------------------------------
    const world2 = await makeWorld({
      kind,
      dir: mkdtempSync(join(tmpdir(), 'caio-bench-gk-')),
      redisUrl: redis?.url,
      prefix: `bench-x-${Date.now()}`,
      env,
      databaseUrl: await databaseUrl(),
    });
    await seed(world2, EXECUTE_COUNT, 'x');
    const startBase = performance.now();
    for (let i = 0; i < EXECUTE_COUNT; i += 1)
      await world2.record.transaction((tx) =>
        tx.audit.append({ actor: 'bench', action: 'bench.write', subject: `k${i}` }),
      );
    const base = performance.now() - startBase;
    const batch = await world2.gatekeeper.preview({ motion: 'all' }, 'bench');
    const start = performance.now();
    const result = await world2.gatekeeper.execute(batch.id, batch.hash, 'bench');
    const exec = performance.now() - start;
    if (result.counts.sent !== EXECUTE_COUNT)
      throw new Error(`executed ${result.counts.sent} of ${EXECUTE_COUNT}`);
    console.log(
      `${label.padEnd(8)} execute ${EXECUTE_COUNT}-item batch (log-only): ${exec.toFixed(0)} ms, ${(exec / EXECUTE_COUNT).toFixed(2)} ms/item (baseline ${EXECUTE_COUNT} durable record transactions ${base.toFixed(0)} ms, ratio ${(exec / base).toFixed(2)}x)`,
    );
    await world2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await benchStore('sqlite', undefined);
if (REDIS_AVAILABLE) {
  const redis = await startRedis();
  try {
    await benchStore('redis', redis);
    if (POSTGRES_AVAILABLE) {
      const postgres = await startPostgres();
      try {
        await benchStore('redis', redis, postgres);
      } finally {
        await postgres.close();
      }
    } else console.log('redis+pg skipped: PostgreSQL is not installed');
  } finally {
    await redis.close();
  }
} else {
  console.log('redis  skipped: redis-server is not installed');
}
