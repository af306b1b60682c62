/**
 * Reading an import source line by line, in batches: a file of 100,000 drafts is never held whole,
 * and the caller hears progress after each batch (bytes read of the total, when known).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export interface ImportProgress {
  /** Lines read so far (blank ones included). */
  lines: number;
  bytes: number;
  /** Size of the source in bytes, when known (a file; not a pipe). */
  totalBytes: number | undefined;
  imported: number;
  errors: number;
}

/** Lines with their byte counts; `totalBytes` when the size is known up front. */
export interface LineSource {
  lines: AsyncIterable<string>;
  totalBytes: number | undefined;
}

/**
 * The file is opened when the lines are first asked for, not before: a readline interface starts
 * reading at once, and lines it emits before anyone iterates are lost (the CLI opens the source, then
 * the runtime, whose opening awaits real I/O).
 */
export async function fileLines(path: string): Promise<LineSource> {
  const size = (await stat(path)).size;
  return {
    lines: (async function* () {
      const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
      yield* createInterface({ input, crlfDelay: Infinity });
    })(),
    totalBytes: size,
  };
}

export function textLines(text: string): LineSource {
  return {
    lines: (async function* () {
      yield* text.split(/\r?\n/);
    })(),
    totalBytes: Buffer.byteLength(text),
  };
}

export async function forEachLineBatch(
  source: LineSource,
  batchSize: number,
  handle: (
    batch: { line: number; text: string }[],
    progress: Omit<ImportProgress, 'imported' | 'errors'>,
  ) => Promise<void>,
): Promise<void> {
  let batch: { line: number; text: string }[] = [];
  let lineNo = 0;
  let bytes = 0;
  const flush = async () => {
    const current = batch;
    batch = [];
    await handle(current, { lines: lineNo, bytes, totalBytes: source.totalBytes });
  };
  for await (const text of source.lines) {
    lineNo += 1;
    bytes += Buffer.byteLength(text) + 1;
    if (text.trim() !== '') batch.push({ line: lineNo, text });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
}
