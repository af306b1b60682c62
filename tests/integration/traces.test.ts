import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createTraceWriter,
  listTraceArchive,
  pruneTraces,
  tailTraces,
  traceStats,
} from '../../src/runtime/services/traces.js';
import type { TraceEnvelope } from '../../src/runtime/domain/trace-envelope.js';
import { useTempDir } from '../helpers/temp.js';

const WORKER = fileURLToPath(new URL('./traces-writer.worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DAY = 86_400_000;
const NOW = Date.parse('2026-11-21T12:00:00.000Z');

function envelope(tool: string, ts: number, extra: Partial<TraceEnvelope> = {}): TraceEnvelope {
  return {
    correlation_id: `c-${tool}`,
    case_id: null,
    agent: 'test',
    tool_name: tool,
    tool_input_summary: '',
    tool_output_summary: '',
    retrieved_context_refs: [],
    status: 'success',
    duration_ms: 1,
    error_code: null,
    error_message: null,
    ts: new Date(ts).toISOString(),
    ...extra,
  };
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');

function runWorker(file: string, actor: string) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER, file, actor], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exit = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, out, err })),
  );
  return { child, exit, output: () => out };
}

describe('trace files', () => {
  const tempDir = useTempDir();

  it('prune drops old envelopes, keeps new and unreadable lines, atomically', async () => {
    const file = join(tempDir(), 'traces', 't.jsonl');
    const writer = createTraceWriter({ file, enabled: true, now: () => NOW - 40 * DAY });
    writer.record({ tool_name: 'old', status: 'success' });
    writer.close();
    appendFileSync(file, `${JSON.stringify(envelope('recent', NOW - 2 * DAY))}\nnot json at all\n`);
    appendFileSync(file, `${JSON.stringify(envelope('edge', NOW - 30 * DAY))}\n`);

    const dry = await pruneTraces(file, 30, NOW, { dryRun: true });
    expect(dry).toMatchObject({ dry_run: true, kept: 3, dropped: 1, malformed: 1 });
    expect(lines(file)).toHaveLength(4);

    const result = await pruneTraces(file, 30, NOW);
    expect(result).toMatchObject({ dry_run: false, kept: 3, dropped: 1, malformed: 1, appended_bytes: 0 });
    expect(lines(file).map((line) => (line.startsWith('{') ? JSON.parse(line).tool_name : line))).toEqual([
      'recent',
      'not json at all',
      'edge',
    ]);
    expect(result.bytes_after).toBeLessThan(result.bytes_before);
    expect(await pruneTraces(join(tempDir(), 'missing.jsonl'), 30, NOW)).toMatchObject({
      kept: 0,
      dropped: 0,
    });
    const inode = statSync(file).ino;
    expect(await pruneTraces(file, 30, NOW)).toMatchObject({ kept: 3, dropped: 0 });
    expect(statSync(file).ino).toBe(inode);
  });

  it('tail filters by status and correlation id and keeps the last N; stats count by status and tool', async () => {
    const file = join(tempDir(), 't.jsonl');
    writeFileSync(
      file,
      [
        envelope('a', NOW - 3000),
        envelope('b', NOW - 2000, { status: 'error', correlation_id: 'x' }),
        envelope('a', NOW - 1000, { status: 'error' }),
        envelope('c', NOW, { correlation_id: 'x' }),
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n{broken\n',
    );
    expect((await tailTraces(file, { limit: 2 })).envelopes.map((e) => e.tool_name)).toEqual(['a', 'c']);
    expect(
      (await tailTraces(file, { limit: 10, status: 'error' })).envelopes.map((e) => e.tool_name),
    ).toEqual(['b', 'a']);
    expect(
      (await tailTraces(file, { limit: 10, correlationId: 'x' })).envelopes.map((e) => e.tool_name),
    ).toEqual(['b', 'c']);
    const stats = await traceStats(file);
    expect(stats).toMatchObject({
      exists: true,
      count: 4,
      malformed: 1,
      by_status: { success: 2, error: 2 },
      by_tool: { a: 2, b: 1, c: 1 },
      oldest: new Date(NOW - 3000).toISOString(),
      newest: new Date(NOW).toISOString(),
    });
    expect(stats.size_bytes).toBe(readFileSync(file).length);
    expect(await traceStats(join(tempDir(), 'none.jsonl'))).toMatchObject({ exists: false, count: 0 });
  });

  it('never loses a line appended by other processes while prune runs', async () => {
    const file = join(tempDir(), 't.jsonl');
    // A large backlog of expired lines, so the first prunes have real work to do.
    const old = JSON.stringify(envelope('expired', Date.now() - 90 * DAY));
    writeFileSync(file, `${old}\n`.repeat(20_000));

    const workers = [runWorker(file, 'w1'), runWorker(file, 'w2')];
    const deadline = Date.now() + 60_000;
    while (!workers.every((w) => w.output().includes('ready'))) {
      if (Date.now() > deadline) throw new Error(`workers did not start: ${workers.map((w) => w.output())}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const prunes = 25;
    let carried = 0;
    let dropped = 0;
    const expired = createTraceWriter({ file, enabled: true, now: () => Date.now() - 60 * DAY });
    for (let i = 0; i < prunes; i++) {
      // Fresh expired lines every round, so every prune really rewrites the file.
      for (let j = 0; j < 500; j++) expired.record({ tool_name: 'expired', status: 'success' });
      const result = await pruneTraces(file, 30, Date.now());
      carried += result.appended_bytes;
      dropped += result.dropped;
    }
    expired.close();
    for (const w of workers) w.child.kill('SIGTERM');
    const exits = await Promise.all(workers.map((w) => w.exit));
    expect(exits.map((e) => [e.code, e.err])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    const counts = exits.map((e) => {
      const match = /done count=(\d+) failures=(\d+)/.exec(e.out);
      expect(match?.[2]).toBe('0');
      return Number(match?.[1]);
    });

    const seen = new Map<string, number[]>();
    for (const line of lines(file)) {
      const parsed = JSON.parse(line) as TraceEnvelope;
      const list = seen.get(parsed.tool_name) ?? [];
      list.push(Number(parsed.tool_input_summary));
      seen.set(parsed.tool_name, list);
    }
    expect(seen.has('expired')).toBe(false);
    expect(seen.get('w1')).toEqual(Array.from({ length: counts[0] ?? 0 }, (_, i) => i));
    expect(seen.get('w2')).toEqual(Array.from({ length: counts[1] ?? 0 }, (_, i) => i));
    // The race was real: the prunes carried over lines appended while they ran.
    expect(carried).toBeGreaterThan(0);
    expect(dropped).toBe(20_000 + prunes * 500);
    // Every dropped line was archived first: exactly once, nothing else.
    const archived = listTraceArchive(join(dirname(file), 'archive')).flatMap((f) =>
      gunzipSync(readFileSync(f.file)).toString('utf8').split('\n').filter(Boolean),
    );
    expect(archived).toHaveLength(dropped);
    expect(archived.every((line) => (JSON.parse(line) as TraceEnvelope).tool_name === 'expired')).toBe(true);
  }, 90_000);

  it('archives expired envelopes by UTC day into .jsonl.gz before removing them', async () => {
    const dir = tempDir();
    const file = join(dir, 'traces', 't.jsonl');
    const archiveDir = join(dir, 'archive');
    const write = (tool: string, ts: number) =>
      appendFileSync(file, `${JSON.stringify(envelope(tool, ts))}\n`);
    mkdirSync(dirname(file), { recursive: true });
    write('a', Date.parse('2026-10-01T10:00:00Z'));
    write('b', Date.parse('2026-10-01T23:59:59Z'));
    write('c', Date.parse('2026-10-02T00:00:01Z'));
    write('fresh', NOW - DAY);
    const dry = await pruneTraces(file, 30, NOW, { dryRun: true, archiveDir });
    expect(dry.archived).toEqual({ '2026-10-01.jsonl.gz': 2, '2026-10-02.jsonl.gz': 1 });
    expect(listTraceArchive(archiveDir)).toEqual([]);

    const result = await pruneTraces(file, 30, NOW, { archiveDir });
    expect(result).toMatchObject({ dropped: 3, kept: 1, archived: dry.archived, archive_dir: archiveDir });
    const read = (day: string) =>
      gunzipSync(readFileSync(join(archiveDir, `${day}.jsonl.gz`)))
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as TraceEnvelope).tool_name);
    expect(read('2026-10-01')).toEqual(['a', 'b']);
    expect(read('2026-10-02')).toEqual(['c']);
    expect(lines(file).map((line) => (JSON.parse(line) as TraceEnvelope).tool_name)).toEqual(['fresh']);
    expect((statSync(join(archiveDir, '2026-10-01.jsonl.gz')).mode & 0o777).toString(8)).toBe('600');

    // A later prune appends to the same day's archive (a second gzip member).
    write('d', Date.parse('2026-10-01T12:00:00Z'));
    await pruneTraces(file, 30, NOW, { archiveDir });
    expect(read('2026-10-01')).toEqual(['a', 'b', 'd']);
    expect(listTraceArchive(archiveDir).map((f) => f.day)).toEqual(['2026-10-01', '2026-10-02']);
    // No temp files left behind.
    expect(readdirSync(archiveDir).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
