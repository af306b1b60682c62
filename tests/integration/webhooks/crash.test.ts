/**
 * Durability under kill -9 (SPEC 6.2): a client fires thousands of unique webhooks at a serving
 * process, which is SIGKILLed mid-stream, several times. Every delivery that got a 2xx must be in
 * the record after the crash, none twice, and (embedded record) SQLite's integrity_check must say
 * ok. Run on both records: SQLite in HIVE_DIR, and PostgreSQL at DATABASE_URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { createRecordStore } from '../../../src/runtime/stores/record/record.js';
import { POSTGRES_FOR_TESTS } from '../../helpers/record.js';
import { createTestDatabase } from '../../helpers/postgres-server.js';
import { SECRETS } from '../server/harness.js';

const WORKER = fileURLToPath(new URL('./serve-worker.ts', import.meta.url));
const ROUNDS = 4;
const PER_ROUND = 3000;
const KILL_AFTER = 600;
const CONNECTIONS = 32;

interface Served {
  child: ChildProcess;
  port: number;
}

/** Every worker spawned, so a failing test still kills them (afterAll). */
const spawned = new Set<ChildProcess>();

function serve(hiveDir: string, databaseUrl: string | undefined): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: {
        PATH: process.env.PATH ?? '',
        HIVE_DIR: hiveDir,
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        ...SECRETS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.add(child);
    child.once('exit', () => spawned.delete(child));
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${err}`)));
  });
}

afterAll(() => {
  for (const child of spawned) child.kill('SIGKILL');
});

for (const kind of ['sqlite', 'postgres'] as const) {
  const run = kind === 'postgres' && !POSTGRES_FOR_TESTS ? describe.skip : describe;
  run(`webhooks survive kill -9 [${kind}]`, () => {
    const hiveDir = mkdtempSync(join(tmpdir(), 'caio-crash-'));
    let database: { url: string; drop(): Promise<void> } | undefined;
    afterAll(async () => {
      for (const child of spawned) child.kill('SIGKILL');
      rmSync(hiveDir, { recursive: true, force: true });
      await database?.drop();
    });

    it(`keeps every acknowledged delivery across ${ROUNDS} crashes`, async () => {
      if (kind === 'postgres') database = await createTestDatabase('caio_crash');
      const databaseUrl = database?.url;
      const acknowledged = new Set<string>();
      let attempted = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const { child, port } = await serve(hiveDir, databaseUrl);
        const exited = new Promise((resolve) => child.once('exit', resolve));
        const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNECTIONS, pipelining: 1 });
        let next = 0;
        let acked = 0;
        let killed = false;
        const fire = async () => {
          while (next < PER_ROUND) {
            const key = `r${round}-${next++}`;
            attempted++;
            try {
              const response = await pool.request({
                method: 'POST',
                path: '/webhooks/clay',
                headers: {
                  'content-type': 'application/json',
                  'x-clay-webhook-secret': SECRETS.CLAY_WEBHOOK_SECRET,
                },
                body: JSON.stringify({ event_id: key, email: `${key}@acme.io` }),
              });
              const body = (await response.body.json()) as { duplicate?: boolean };
              if (response.statusCode === 200 && body.duplicate === false) {
                acknowledged.add(`id:${key}`);
                acked++;
              }
            } catch {
              // The server was killed: this delivery got no 2xx, so it may or may not be stored.
            }
            if (!killed && acked >= KILL_AFTER && round < ROUNDS - 1) {
              killed = true;
              child.kill('SIGKILL');
            }
            if (killed) return;
          }
        };
        await Promise.all(Array.from({ length: CONNECTIONS }, fire));
        if (!killed) child.kill('SIGKILL');
        await exited;
        await pool.destroy();
      }

      // After the crashes, a retried delivery is acknowledged as a duplicate, not stored again.
      const { child, port } = await serve(hiveDir, databaseUrl);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 8 });
      const retried = [...acknowledged].slice(0, 200);
      const duplicates = await Promise.all(
        retried.map(async (key) => {
          const id = key.slice('id:'.length);
          const response = await pool.request({
            method: 'POST',
            path: '/webhooks/clay',
            headers: {
              'content-type': 'application/json',
              'x-clay-webhook-secret': SECRETS.CLAY_WEBHOOK_SECRET,
            },
            body: JSON.stringify({ event_id: id, email: `${id}@acme.io` }),
          });
          return ((await response.body.json()) as { duplicate?: boolean }).duplicate;
        }),
      );
      expect(duplicates.every((duplicate) => duplicate === true)).toBe(true);
      child.kill('SIGKILL');
      await exited;
      await pool.destroy();

      const record = await createRecordStore({ HIVE_DIR: hiveDir, DATABASE_URL: databaseUrl });
      try {
        if (kind === 'sqlite')
          expect(record.db.sqlite?.pragma('integrity_check', { simple: true })).toBe('ok');
        const keys = (
          await record.db.kysely
            .selectFrom('webhook_events')
            .select('idempotency_key as key')
            .where('source', '=', 'clay')
            .execute()
        ).map((row) => row.key);
        const stored = new Set(keys);
        expect(keys.length).toBe(stored.size); // no duplicates
        const lost = [...acknowledged].filter((key) => !stored.has(key));
        expect(lost).toEqual([]);
        expect(acknowledged.size).toBeGreaterThan(ROUNDS * KILL_AFTER - 1);
        console.log(
          `crash test [${kind}]: ${attempted} attempted, ${acknowledged.size} acknowledged, ${stored.size} stored, 0 lost`,
        );
      } finally {
        await record.close();
      }
    }, 180_000);
  });
}
