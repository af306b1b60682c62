import { REDIS_AVAILABLE, REDIS_REQUIRED_FOR_TESTS } from './redis-server.js';
import {
  POSTGRES_AVAILABLE,
  POSTGRES_REQUIRED_FOR_TESTS,
  startPostgres,
  type TestPostgres,
} from './postgres-server.js';

const bar = '!'.repeat(78);

function checkRedis(): void {
  if (REDIS_AVAILABLE) return;
  if (REDIS_REQUIRED_FOR_TESTS) {
    throw new Error(
      'CAIO_REQUIRE_REDIS=1 but redis-server is not installed: Redis tests cannot be skipped here.',
    );
  }
  console.warn(
    `\n${bar}\n  redis-server not found: every Redis test is SKIPPED.\n  Install it (apt-get install redis-server) to run them.\n${bar}\n`,
  );
}

/** One private PostgreSQL for the whole run; each test file creates (and drops) its own database. */
export default async function setup(): Promise<() => Promise<void>> {
  checkRedis();
  let server: TestPostgres | undefined;
  if (POSTGRES_AVAILABLE) {
    server = await startPostgres();
    process.env.CAIO_TEST_PG_URL = server.url;
  } else if (POSTGRES_REQUIRED_FOR_TESTS) {
    throw new Error(
      'CAIO_REQUIRE_POSTGRES=1 but PostgreSQL is not installed: record tests on PostgreSQL cannot be skipped here.',
    );
  } else {
    console.warn(
      `\n${bar}\n  PostgreSQL not found: every PostgreSQL record test is SKIPPED.\n  Install it (apt-get install postgresql) to run them.\n${bar}\n`,
    );
  }
  return async () => {
    // Never let a stuck server hold the run open.
    await Promise.race([server?.close(), new Promise((resolve) => setTimeout(resolve, 20_000).unref())]);
  };
}
