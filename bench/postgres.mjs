/**
 * A private PostgreSQL for benchmarks: the tests' server starter (tests/helpers/postgres-cluster.mjs)
 * with PostgreSQL's durable defaults (fsync on, synchronous_commit on: a commit is on disk before the
 * 2xx, as with SQLite's synchronous=FULL). Undefined when PostgreSQL is not installed. Each
 * `createDatabase()` is fresh, so every measured server starts from an empty record.
 */
import { POSTGRES_AVAILABLE, startPostgres } from '../tests/helpers/postgres-cluster.mjs';

export async function startBenchPostgres() {
  if (!POSTGRES_AVAILABLE) return undefined;
  const server = await startPostgres({ durable: true, maxConnections: 200 });
  return {
    async createDatabase() {
      const url = await server.createDatabase('caio_bench');
      return { url, drop: () => server.dropDatabase(url) };
    },
    stop: () => server.close(),
  };
}
