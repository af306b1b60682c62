/**
 * Request and response plumbing: bounded body reading, JSON answers, typed HTTP errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyGate } from './body-gate.js';

/** An expected HTTP failure: answered as `{code, message}` with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More fields of the JSON answer, beside `code` and `message`. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Read the whole body, refusing (413) beyond `limit` bytes without buffering the excess. With a
 * `gate`, the body also has to fit the process-wide budget of bodies in flight (503 beyond it).
 */
export function readBody(req: IncomingMessage, limit: number, gate?: BodyGate): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const hasDeclared = req.headers['content-length'] !== undefined && Number.isFinite(declared);
  if (hasDeclared && declared > limit) return Promise.reject(tooLarge(limit));
  if (hasDeclared && declared === 0) return Promise.resolve(Buffer.alloc(0));
  const ticket = gate?.acquire(hasDeclared ? declared : 0);
  if (gate && !ticket) return Promise.reject(busy());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: HttpError) => {
      if (done) return;
      done = true;
      ticket?.release();
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) {
        // Whatever else arrives is discarded, not buffered; the answer closes the connection.
        req.resume();
        reject(error);
      } else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(tooLarge(limit));
      else if (ticket && !hasDeclared && !ticket.grow(chunk.length)) finish(busy());
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = () => finish(new HttpError(400, 'request_aborted', 'the request body could not be read'));
    const onAborted = onError;
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `the request body is larger than ${limit} bytes`, {
    connection: 'close',
  });
}

function busy(): HttpError {
  return new HttpError(
    503,
    'server_busy',
    'too many request bodies are being received at once; retry shortly',
    { 'retry-after': '1', connection: 'close' },
  );
}

/** Parse a JSON body: `undefined` when empty, 400 `invalid_json` when malformed. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'the request body is not valid JSON');
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body ?? null);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}

/** The first value of a header (node gives arrays for repeated headers). */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
