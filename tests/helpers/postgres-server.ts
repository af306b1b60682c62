/**
 * A private PostgreSQL server for tests (started by postgres-cluster.mjs, shared with the benchmarks:
 * `initdb` into a temp folder and `postgres` on an ephemeral port, fsync off) and the helpers of the
 * shared test server: `createTestDatabase()` gives each test file its own database.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_AVAILABLE, startPostgres, type TestPostgres } from './postgres-cluster.mjs';

export { POSTGRES_AVAILABLE, startPostgres, type TestPostgres };

/** In CI (`CAIO_REQUIRE_POSTGRES=1`, set by .ci/run) a missing PostgreSQL is a failure, never a skip. */
export const POSTGRES_REQUIRED_FOR_TESTS = process.env.CAIO_REQUIRE_POSTGRES === '1';

/**
 * The shared test server of this vitest run (started by the global setup; its URL arrives in
 * CAIO_TEST_PG_URL), or undefined when PostgreSQL is not installed and not required.
 */
export function sharedTestPostgresUrl(): string | undefined {
  return process.env.CAIO_TEST_PG_URL || undefined;
}

/** A private database on the shared test server; drop it in afterAll. */
export async function createTestDatabase(
  prefix = 'caio_test',
): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = sharedTestPostgresUrl();
  if (!admin) throw new Error('no test PostgreSQL (CAIO_TEST_PG_URL unset: is postgresql installed?)');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  client.on('error', () => {}); // see postgres-cluster.mjs: a stopping server's 57P01
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      c.on('error', () => {});
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
