/**
 * A small JSON HTTP client over undici for the live adapters: a timeout per attempt, a bounded number
 * of retries with exponential backoff on network errors, 429 and 5xx (honouring Retry-After up to a
 * cap), never on other 4xx. Errors carry the status and a short body excerpt, never the API key.
 */
import { request } from 'undici';

export interface HttpClientOptions {
  baseUrl: string;
  headers: Record<string, string>;
  timeoutMs?: number;
  retries?: number;
  /** First backoff delay; doubles per attempt. */
  backoffMs?: number;
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface HttpClient {
  postJson(path: string, body: unknown): Promise<unknown>;
  getJson(path: string): Promise<unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 200;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function once(method: 'GET' | 'POST', path: string, body: unknown): Promise<unknown> {
    let response;
    try {
      response = await request(`${base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.name === 'TimeoutError'
            ? `timed out after ${timeoutMs} ms`
            : error.message
          : String(error);
      throw new HttpError(`${method} ${path}: ${reason}`, undefined, true);
    }
    const text = await response.body.text();
    if (response.statusCode >= 200 && response.statusCode < 300) {
      if (text.trim() === '') return {};
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new HttpError(`${method} ${path}: answer is not JSON`, response.statusCode, false);
      }
    }
    const retryable = response.statusCode === 429 || response.statusCode >= 500;
    const error = new HttpError(
      `${method} ${path}: HTTP ${response.statusCode} ${text.slice(0, 200).replace(/\s+/g, ' ')}`,
      response.statusCode,
      retryable,
    );
    const retryAfter = Number(response.headers['retry-after']);
    (error as HttpError & { retryAfterMs?: number }).retryAfterMs = Number.isFinite(retryAfter)
      ? Math.min(retryAfter * 1000, 5_000)
      : undefined;
    throw error;
  }

  async function withRetries(method: 'GET' | 'POST', path: string, body: unknown): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await once(method, path, body);
      } catch (error) {
        if (!(error instanceof HttpError) || !error.retryable || attempt >= retries) throw error;
        const hinted = (error as HttpError & { retryAfterMs?: number }).retryAfterMs;
        await sleep(hinted ?? backoffMs * 2 ** attempt);
      }
    }
  }

  return {
    postJson: (path, body) => withRetries('POST', path, body),
    getJson: (path) => withRetries('GET', path, undefined),
  };
}
