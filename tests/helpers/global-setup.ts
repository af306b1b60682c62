import { REDIS_AVAILABLE, REDIS_REQUIRED_FOR_TESTS } from './redis-server.js';

export default function setup(): void {
  if (REDIS_AVAILABLE) return;
  if (REDIS_REQUIRED_FOR_TESTS) {
    throw new Error(
      'CAIO_REQUIRE_REDIS=1 but redis-server is not installed: Redis tests cannot be skipped here.',
    );
  }
  const bar = '!'.repeat(78);
  console.warn(
    `\n${bar}\n  redis-server not found: every Redis test is SKIPPED.\n  Install it (apt-get install redis-server) to run them.\n${bar}\n`,
  );
}
