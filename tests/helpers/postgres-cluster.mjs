/**
 * A private PostgreSQL server: `initdb` into a temp folder and `postgres` on an ephemeral port, with
 * Debian's binaries (apt-get install postgresql). Plain JavaScript so that both the tests (through
 * postgres-server.ts, which adds the shared-server helpers) and the benchmarks (bench/*.mjs, run by
 * plain node) start it the same way. As root (CI), the server runs as the `postgres` user; runuser
 * does not forward signals, so the server is stopped with `pg_ctl` and killed by its own pid.
 *
 * `durable: true` (benchmarks) keeps PostgreSQL's defaults, fsync and synchronous_commit on: a COMMIT
 * is on disk before it returns, as with SQLite's synchronous=FULL. Tests run with fsync off.
 * Types: postgres-cluster.d.mts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.mjs';

function findBinDir() {
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

const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

function asServerUser(command, args) {
  return IS_ROOT ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function query(url, text) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  // A server shutting down (a fault test stops it) ends idle sessions with 57P01: an 'error' event
  // that, unheard, is an uncaught exception in the test process. The query or connect rejects anyway.
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end().catch(() => {});
  }
}

async function canConnect(url) {
  try {
    await query(url, 'select 1');
    return true;
  } catch {
    return false;
  }
}

function portClosed(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function until(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`postgres: ${what} did not happen in ${timeoutMs} ms`);
}

/** The postmaster's pid, from the first line of postmaster.pid (undefined when not running). */
function postmasterPid(data) {
  try {
    const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** @param {{ durable?: boolean, maxConnections?: number }} [options] */
export async function startPostgres(options = {}) {
  if (!BIN_DIR) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const bin = BIN_DIR;
  const dir = mkdtempSync(join(tmpdir(), 'caio-pg-'));
  const data = join(dir, 'data');
  if (IS_ROOT) {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
  }
  const [initCmd, initArgs] = asServerUser(join(bin, 'initdb'), [
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
  const settings = options.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off'];
  let child;

  const start = async () => {
    const [cmd, args] = asServerUser(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-h',
      '127.0.0.1',
      '-k',
      dir,
      ...settings,
      '-c',
      `max_connections=${options.maxConnections ?? 300}`,
    ]);
    child = spawn(cmd, args, { stdio: 'ignore' });
    await until('start', () => canConnect(url));
  };
  const halt = async (signal) => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    if (IS_ROOT) {
      // runuser does not forward signals to the server: signal postgres itself.
      if (signal === 'SIGKILL') {
        const pid = postmasterPid(data);
        if (pid !== undefined) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      } else {
        const [stopCmd, stopArgs] = asServerUser(join(bin, 'pg_ctl'), [
          'stop',
          '-D',
          data,
          '-m',
          'fast',
          '-w',
        ]);
        spawnSync(stopCmd, stopArgs, { timeout: 20_000, stdio: 'ignore' });
      }
    }
    current.kill(signal);
    await exited;
    await until('stop', () => portClosed(port));
  };

  await start();
  const urlFor = (database) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    urlFor,
    async createDatabase(prefix = 'caio_test') {
      const name = `${prefix}_${randomBytes(6).toString('hex')}`;
      await query(url, `create database ${name}`);
      return urlFor(name);
    },
    async dropDatabase(databaseUrl) {
      const name = new URL(databaseUrl).pathname.slice(1);
      await query(url, `drop database if exists ${name} with (force)`);
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
