/**
 * Spawn state-store workers (tests/helpers/workers/state-worker.ts) as separate node processes and talk
 * to them over JSON lines.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { WorkerSpec } from './workers/state-worker.js';

const WORKER = fileURLToPath(new URL('./workers/state-worker.ts', import.meta.url));

export interface WorkerEvent {
  event: string;
  [key: string]: unknown;
}

export interface Worker {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first event of that name (events already seen count). */
  next(event: string): Promise<WorkerEvent>;
  send(line: string): void;
  exited: Promise<number | null>;
}

export function spawnWorker(spec: WorkerSpec): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(spec)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const seen: WorkerEvent[] = [];
  const waiters: { event: string; resolve: (e: WorkerEvent) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    let parsed: WorkerEvent;
    try {
      parsed = JSON.parse(line) as WorkerEvent;
    } catch {
      return;
    }
    seen.push(parsed);
    for (const waiter of waiters.filter((w) => w.event === parsed.event)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(parsed);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    next(event) {
      const found = seen.find((e) => e.event === event || e.event === 'error');
      if (found?.event === 'error')
        return Promise.reject(new Error(`worker ${spec.id}: ${String(found.message)}`));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        waiters.push({ event, resolve });
        waiters.push({
          event: 'error',
          resolve: (e) => reject(new Error(`worker ${spec.id}: ${String(e.message)}`)),
        });
        void exited.then((code) =>
          reject(new Error(`worker ${spec.id} exited (${code}) before "${event}": ${stderr.slice(-500)}`)),
        );
      });
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
  };
}

/** Start workers, wait until each is ready, then release them all at once. */
export async function startTogether(specs: WorkerSpec[]): Promise<Worker[]> {
  const workers = specs.map(spawnWorker);
  await Promise.all(workers.map((w) => w.next('ready')));
  for (const w of workers) w.send('go');
  return workers;
}

export function killAll(workers: Worker[]): void {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
}
