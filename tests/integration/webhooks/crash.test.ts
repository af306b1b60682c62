/**
 * Durability under kill -9 (SPEC 6.2): a client fires thousands of unique webhooks at a serving
 * process, which is SIGKILLed mid-stream, several times. Every delivery that got a 2xx must be in
 * the database after the crash, none twice, and SQLite's integrity_check must say ok.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { databasePath, openDatabase } from '../../../src/runtime/stores/sqlite/database.js';
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

function serve(hiveDir: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
      env: { PATH: process.env.PATH ?? '', HIVE_DIR: hiveDir, ...SECRETS },
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

describe('webhooks survive kill -9', () => {
  const hiveDir = mkdtempSync(join(tmpdir(), 'caio-crash-'));
  afterAll(() => {
    for (const child of spawned) child.kill('SIGKILL');
    rmSync(hiveDir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged delivery across ${ROUNDS} crashes`, async () => {
    const acknowledged = new Set<string>();
    let attempted = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { child, port } = await serve(hiveDir);
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
    const { child, port } = await serve(hiveDir);
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

    const db = openDatabase(databasePath(hiveDir));
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const keys = db
        .prepare("SELECT idempotency_key AS key FROM webhook_events WHERE source = 'clay'")
        .all()
        .map((row) => (row as { key: string }).key);
      const stored = new Set(keys);
      expect(keys.length).toBe(stored.size); // no duplicates
      const lost = [...acknowledged].filter((key) => !stored.has(key));
      expect(lost).toEqual([]);
      expect(acknowledged.size).toBeGreaterThan(ROUNDS * KILL_AFTER - 1);
      console.log(
        `crash test: ${attempted} attempted, ${acknowledged.size} acknowledged, ${stored.size} stored, 0 lost`,
      );
    } finally {
      db.close();
    }
  }, 120_000);
});
