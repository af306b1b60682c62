/**
 * The trace archive (SPEC 5): retention moves expired envelopes into `HIVE_DIR/traces/archive/
 * YYYY-MM-DD.jsonl.gz` (one file per UTC day of the envelope) before removing them. `pruneTraces`
 * (traces.ts) feeds each expired line to an archive buffer during its unlocked pass and commits the
 * buffer in its exclusive step, just before it swaps the live file.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseEnvelopeLine } from '../domain/trace-envelope.js';

export function traceArchiveDir(file: string): string {
  return join(dirname(file), 'archive');
}

/**
 * Expired lines waiting to be archived, per UTC day: compressed in chunks (each chunk one gzip member;
 * concatenated members are one valid .gz) into a temp file per day, appended to the archive only in
 * the exclusive step, right before the live file is swapped.
 */
export function createArchiveBuffer(dir: string, dryRun: boolean) {
  const days = new Map<string, { tmp: string; fd: number | undefined; pending: string[]; lines: number }>();
  const flush = (entry: { fd: number | undefined; pending: string[] }) => {
    if (entry.pending.length === 0 || entry.fd === undefined) return;
    writeSync(entry.fd, gzipSync(entry.pending.join('')));
    entry.pending = [];
  };
  return {
    add(line: string) {
      const parsed = parseEnvelopeLine(line);
      const day = parsed.ok ? parsed.envelope.ts.slice(0, 10) : 'unknown';
      let entry = days.get(day);
      if (!entry) {
        if (!dryRun) mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = join(dir, `.${day}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
        entry = { tmp, fd: dryRun ? undefined : openSync(tmp, 'wx', 0o600), pending: [], lines: 0 };
        days.set(day, entry);
      }
      entry.lines += 1;
      if (entry.fd === undefined) return;
      entry.pending.push(`${line}\n`);
      if (entry.pending.length >= 5000) flush(entry);
    },
    counts(): Record<string, number> {
      return Object.fromEntries([...days].map(([day, entry]) => [`${day}.jsonl.gz`, entry.lines]));
    },
    /** Append every day's compressed chunks to its archive file (fsynced). */
    commit() {
      for (const [day, entry] of days) {
        if (entry.fd === undefined) continue;
        flush(entry);
        fsyncSync(entry.fd);
        const target = join(dir, `${day}.jsonl.gz`);
        const out = openSync(target, 'a', 0o600);
        try {
          appendFile(entry.tmp, out);
          fsyncSync(out);
        } finally {
          closeSync(out);
        }
      }
    },
    discard() {
      for (const entry of days.values()) {
        if (entry.fd !== undefined) closeSync(entry.fd);
        rmSync(entry.tmp, { force: true });
      }
      days.clear();
    },
  };
}

export interface ArchiveFile {
  file: string;
  day: string;
  bytes: number;
  modified_at: string;
}

/** The archive's day files, oldest first. */
export function listTraceArchive(dir: string): ArchiveFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^\d{4}-\d{2}-\d{2}\.jsonl\.gz$/.test(name) || name === 'unknown.jsonl.gz')
    .sort()
    .map((name) => {
      const stat = statSync(join(dir, name));
      return {
        file: join(dir, name),
        day: name.slice(0, -'.jsonl.gz'.length),
        bytes: stat.size,
        modified_at: stat.mtime.toISOString(),
      };
    });
}

/** Copy a whole file onto an open descriptor. */
function appendFile(fromFile: string, toFd: number): void {
  const fd = openSync(fromFile, 'r');
  try {
    const buffer = Buffer.alloc(1 << 20);
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      writeSync(toFd, buffer, 0, read);
    }
  } finally {
    closeSync(fd);
  }
}
