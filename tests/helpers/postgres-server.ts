/**
 * A private PostgreSQL server for tests: `initdb` into a temp folder and `postgres` on an ephemeral
 * port, with Debian's binaries (apt-get install postgresql). As root (CI), the server runs as the
 * `postgres` user. `stop()`/`start()`/`kill()` let fault tests take it away and bring it back on the
 * same port; `createDatabase()` gives each test file its own database.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => existsSync(join(root, name, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v postgres'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return path ? path.replace(/\/postgres$/, '') : undefined;
}

const BIN_DIR = findBinDir();
export const POSTGRES_AVAILABLE = BIN_DIR !== undefined;

/** In CI (`CAIO_REQUIRE_POSTGRES=1`, set by .ci/run) a missing PostgreSQL is a failure, never a skip. */
export const POSTGRES_REQUIRED_FOR_TESTS = process.env.CAIO_REQUIRE_POSTGRES === '1';

const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

function asServerUser(command: string, args: string[]): [string, string[]] {
  return IS_ROOT ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (the maintenance database). */
  url: string;
  port: number;
  urlFor(database: string): string;
  /** A fresh, empty database; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  dropDatabase(url: string): Promise<void>;
  start(): Promise<void>;
  /** Fast shutdown (SIGINT): clients are disconnected. */
  stop(): Promise<void>;
  /** SIGKILL, like a crash. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`postgres: ${what} did not happen in ${timeoutMs} ms`);
}

export async function startPostgres(): Promise<TestPostgres> {
  if (!BIN_DIR) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'caio-pg-'));
  const data = join(dir, 'data');
  if (IS_ROOT) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
  }
  const [initCmd, initArgs] = asServerUser(join(BIN_DIR, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const [cmd, args] = asServerUser(join(BIN_DIR, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      dir,
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=300',
    ]);
    child = spawn(cmd, args, { stdio: 'ignore' });
    await until('start', () => canConnect(url));
  };
  const halt = async (signal: NodeJS.Signals) => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    if (IS_ROOT) {
      // runuser does not forward signals to the server: signal postgres itself.
      if (signal === 'SIGKILL') spawnSync('pkill', ['-KILL', '-f', `postgres -D ${data}`]);
      else
        spawnSync(
          'runuser',
          ['-u', 'postgres', '--', join(BIN_DIR, 'pg_ctl'), 'stop', '-D', data, '-m', 'fast', '-w'],
          {
            timeout: 20_000,
          },
        );
    }
    current.kill(signal);
    await exited;
    await until('stop', () => portClosed(port));
  };

  await start();
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    urlFor,
    async createDatabase(prefix = 'caio_test') {
      const name = `${prefix}_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    async dropDatabase(databaseUrl: string) {
      const name = new URL(databaseUrl).pathname.slice(1);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
    start,
    stop: () => halt('SIGINT'),
    kill: () => halt('SIGKILL'),
    close: async () => {
      await halt('SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

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
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
