/**
 * Several hosts (SPEC 5), as an operator runs them: real `caio serve` processes (the built CLI) on one
 * private Redis and one PostgreSQL record, sending through a local Instantly stand-in that counts
 * every send. Through the HTTP API only:
 * - an unsubscribe acknowledged on host A during a webhook flood excludes the address from a preview
 *   made the next moment on host B;
 * - a daily ramp of 10 is 10 sends in total across both hosts;
 * - after `redis-cli FLUSHALL` every draft, decision and executed batch is still listed, nothing is
 *   sent again, and the hosts register the record and their heartbeats again;
 * - a third host with its own SQLite record on the same Redis is refused: readiness 503
 *   `records_not_shared` naming DATABASE_URL, `caio status` names it, and a CLI command on that
 *   record exits 2.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAIO_BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { toEnvFile } from '../helpers/env-fixtures.js';
import { createTestDatabase } from '../helpers/postgres-server.js';
import { draftInput } from '../helpers/queue/drafts.js';
import { startInstantlyStub, type InstantlyStub } from '../helpers/queue/instantly-stub.js';
import { POSTGRES_FOR_TESTS } from '../helpers/record.js';
import { REDIS_AVAILABLE, startRedis, type TestRedis } from '../helpers/redis-server.js';
import { useTempDir } from '../helpers/temp.js';

const TOKEN = 'tok_e2e_hosts_8f3a9c2b7d1e4f60a5b8c9d0e1f2';
const INSTANTLY_SECRET = 'inst_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const CLAY_SECRET = 'clay_5e4d3c2b1a09f8e7d6c5b4a392817065';
const DRAFTS = 30;
const FLOOD = 400;

interface Host {
  name: string;
  dir: string;
  child: ChildProcess;
  url: string;
  output(): string;
  exit: Promise<number | null>;
}

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

interface BatchBody {
  id: string;
  hash: string;
  items: { draft_id: string }[];
  excluded: { draft_id: string; reason: string; detail: string }[];
}

function serve(name: string, dir: string): Promise<Host> {
  return new Promise((resolve, reject) => {
    const child = spawn(CAIO_BIN, ['serve', '--env-file', 'host.env', '--port', '0'], {
      cwd: dir,
      env: cleanEnv(),
    });
    let out = '';
    const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)".*caio serve listening/.exec(out);
      if (match?.[1]) resolve({ name, dir, child, url: match[1], output: () => out, exit });
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exit.then((code) => reject(new Error(`${name}: serve exited ${code}: ${out}`)));
  });
}

async function call<T = Record<string, unknown>>(
  host: Host,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
): Promise<Answer<T>> {
  const response = await fetch(`${host.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Poll (no fixed sleeps) until `check` holds. */
async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const id = (n: number) => draftInput(n).id!;
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => id(from + i));

const run = REDIS_AVAILABLE && POSTGRES_FOR_TESTS ? describe : describe.skip;

run('several caio serve hosts on one Redis and one PostgreSQL record', () => {
  const tempDir = useTempDir();
  let redis: TestRedis;
  let stub: InstantlyStub;
  let database: { url: string; drop(): Promise<void> };
  const running: Host[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    stub = await startInstantlyStub();
    database = await createTestDatabase('caio_e2e_hosts');
  });
  afterAll(async () => {
    for (const host of running) host.child.kill('SIGKILL');
    await stub?.close();
    await redis?.close();
    await database?.drop();
  });

  it('agrees on suppressions, the ramp and batches across hosts, survives FLUSHALL, refuses a split brain', async () => {
    const root = tempDir();
    const prefix = `caio:e2e:${randomUUID()}`;
    const hostEnv = (name: string, extra: Record<string, string> = {}) => {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      const env = {
        CAIO_MODE: 'development',
        HIVE_DIR: join(dir, 'hive'),
        REDIS_URL: redis.url,
        REDIS_REQUIRED: 'true',
        STATE_REDIS_PREFIX: `${prefix}:state`,
        CONTEXT_REDIS_PREFIX: `${prefix}:ctx`,
        RATE_LIMIT_REDIS_NAMESPACE: `${prefix}:rl`,
        DASHBOARD_AUTH_TOKEN: TOKEN,
        INSTANTLY_WEBHOOK_SECRET: INSTANTLY_SECRET,
        CLAY_WEBHOOK_SECRET: CLAY_SECRET,
        EMAIL_SEND_MODE: 'live',
        INSTANTLY_API_KEY: 'inst_test_key_0123456789abcdef',
        INSTANTLY_BASE_URL: stub.url,
        RAMP_START_DAILY_LIMIT: '10',
        DAILY_APPROVAL_CAPACITY: '1000',
        ...extra,
      };
      writeFileSync(join(dir, 'host.env'), toEnvFile(env), { mode: 0o600 });
      return dir;
    };
    const [a, b] = await Promise.all([
      serve('a', hostEnv('a', { DATABASE_URL: database.url })),
      serve('b', hostEnv('b', { DATABASE_URL: database.url })),
    ]);
    running.push(a, b);
    for (const host of [a, b]) {
      const ready = await call(host, 'GET', '/api/health/ready');
      expect(ready.status, host.output()).toBe(200);
      expect(ready.body).toMatchObject({
        ready: true,
        dependencies: { record: { healthy: true, dialect: 'postgres', shared: true } },
      });
    }
    const recordId = (
      await call<{ dependencies: { record: { record_id: string } } }>(a, 'GET', '/api/health/ready')
    ).body.dependencies.record.record_id;
    expect(
      (await call<{ dependencies: { record: { record_id: string } } }>(b, 'GET', '/api/health/ready')).body
        .dependencies.record.record_id,
    ).toBe(recordId);

    // Drafts go in on A, are approved on B: one queue.
    for (let n = 0; n < DRAFTS; n++) {
      const added = await call(a, 'POST', '/api/queue', draftInput(n));
      expect(added.status).toBe(201);
    }
    const approved = await call<{ results: { ok: boolean }[] }>(b, 'POST', '/api/queue/approve', {
      ids: ids(0, DRAFTS),
      by: 'maria',
    });
    expect(approved.status).toBe(200);

    // An unsubscribe acknowledged on A during a webhook flood; the next moment, a preview on B.
    const unsubscribed = draftInput(25).lead.email;
    let sent = 0;
    let acked = 0;
    const flood = async () => {
      while (sent < FLOOD) {
        const n = sent++;
        const answer = await call(
          a,
          'POST',
          '/webhooks/clay',
          { event_id: `flood-${n}`, email: `flood${n}@acme.io`, company: 'Acme' },
          { 'x-clay-webhook-secret': CLAY_SECRET },
        );
        if (answer.status === 200) acked++;
      }
    };
    const unsubscribeThenPreview = async () => {
      while (acked < FLOOD / 4) await new Promise((resolve) => setTimeout(resolve, 5));
      const answer = await call(
        a,
        'POST',
        '/webhooks/instantly',
        { event_type: 'lead_unsubscribed', lead_email: unsubscribed, event_id: 'unsub-25' },
        { 'x-instantly-webhook-secret': INSTANTLY_SECRET },
      );
      expect(answer.status).toBe(200);
      const floodAckedBefore = acked;
      const preview = await call<BatchBody>(b, 'POST', '/api/batches', {
        ids: [id(25), id(26)],
        by: 'maria',
      });
      return { floodAckedBefore, preview };
    };
    const [{ floodAckedBefore, preview }] = await Promise.all([
      unsubscribeThenPreview(),
      ...Array.from({ length: 8 }, flood),
    ]);
    expect(acked).toBe(FLOOD);
    expect(floodAckedBefore).toBeLessThan(FLOOD);
    expect(preview.status).toBe(201);
    expect(preview.body.items.map((item) => item.draft_id)).toEqual([id(26)]);
    expect(preview.body.excluded).toEqual([
      expect.objectContaining({ draft_id: id(25), detail: expect.stringContaining('suppressed') }),
    ]);

    // A daily ramp of 10: each host previews 10 before anything is sent; both execute at once.
    const first = await call<BatchBody>(a, 'POST', '/api/batches', { ids: ids(0, 10), by: 'maria' });
    const second = await call<BatchBody>(b, 'POST', '/api/batches', { ids: ids(10, 20), by: 'maria' });
    expect([first.body.items.length, second.body.items.length]).toEqual([10, 10]);
    const execute = async (host: Host, batch: BatchBody) => {
      let answer: Answer<{ code?: string; counts?: { sent: number } }> | undefined;
      await waitFor(async () => {
        answer = await call(host, 'POST', `/api/batches/${batch.id}/execute`, {
          hash: batch.hash,
          by: 'maria',
        });
        return answer.body.code !== 'dispatch_locked';
      }, 'the dispatch lock');
      return answer!;
    };
    const answers = await Promise.all([execute(a, first.body), execute(b, second.body)]);
    expect(answers.reduce((total, answer) => total + (answer.body.counts?.sent ?? 0), 0)).toBe(10);
    expect(answers.filter((answer) => answer.body.code === 'ramp_limit')).toHaveLength(1);
    expect(stub.requests).toHaveLength(10);
    const executed = answers[0]!.status === 200 ? first.body : second.body;

    // FLUSHALL: nothing is lost and nothing is sent again.
    const flushed = spawnSync('redis-cli', ['-p', String(redis.port), 'FLUSHALL'], { encoding: 'utf8' });
    expect(flushed.stdout.trim()).toBe('OK');
    for (const host of [a, b]) {
      const page = await call<{ items: { id: string; status: string }[]; total: number }>(
        host,
        'GET',
        '/api/queue?limit=500',
      );
      expect(page.body.total).toBe(DRAFTS);
      const byStatus = new Map<string, number>();
      for (const item of page.body.items) byStatus.set(item.status, (byStatus.get(item.status) ?? 0) + 1);
      expect([byStatus.get('sent'), byStatus.get('suppressed')]).toEqual([10, 1]);
      const batches = await call<{ id: string; status: string }[]>(host, 'GET', '/api/batches');
      expect(batches.body.find((batch) => batch.id === executed.id)).toMatchObject({ status: 'executed' });
      expect(batches.body.map((batch) => batch.id).sort()).toEqual(
        [preview.body.id, first.body.id, second.body.id].sort(),
      );
      const again = await call<{ code: string }>(host, 'POST', `/api/batches/${executed.id}/execute`, {
        hash: executed.hash,
        by: 'maria',
        resume: true,
      });
      expect(again.body.code).toBe('already_executed');
    }
    expect(stub.requests).toHaveLength(10);

    // The hosts re-register the record and their heartbeats by themselves; status lists both.
    const status = async (dir: string) => {
      const result = await runCli(['status', '--env-file', 'host.env', '--json'], {
        cwd: dir,
        timeoutMs: 30_000,
      });
      return {
        code: result.code,
        report: JSON.parse(result.stdout) as {
          problems: string[];
          hosts: {
            shared: boolean;
            registered_record_id: string;
            live: { id: string; role: string; record_id: string; split_brain: boolean }[];
          };
        },
      };
    };
    await waitFor(async () => {
      const { report } = await status(a.dir);
      return report.hosts.registered_record_id === recordId && report.hosts.live.length === 2;
    }, 'the hosts to register again after FLUSHALL');

    // A third host with its own SQLite record on the same Redis: refused.
    const c = await serve('c', hostEnv('c'));
    running.push(c);
    const refused = await call<{
      code: string;
      message: string;
      dependencies: { record: { shared: boolean } };
    }>(c, 'GET', '/api/health/ready');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({
      code: 'records_not_shared',
      message: expect.stringContaining('DATABASE_URL'),
      dependencies: { record: { shared: false } },
    });
    expect(c.output()).toContain('records_not_shared');
    const blocked = await call<{ code: string }>(c, 'POST', `/api/batches/${second.body.id}/execute`, {
      hash: second.body.hash,
    });
    expect([blocked.status, blocked.body.code]).toEqual([503, 'records_not_shared']);
    // The deployment stays ready; its status names the split brain (exit 1).
    expect((await call(a, 'GET', '/api/health/ready')).status).toBe(200);
    await waitFor(async () => {
      const { code, report } = await status(a.dir);
      return (
        code === 1 &&
        report.hosts.live.some((beat) => beat.split_brain && beat.record_id !== recordId) &&
        report.problems.some((problem) => problem.includes('records_not_shared'))
      );
    }, 'status to name the split-brain host');
    // A CLI command on the stray record: one error naming DATABASE_URL, exit 2.
    const cli = await runCli(['queue', 'list', '--env-file', 'host.env'], { cwd: c.dir, timeoutMs: 30_000 });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^Error: .*DATABASE_URL.*records_not_shared/m);
    expect(cli.stderr).toContain('DATABASE_URL');
    expect(stub.requests).toHaveLength(10);

    for (const host of [a, b, c]) host.child.kill('SIGTERM');
    expect(await Promise.all([a.exit, b.exit, c.exit])).toEqual([0, 0, 0]);
    running.length = 0;
  }, 240_000);
});
