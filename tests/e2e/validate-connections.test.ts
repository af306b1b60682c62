import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/postgres-server.js';
import { POSTGRES_FOR_TESTS } from '../helpers/record.js';
import { REDIS_AVAILABLE, startRedis } from '../helpers/redis-server.js';
import { useTempDir } from '../helpers/temp.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('caio validate --check-connections (spawned CLI)', () => {
  const tempDir = useTempDir();

  it('a dead Redis fails the run with a clear reason and exit 1', async () => {
    const port = await closedPort();
    const result = await runCli(['validate', '--check-connections'], {
      cwd: tempDir(),
      env: { REDIS_URL: `redis://127.0.0.1:${port}` },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^FAIL redis\\.ping\\s+cannot reach redis://127\\.0\\.0\\.1:${port}/?: connect ECONNREFUSED`,
        'm',
      ),
    );
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('Result: FAIL');
  });

  (REDIS_AVAILABLE ? it : it.skip)(
    'a Redis without persistence is a warning that loses no fact',
    async () => {
      const redis = await startRedis();
      try {
        const result = await runCli(['validate', '--check-connections'], {
          cwd: tempDir(),
          env: { REDIS_URL: redis.url },
        });
        expect(result.stdout).toMatch(
          /^WARN redis\.persistence\s+no persistence configured .*the record keeps every fact/m,
        );
        expect(result.stdout).not.toContain('loses queue');
      } finally {
        await redis.close();
      }
    },
  );

  it('an unreachable DATABASE_URL fails postgres.connect naming it and the fix, exit 1', async () => {
    const port = await closedPort();
    const result = await runCli(['validate', '--check-connections'], {
      cwd: tempDir(),
      env: { DATABASE_URL: `postgres://caio:secret@127.0.0.1:${port}/caio` },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^FAIL postgres\\.connect\\s+cannot use postgres://127\\.0\\.0\\.1:${port}/caio: connect ECONNREFUSED.* — fix: Start PostgreSQL or correct DATABASE_URL`,
        'm',
      ),
    );
    expect(result.stdout).not.toContain('secret');
  });

  (POSTGRES_FOR_TESTS ? it : it.skip)('a reachable DATABASE_URL passes with its schema version', async () => {
    const database = await createTestDatabase('caio_validate');
    try {
      const result = await runCli(['validate', '--check-connections'], {
        cwd: tempDir(),
        env: { DATABASE_URL: database.url },
      });
      expect(result.stdout).toMatch(/^PASS postgres\.connect\s+postgres:\/\/.* schema not created yet/m);
    } finally {
      await database.drop();
    }
  });
});
