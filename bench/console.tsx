/**
 * Console benchmark: the Queue screen at 80x24 with 10,000 drafts against the same screen with 40
 * drafts (the baseline, measured in the same run). Per cursor move (`j`, Ink's real render path into
 * a TTY-like stream): time from the key to the frame written, and the bytes of that frame. Prints the
 * ratios; goals at 10,000 rows: <= 33 ms per move, <= 1.5x the 40-row time, bytes/frame <= 1.2x.
 * For contrast it also times an unwindowed list (every row rendered, clipped by the layout).
 *
 * Run: node --import tsx bench/console.tsx [moves]
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Box, Text, render, useInput } from 'ink';
import { useState } from 'react';
import { App } from '../src/app.js';
import type { ConsoleServices, DraftView } from '../src/screens/services.js';

const MOVES = Number(process.argv[2] ?? 200);
const SIZE = { columns: 80, rows: 24 };
const NOW = Date.parse('2026-11-21T12:00:00Z');

class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly columns = SIZE.columns;
  readonly rows = SIZE.rows;
  bytes = 0;
  writes = 0;
  /** performance.now() of the latest write: a frame is several writes (sync markers, content). */
  lastWriteAt = 0;
  write = (chunk: string): boolean => {
    this.bytes += Buffer.byteLength(chunk);
    this.writes += 1;
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
    email: `lead${i}@company${i % 97}.example`,
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
    createdAt: new Date(NOW - i * 60_000).toISOString(),
    decidedBy: undefined,
    rejection: undefined,
  }));
}

function services(rows: readonly DraftView[]): ConsoleServices {
  const unavailable = () => Promise.reject(new Error('not in the benchmark'));
  return {
    actor: 'bench',
    now: () => NOW,
    server: { url: undefined, note: 'benchmark' },
    health: unavailable,
    overview: unavailable,
    queue: {
      taxonomy: ['tone'],
      list: async () => rows,
      approve: unavailable,
      reject: unavailable,
      undo: unavailable,
      approveMany: unavailable,
    },
    batches: undefined,
    release: undefined,
    traces: undefined,
    webhooks: undefined,
    scorecard: undefined,
  };
}

interface Result {
  label: string;
  medianMs: number;
  p95Ms: number;
  bytesPerFrame: number;
}

/** The next frame written; a move that writes nothing within 10 s is a bug, not a fast frame. */
const nextWrite = (stdout: FakeStdout) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no frame written within 10 s of a key')), 10_000);
    stdout.once('written', () => {
      clearTimeout(timer);
      resolve();
    });
  });
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Mount `node`, wait for the table, then time `moves` cursor moves (j/k). */
async function measure(label: string, node: React.ReactElement, moves: number): Promise<Result> {
  const stdout = new FakeStdout();
  const stdin = new FakeStdin();
  let last = '';
  const originalWrite = stdout.write;
  stdout.write = (chunk: string) => {
    last = chunk;
    return originalWrite(chunk);
  };
  const instance = render(node, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 1000,
  });
  const deadline = Date.now() + 30_000;
  while (!last.includes('STATUS') && Date.now() < deadline) await settle();
  await settle();
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < moves; i += 1) {
    const before = stdout.bytes;
    const written = nextWrite(stdout);
    const start = performance.now();
    // Down 30 rows, up 30, …: never at an end (where a key changes nothing), scrolling either way.
    stdin.press(Math.floor(i / 30) % 2 === 0 ? 'j' : 'k');
    await written.catch((error: Error) => {
      throw new Error(`${label}, move ${i + 1}: ${error.message}; last frame:\n${last}`);
    });
    await settle(); // let Ink's trailing throttle flush, so one move = one frame
    times.push(stdout.lastWriteAt - start);
    bytes += stdout.bytes - before;
  }
  instance.unmount();
  instance.cleanup();
  times.sort((a, b) => a - b);
  return {
    label,
    medianMs: quantile(times, 0.5),
    p95Ms: quantile(times, 0.95),
    bytesPerFrame: bytes / moves,
  };
}

function app(rows: readonly DraftView[]) {
  return <App services={services(rows)} size={SIZE} colors={false} initialScreen="queue" />;
}

/** What an unwindowed list does: every row rendered and scrolled, the layout clipping the rest. */
function Unwindowed({ rows, cursor }: { rows: readonly DraftView[]; cursor: number }) {
  const height = SIZE.rows - 2;
  return (
    <Box flexDirection="column" height={SIZE.rows - 1} overflow="hidden">
      <Text>STATUS LEAD</Text>
      <Box flexDirection="column" marginTop={-Math.max(0, cursor - height + 1)} flexShrink={0}>
        {rows.map((d, i) => (
          <Text key={d.id} inverse={i === cursor} wrap="truncate">
            {`${i === cursor ? '>' : ' '} ${d.status.padEnd(9)} ${d.email.padEnd(26)} ${d.subject}`}
          </Text>
        ))}
      </Box>
    </Box>
  );
}

function UnwindowedApp({ rows }: { rows: readonly DraftView[] }) {
  const [cursor, setCursor] = useState(0);
  useInput((input) => {
    if (input === 'j') setCursor((c) => c + 1);
    if (input === 'k') setCursor((c) => Math.max(0, c - 1));
  });
  return <Unwindowed rows={rows} cursor={cursor} />;
}

const row = (r: Result) =>
  `${r.label.padEnd(34)} ${r.medianMs.toFixed(2).padStart(8)} ms ${r.p95Ms.toFixed(2).padStart(8)} ms ${r.bytesPerFrame.toFixed(0).padStart(8)} B`;

const small = await measure('windowed, 40 drafts (baseline)', app(drafts(40)), MOVES);
const large = await measure('windowed, 10,000 drafts', app(drafts(10_000)), MOVES);
const naive = await measure('unwindowed, 2,000 rows (contrast)', <UnwindowedApp rows={drafts(2_000)} />, 10);

console.log(`Console benchmark: ${MOVES} cursor moves at ${SIZE.columns}x${SIZE.rows}`);
console.log(
  `${'case'.padEnd(34)} ${'median'.padStart(11)} ${'p95'.padStart(11)} ${'bytes/frame'.padStart(10)}`,
);
for (const r of [small, large, naive]) console.log(row(r));
const timeRatio = large.medianMs / small.medianMs;
const byteRatio = large.bytesPerFrame / small.bytesPerFrame;
console.log('');
console.log(
  `10,000 vs 40 rows: time per move x${timeRatio.toFixed(2)} (goal <= 1.5), bytes per frame x${byteRatio.toFixed(2)} (goal <= 1.2)`,
);
console.log(
  `10,000 rows: ${large.medianMs.toFixed(2)} ms per move (goal <= 33 ms); p95 ${large.p95Ms.toFixed(2)} ms`,
);
console.log(
  `unwindowed 2,000 rows: x${(naive.medianMs / small.medianMs).toFixed(1)} the windowed 40-row time`,
);
const ok = large.medianMs <= 33 && timeRatio <= 1.5 && byteRatio <= 1.2;
console.log(`Result: ${ok ? 'PASS' : 'FAIL'}`);
process.exitCode = ok ? 0 : 1;
