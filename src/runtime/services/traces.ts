/**
 * Trace envelopes on disk (SPEC 5): the JSONL writer, correlation ids carried through async work
 * (AsyncLocalStorage), `span` timing, and the file operations behind `caio traces`: tail, stats and
 * the retention prune.
 *
 * No line is lost to a concurrent prune. Writers and the pruner share a reader-writer lock held in a
 * tiny SQLite file next to the traces (`<file>.lock`, rollback journal): a writer holds the SHARED
 * lock for one open(O_APPEND)+write+close, the pruner takes the EXCLUSIVE lock only for its final
 * step (copy what was appended since it started reading, then rename its temp file over the live
 * one). Writers open the file by path on every append, so after the rename they write to the new
 * file. OS file locks die with their process, so a writer or pruner killed with -9 leaves no stale
 * lock. See docs/audit-and-traces.md.
 */
import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  createReadStream,
  existsSync,
  fsyncSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  buildEnvelope,
  keepLine,
  parseEnvelopeLine,
  retentionCutoff,
  type TraceEnvelope,
  type TraceEnvelopeInput,
} from '../domain/trace-envelope.js';
import { errorMessage, isUserError } from '../errors.js';
import { ensurePrivateFile } from '../private-files.js';
import { createArchiveBuffer, traceArchiveDir } from './trace-archive.js';

export type { TraceEnvelope, TraceEnvelopeInput, TraceStatus } from '../domain/trace-envelope.js';
export { listTraceArchive, traceArchiveDir, type ArchiveFile } from './trace-archive.js';

const LOCK_TIMEOUT_MS = 10_000;
const MAX_PENDING_LINES = 10_000;

// The lock -----------------------------------------------------------------------------------------

interface TraceFileLock {
  shared<T>(fn: () => T): T;
  exclusive<T>(fn: () => T): T;
  close(): void;
}

export function traceLockPath(file: string): string {
  return `${file}.lock`;
}

function openTraceLock(file: string, timeoutMs: number): TraceFileLock {
  ensurePrivateFile(traceLockPath(file));
  const db = new Database(traceLockPath(file));
  db.pragma(`busy_timeout = ${timeoutMs}`);
  // Rollback journal: readers hold SHARED until COMMIT and BEGIN EXCLUSIVE waits for them all.
  db.pragma('journal_mode = DELETE');
  db.exec('CREATE TABLE IF NOT EXISTS trace_lock (id INTEGER PRIMARY KEY)');
  const touch = db.prepare('SELECT count(*) FROM trace_lock').pluck();
  const hold = <T>(begin: string, fn: () => T): T => {
    db.exec(begin);
    try {
      if (begin === 'BEGIN DEFERRED') touch.get();
      return fn();
    } finally {
      db.exec('COMMIT');
    }
  };
  return {
    shared: (fn) => hold('BEGIN DEFERRED', fn),
    exclusive: (fn) => hold('BEGIN EXCLUSIVE', fn),
    close: () => db.close(),
  };
}

// The writer ---------------------------------------------------------------------------------------

export interface TraceContext {
  correlationId: string;
  caseId?: string | null | undefined;
  agent?: string | undefined;
}

export interface SpanMeta<T> {
  input?: unknown;
  /** What to summarise from the result (default: the result itself). */
  output?: (result: T) => unknown;
  caseId?: string | null;
  agent?: string;
  contextRefs?: readonly string[];
  /** Used only when no correlation id is active yet. */
  correlationId?: string;
}

export interface TraceWriter {
  readonly file: string;
  readonly enabled: boolean;
  /** Append one envelope (no-op when disabled); returns what was written. Never throws. */
  record(input: TraceEnvelopeInput): TraceEnvelope | undefined;
  /** Run `fn`, time it, record success or failure (rethrowing the error). */
  span<T>(toolName: string, fn: () => T | Promise<T>, meta?: SpanMeta<T>): Promise<T>;
  /** Write queued lines now (they are written within `flushDelayMs` anyway). */
  flush(): void;
  /** Run `fn` (and all async work it starts) under this correlation id; a fresh one when undefined. */
  withCorrelationId<T>(id: string | undefined, fn: () => T, context?: Omit<TraceContext, 'correlationId'>): T;
  currentCorrelationId(): string | undefined;
  close(): void;
}

export interface TraceWriterOptions {
  file: string;
  enabled: boolean;
  /** Configured secret values, redacted from every summary (`secretValues(config)`). */
  secrets?: readonly string[];
  agent?: string;
  now?: () => number;
  /** Called when a line cannot be written yet (it stays queued and is retried on the next record). */
  onError?: (error: unknown) => void;
  lockTimeoutMs?: number;
  /**
   * Group lines written within this many ms into one append (default 0: every record is written
   * before it returns). A busy server sets it so a request does not pay a file append each.
   */
  flushDelayMs?: number;
}

function errorCode(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'error';
}

export function createTraceWriter(options: TraceWriterOptions): TraceWriter {
  const { file, enabled } = options;
  const now = options.now ?? Date.now;
  const secrets = options.secrets ?? [];
  const storage = new AsyncLocalStorage<TraceContext>();
  let lock: TraceFileLock | undefined;
  let pending: string[] = [];
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const flushDelayMs = options.flushDelayMs ?? 0;

  const flush = () => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pending.length === 0) return;
    try {
      if (!lock) {
        ensurePrivateFile(file);
        lock = openTraceLock(file, options.lockTimeoutMs ?? LOCK_TIMEOUT_MS);
      }
      const text = pending.join('');
      lock.shared(() => appendFileSync(file, text, { mode: 0o600 }));
      pending = [];
    } catch (error) {
      if (pending.length > MAX_PENDING_LINES) pending = pending.slice(-MAX_PENDING_LINES);
      options.onError?.(error);
    }
  };

  const writer: TraceWriter = {
    file,
    enabled,
    record(input) {
      if (!enabled || closed) return undefined;
      const context = storage.getStore();
      const envelope = buildEnvelope(input, {
        correlationId: context?.correlationId ?? randomUUID(),
        caseId: context?.caseId ?? null,
        agent: context?.agent ?? options.agent,
        now: now(),
        secrets,
      });
      pending.push(`${JSON.stringify(envelope)}\n`);
      if (flushDelayMs <= 0) flush();
      else if (!timer) {
        timer = setTimeout(flush, flushDelayMs);
        timer.unref();
      }
      return envelope;
    },

    async span(toolName, fn, meta = {}) {
      const run = async () => {
        const started = performance.now();
        const base = {
          tool_name: toolName,
          input: meta.input,
          case_id: meta.caseId,
          agent: meta.agent,
          retrieved_context_refs: meta.contextRefs,
        };
        try {
          const result = await fn();
          writer.record({
            ...base,
            status: 'success',
            output: meta.output ? meta.output(result) : result,
            duration_ms: performance.now() - started,
          });
          return result;
        } catch (error) {
          writer.record({
            ...base,
            // A rule or bad input refused it (blocked); an outage or a bug is an error.
            status: isUserError(error) && error.kind !== 'unavailable' ? 'blocked' : 'error',
            duration_ms: performance.now() - started,
            error_code: errorCode(error),
            error_message: errorMessage(error),
          });
          throw error;
        }
      };
      if (storage.getStore()) return run();
      return storage.run(
        { correlationId: meta.correlationId ?? randomUUID(), caseId: meta.caseId, agent: meta.agent },
        run,
      );
    },

    withCorrelationId(id, fn, context = {}) {
      return storage.run({ ...context, correlationId: id ?? randomUUID() }, fn);
    },

    currentCorrelationId() {
      return storage.getStore()?.correlationId;
    },
    flush,

    close() {
      if (closed) return;
      flush();
      closed = true;
      lock?.close();
      lock = undefined;
    },
  };
  return writer;
}

// Reading --------------------------------------------------------------------------------------------

/** Complete lines of `file` in [0, end), with the byte offset just past each line's newline. */
async function* readLines(file: string, end?: number): AsyncGenerator<{ line: string; next: number }> {
  if (end === 0) return;
  const stream = createReadStream(file, end === undefined ? {} : { start: 0, end: end - 1 });
  let carry = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let newline = buffer.indexOf(0x0a);
    while (newline !== -1) {
      offset += newline + 1;
      yield { line: buffer.subarray(0, newline).toString('utf8'), next: offset };
      buffer = buffer.subarray(newline + 1);
      newline = buffer.indexOf(0x0a);
    }
    carry = Buffer.from(buffer);
  }
}

export interface TailFilter {
  limit: number;
  status?: string | undefined;
  correlationId?: string | undefined;
}

/** The last `limit` envelopes matching the filter, oldest first. */
export async function tailTraces(
  file: string,
  filter: TailFilter,
): Promise<{ envelopes: TraceEnvelope[]; malformed: number }> {
  const envelopes: TraceEnvelope[] = [];
  let malformed = 0;
  if (!existsSync(file) || filter.limit <= 0) return { envelopes, malformed };
  for await (const { line } of readLines(file)) {
    if (line.trim() === '') continue;
    const parsed = parseEnvelopeLine(line);
    if (!parsed.ok) {
      malformed += 1;
      continue;
    }
    const envelope = parsed.envelope;
    if (filter.status !== undefined && envelope.status !== filter.status) continue;
    if (filter.correlationId !== undefined && envelope.correlation_id !== filter.correlationId) continue;
    envelopes.push(envelope);
    if (envelopes.length > filter.limit) envelopes.shift();
  }
  return { envelopes, malformed };
}

export interface TraceStats {
  file: string;
  exists: boolean;
  size_bytes: number;
  count: number;
  malformed: number;
  by_status: Record<string, number>;
  by_tool: Record<string, number>;
  oldest: string | null;
  newest: string | null;
}

export async function traceStats(file: string): Promise<TraceStats> {
  const stats: TraceStats = {
    file,
    exists: existsSync(file),
    size_bytes: 0,
    count: 0,
    malformed: 0,
    by_status: {},
    by_tool: {},
    oldest: null,
    newest: null,
  };
  if (!stats.exists) return stats;
  stats.size_bytes = statSync(file).size;
  for await (const { line } of readLines(file, stats.size_bytes)) {
    if (line.trim() === '') continue;
    const parsed = parseEnvelopeLine(line);
    if (!parsed.ok) {
      stats.malformed += 1;
      continue;
    }
    const { status, tool_name: tool, ts } = parsed.envelope;
    stats.count += 1;
    stats.by_status[status] = (stats.by_status[status] ?? 0) + 1;
    stats.by_tool[tool] = (stats.by_tool[tool] ?? 0) + 1;
    if (stats.oldest === null || Date.parse(ts) < Date.parse(stats.oldest)) stats.oldest = ts;
    if (stats.newest === null || Date.parse(ts) > Date.parse(stats.newest)) stats.newest = ts;
  }
  return stats;
}

// Retention --------------------------------------------------------------------------------------------

export interface PruneResult {
  file: string;
  dry_run: boolean;
  /** ISO-8601: envelopes older than this are dropped. */
  cutoff: string;
  kept: number;
  dropped: number;
  /** Unreadable lines, kept (their age is unknown). */
  malformed: number;
  /** Bytes other writers appended while the prune ran, carried over unchanged. */
  appended_bytes: number;
  bytes_before: number;
  bytes_after: number;
  /** Where expired envelopes were moved (gzip, one file per UTC day of the envelope). */
  archive_dir: string;
  /** Lines archived per file (`YYYY-MM-DD.jsonl.gz`); on a dry run, what would be archived. */
  archived: Record<string, number>;
}

export interface PruneOptions {
  dryRun?: boolean;
  lockTimeoutMs?: number;
  /** Default: `archive/` next to the trace file (HIVE_DIR/traces/archive with the default file). */
  archiveDir?: string;
}

function copyRange(fromFile: string, toFd: number, start: number, end: number): void {
  if (end <= start) return;
  const fd = openSync(fromFile, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(1 << 20, end - start));
    let position = start;
    while (position < end) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
      if (read === 0) break;
      writeSync(toFd, buffer, 0, read);
      position += read;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Drop envelopes older than `days` (relative to `now`), atomically (temp file + rename) and without
 * losing lines appended meanwhile. Called by `caio traces prune` and the Inngest retention function.
 */
export async function pruneTraces(
  file: string,
  days: number,
  now: number = Date.now(),
  options: PruneOptions = {},
): Promise<PruneResult> {
  const cutoff = retentionCutoff(days, now);
  const result: PruneResult = {
    file,
    dry_run: Boolean(options.dryRun),
    cutoff: new Date(cutoff).toISOString(),
    kept: 0,
    dropped: 0,
    malformed: 0,
    appended_bytes: 0,
    bytes_before: 0,
    bytes_after: 0,
    archive_dir: options.archiveDir ?? traceArchiveDir(file),
    archived: {},
  };
  if (!existsSync(file)) return result;

  for (let attempt = 1; ; attempt++) {
    const before = statSync(file);
    Object.assign(result, { kept: 0, dropped: 0, malformed: 0, bytes_before: before.size });
    const tmp = join(
      dirname(file),
      `.${basename(file)}.prune-${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
    );
    const fd = options.dryRun ? undefined : openSync(tmp, 'wx', before.mode & 0o777);
    const archive = createArchiveBuffer(result.archive_dir, Boolean(options.dryRun));
    try {
      // Phase 1, no lock: filter what is there now. Writers keep appending behind `processed`.
      let processed = 0;
      let batch: string[] = [];
      for await (const { line, next } of readLines(file, before.size)) {
        processed = next;
        if (line.trim() === '') continue;
        const verdict = keepLine(line, cutoff);
        if (verdict.malformed) result.malformed += 1;
        if (!verdict.keep) {
          result.dropped += 1;
          archive.add(line);
          continue;
        }
        result.kept += 1;
        if (fd !== undefined) {
          batch.push(`${line}\n`);
          if (batch.length >= 1000) {
            writeSync(fd, batch.join(''));
            batch = [];
          }
        }
      }
      result.archived = archive.counts();
      if (fd === undefined || result.dropped === 0) {
        // Dry run, or nothing expired: leave the live file alone.
        result.bytes_after = options.dryRun ? before.size : statSync(file).size;
        return result;
      }
      if (batch.length > 0) writeSync(fd, batch.join(''));
      fsyncSync(fd);

      // Phase 2, exclusive: carry over everything appended since, then swap the files.
      const swapped = openTraceLock(file, options.lockTimeoutMs ?? LOCK_TIMEOUT_MS);
      let retry = false;
      try {
        swapped.exclusive(() => {
          const current = statSync(file);
          if (current.ino !== before.ino || current.dev !== before.dev || current.size < before.size) {
            retry = true; // another prune replaced the file meanwhile
            return;
          }
          copyRange(file, fd, processed, current.size);
          result.appended_bytes = current.size - before.size;
          fsyncSync(fd);
          // Archive first, then remove: a crash in between archives a line twice, never loses it.
          archive.commit();
          chmodSync(tmp, current.mode & 0o777);
          renameSync(tmp, file);
          result.bytes_after = statSync(file).size;
        });
      } finally {
        swapped.close();
      }
      if (!retry) {
        syncDirectory(dirname(file));
        return result;
      }
      if (attempt >= 3) throw new Error(`${file} kept changing under the prune (another prune running?)`);
    } finally {
      archive.discard();
      if (fd !== undefined) closeSync(fd);
      if (fd !== undefined) rmSync(tmp, { force: true });
    }
  }
}

function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform lets a directory be fsynced; the rename itself is atomic.
  }
}
