/**
 * Console benchmark: the Queue screen at 80x24 over N drafts (default 100,000) against the same
 * screen over 40 drafts (the baseline, measured in the same run), through Ink's real render path
 * into a TTY-like stream. For each case:
 *   - start to first rows: mount to the first frame that shows a draft;
 *   - cursor move (`j`/`k`): key to frame written, and the bytes of that frame;
 *   - filter keystroke (`/` then one character at a time): key to the frame that shows the rows of
 *     the new filter (its count from the record), not just the echoed character.
 * Goals at N drafts: <= 33 ms and <= 1.5x the 40-draft time per move and per filter keystroke.
 *
 * The screen asks `services.queue.page(query)` for the rows on screen, never the whole queue:
 *   - default: the page query over drafts in an array (an ideal index: what the record's indexed
 *     query should approach);
 *   - `--hive DIR`: the real `QueueService.page` over the store in DIR (import drafts there first,
 *     e.g. `node bench/draft-lines.mjs 100000 > d.jsonl && HIVE_DIR=DIR bin/caio queue import d.jsonl`);
 *     the figures are then those of whatever `QueueService.page` is today.
 *
 *   - `--hive DIR --remote`: the same store read by the local console (the baseline) and by the
 *     remote console (`caio console --remote`) over a `caio serve` app on port 0 in this process,
 *     through the authenticated API; goal: remote <= 1.5x local per move and per filter keystroke.
 *
 * Run: node --import tsx bench/console.tsx [--drafts N] [--moves M] [--keys K] [--hive DIR [--remote]]
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { render } from 'ink';
import { App } from '../src/app.js';
import { parseConfig } from '../src/runtime/config.js';
import { createRuntime } from '../src/runtime/services/runtime.js';
import { createRuntimeServices } from '../src/screens/runtime-services.js';
import { createRemoteClient, probeRemote } from '../src/screens/remote-client.js';
import { createRemoteServices, type QueueSummary } from '../src/screens/remote-services.js';
import { startServer } from '../src/server/start.js';
import type { ConsoleServices, DraftView, QueuePort } from '../src/screens/services.js';
import { arrayQueuePage } from '../tests/helpers/array-queue-page.js';

process.env.NODE_ENV ??= 'production';
const { values: flags } = parseArgs({
  options: {
    drafts: { type: 'string', default: '100000' },
    moves: { type: 'string', default: '200' },
    keys: { type: 'string', default: '5' },
    hive: { type: 'string' },
    remote: { type: 'boolean', default: false },
  },
});
const DRAFTS = Number(flags.drafts);
const MOVES = Number(flags.moves);
const SIZE = { columns: 80, rows: 24 };
const NOW = Date.parse('2026-11-21T12:00:00Z');
/** Typed one character at a time; each narrows the rows (and changes the count). */
const FILTER = 'lead1@company1'.slice(0, Math.max(1, Number(flags.keys)));

class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly columns = SIZE.columns;
  readonly rows = SIZE.rows;
  bytes = 0;
  last = '';
  lastWriteAt = 0;
  private chunks: string[] = [];
  write = (chunk: string): boolean => {
    this.bytes += Buffer.byteLength(chunk);
    // A frame is a few writes (synchronised-output markers around the content): keep the last few.
    this.chunks.push(chunk);
    if (this.chunks.length > 4) this.chunks.shift();
    this.last = this.chunks.join('');
    this.lastWriteAt = performance.now();
    this.emit('written');
    return true;
  };
}

class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = (): string | null => {
    const data = this.data;
    this.data = null;
    return data;
  };
  press(data: string) {
    this.data = data;
    this.emit('readable');
  }
}

function drafts(count: number): DraftView[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `d${String(i).padStart(6, '0')}`,
    status: i % 5 === 0 ? 'approved' : 'pending',
    email: `lead${i}@company${i % 997}.example`,
    name: `Lead ${i}`,
    company: `Company ${i % 97}`,
    title: 'VP Sales',
    segment: 'mid-market',
    subject: `Ramping new reps at Company ${i % 97} (${i})`,
    body: `Hi Lead ${i},\nSaw Company ${i % 97} is hiring SDRs. Would a 20-minute call next week help?`,
    context: [{ ref: `rb2b:visit:${i}`, text: 'Visited the pricing page twice this week.' }],
    findings:
      i % 3 === 0
        ? [{ rule: 'length.max', category: 'tone', severity: 'minor', message: 'Body is long' }]
        : [],
    createdAt: new Date(NOW - (count - i) * 60_000).toISOString(),
    decidedBy: undefined,
    rejection: undefined,
    duplicateOf: undefined,
  }));
}

const unavailable = () => Promise.reject(new Error('not in the benchmark'));

function arrayServices(rows: readonly DraftView[]): ConsoleServices {
  const queue: QueuePort = {
    taxonomy: ['tone'],
    slaMinutes: 0,
    page: async (query) => arrayQueuePage(rows, query),
    changeToken: async () => 'still',
    header: async () => ({ approvalsUsed: 0, approvalsCapacity: 30, slaBreaches: 0 }),
    approve: unavailable,
    reject: unavailable,
    undo: unavailable,
    approveMany: unavailable,
  };
  return {
    actor: 'bench',
    now: () => NOW,
    server: { url: undefined, note: 'benchmark' },
    health: unavailable,
    overview: unavailable,
    queue,
    batches: undefined,
    release: undefined,
    traces: undefined,
    webhooks: undefined,
    scorecard: undefined,
  };
}

interface Result {
  label: string;
  firstRowsMs: number;
  moveMedianMs: number;
  moveP95Ms: number;
  bytesPerFrame: number;
  filterMedianMs: number;
  filterMaxMs: number;
}

const ms = (n: number) => `${n.toFixed(2).padStart(9)} ms`;
const settle = () => new Promise((resolve) => setTimeout(resolve, 2));
function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Wait until the frame written last satisfies `test`; the time of that write. */
async function frameWhere(
  stdout: FakeStdout,
  test: (frame: string) => boolean,
  what: string,
): Promise<number> {
  const deadline = Date.now() + 120_000;
  while (!test(stdout.last)) {
    if (Date.now() > deadline)
      throw new Error(`no frame with ${what} within 120 s; last frame:\n${stdout.last}`);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stdout.off('written', done);
        resolve();
      };
      const timer = setTimeout(done, 100);
      stdout.on('written', done);
    });
  }
  return stdout.lastWriteAt;
}

async function measure(label: string, services: ConsoleServices): Promise<Result> {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  const started = performance.now();
  const instance = render(<App services={services} size={SIZE} colors={false} initialScreen="queue" />, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 1000,
  });
  const firstRowsAt = await frameWhere(stdout, (f) => /pending|approved/.test(f), 'the first rows');
  await settle();

  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < MOVES; i += 1) {
    const before = stdout.bytes;
    const written = new Promise((resolve) => stdout.once('written', resolve));
    const start = performance.now();
    // Down 30 rows, up 30, …: never at an end (where a key changes nothing), paging either way.
    stdin.press(Math.floor(i / 30) % 2 === 0 ? 'j' : 'k');
    await written;
    await settle();
    times.push(stdout.lastWriteAt - start);
    bytes += stdout.bytes - before;
  }
  times.sort((a, b) => a - b);

  // Filter keystrokes: the frame that counts is the one showing the new filter's count.
  const port = services.queue!;
  stdin.press('/');
  await frameWhere(stdout, (f) => f.includes('/█'), 'the filter prompt');
  await settle();
  const filterTimes: number[] = [];
  for (let n = 1; n <= FILTER.length; n += 1) {
    const typed = FILTER.slice(0, n);
    const expected = (await port.page({ pattern: typed, limit: 1 })).total;
    const start = performance.now();
    stdin.press(typed.at(-1)!);
    const at = await frameWhere(stdout, (f) => f.includes(`/${typed}█  ${expected} matching`), `"${typed}"`);
    filterTimes.push(at - start);
    await settle();
  }
  filterTimes.sort((a, b) => a - b);
  instance.unmount();
  instance.cleanup();
  return {
    label,
    firstRowsMs: firstRowsAt - started,
    moveMedianMs: quantile(times, 0.5),
    moveP95Ms: quantile(times, 0.95),
    bytesPerFrame: bytes / MOVES,
    filterMedianMs: quantile(filterTimes, 0.5),
    filterMaxMs: filterTimes.at(-1) ?? Number.NaN,
  };
}

async function hiveServices(dir: string): Promise<{ services: ConsoleServices; close(): Promise<void> }> {
  const runtime = await createRuntime(parseConfig({ ...process.env, HIVE_DIR: dir }));
  const services = createRuntimeServices(runtime, {
    actor: 'bench',
    server: { url: undefined, note: 'bench' },
  });
  return { services, close: () => runtime.close() };
}

if (flags.remote) {
  if (!flags.hive)
    throw new Error('--remote compares against the local console over a store: pass --hive DIR too');
  process.exitCode = await compareRemote(flags.hive);
} else {
  process.exitCode = await compareSizes();
}

/** Local console vs remote console over the same store: the remote's ratio is the figure. */
async function compareRemote(dir: string): Promise<number> {
  const token = 'tok_bench_remote_4f60a5b8c9d0e1f2a3b4c5d6e7f8';
  const runtime = await createRuntime(
    parseConfig({
      ...process.env,
      HIVE_DIR: dir,
      DASHBOARD_AUTH_TOKEN: token,
      TRACE_ENVELOPE_ENABLED: 'false',
    }),
  );
  const local = createRuntimeServices(runtime, { actor: 'bench', server: { url: undefined, note: 'bench' } });
  const server = await startServer(runtime, { port: 0, host: '127.0.0.1', background: false });
  const client = createRemoteClient({ url: server.url, token });
  const identity = await probeRemote(client, token);
  const summary = await client.request<QueueSummary>('GET', '/api/queue/summary');
  const remote = createRemoteServices({ client, identity, url: server.url, token, summary, now: () => NOW });
  try {
    const total = (await local.queue!.page({ limit: 1 })).total;
    const l = await measure('local console', local);
    const r = await measure('remote console', remote.services);
    print(`QueueService.page over the store in ${dir} (${total.toLocaleString('en')} drafts)`, [l, r]);
    const moveRatio = r.moveMedianMs / l.moveMedianMs;
    const filterRatio = r.filterMedianMs / l.filterMedianMs;
    console.log('');
    console.log(`cursor move: remote x${moveRatio.toFixed(2)} the local console (goal <= 1.5)`);
    console.log(`filter keystroke: remote x${filterRatio.toFixed(2)} the local console (goal <= 1.5)`);
    const ok = moveRatio <= 1.5 && filterRatio <= 1.5;
    console.log(`Result: ${ok ? 'PASS' : 'FAIL'}`);
    return ok ? 0 : 1;
  } finally {
    remote.close();
    await server.close();
    await runtime.close();
  }
}

function print(source: string, results: readonly Result[]): void {
  console.log(
    `Console benchmark at ${SIZE.columns}x${SIZE.rows}: ${MOVES} cursor moves, filter "${FILTER}" typed key by key`,
  );
  console.log(`Rows from: ${source}`);
  console.log(
    `${'case'.padEnd(26)} ${'first rows'.padStart(12)} ${'move med'.padStart(12)} ${'move p95'.padStart(12)} ${'B/frame'.padStart(8)} ${'filter med'.padStart(12)} ${'filter max'.padStart(12)}`,
  );
  for (const r of results) {
    console.log(
      `${r.label.padEnd(26)} ${ms(r.firstRowsMs)} ${ms(r.moveMedianMs)} ${ms(r.moveP95Ms)} ${r.bytesPerFrame.toFixed(0).padStart(8)} ${ms(r.filterMedianMs)} ${ms(r.filterMaxMs)}`,
    );
  }
}

async function compareSizes(): Promise<number> {
  const small = await measure('40 drafts (baseline)', arrayServices(drafts(40)));
  let large: Result;
  let source: string;
  if (flags.hive) {
    const hive = await hiveServices(flags.hive);
    // Measured cold: the first page is the first read of the store in this process.
    large = await measure('store (--hive)', hive.services);
    const total = (await hive.services.queue!.page({ limit: 1 })).total;
    source = `QueueService.page over the store in ${flags.hive} (${total.toLocaleString('en')} drafts)`;
    await hive.close();
  } else {
    source = 'the page query over an array (an ideal index)';
    large = await measure(`${DRAFTS.toLocaleString('en')} drafts`, arrayServices(drafts(DRAFTS)));
  }

  print(source, [small, large]);
  const moveRatio = large.moveMedianMs / small.moveMedianMs;
  const filterRatio = large.filterMedianMs / small.filterMedianMs;
  console.log('');
  console.log(
    `cursor move: x${moveRatio.toFixed(2)} the 40-draft time (goal <= 1.5), ${large.moveMedianMs.toFixed(2)} ms (goal <= 33)`,
  );
  console.log(
    `filter keystroke: x${filterRatio.toFixed(2)} the 40-draft time (goal <= 1.5), ${large.filterMedianMs.toFixed(2)} ms (goal <= 33)`,
  );
  console.log(
    `start to first rows: ${large.firstRowsMs.toFixed(0)} ms (40 drafts: ${small.firstRowsMs.toFixed(0)} ms)`,
  );
  const ok = large.moveMedianMs <= 33 && moveRatio <= 1.5 && large.filterMedianMs <= 33 && filterRatio <= 1.5;
  console.log(`Result: ${ok ? 'PASS' : 'FAIL'}`);
  return ok ? 0 : 1;
}
