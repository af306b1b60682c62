/**
 * The remote console's line to a deployed runtime: JSON requests with the operator's token, the
 * first probe that tells a caio runtime, a wrong token and an unreachable or untrusted URL apart, and
 * the `/api/events` stream that keeps the screens live (reconnecting by itself, resuming with
 * `Last-Event-ID`). Every failure is a `UserError` with one line that says which and what to do.
 */
import { UserError } from '../runtime/errors.js';
import { maskUrl } from '../runtime/mask.js';
import type { Role } from '../runtime/domain/operators.js';

export interface RemoteIdentity {
  operator: string;
  role: Role;
  version: string;
}

import type { ConnectionState } from './services.js';

export type { ConnectionState } from './services.js';

export interface RemoteClient {
  /** The base URL, credentials masked (what the header shows). */
  label: string;
  request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
}

export interface RemoteClientOptions {
  url: string;
  token: string;
  /** Per request (default 15 s). */
  timeoutMs?: number;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why a request never got an answer: TLS, refused, unknown host, timeout. */
export function networkError(label: string, error: unknown): UserError {
  const code = causeCode(error);
  const name = error instanceof Error ? error.name : '';
  if (
    code &&
    (TLS_CODES.has(code) || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT'))
  )
    return new UserError(`TLS failure talking to ${label}: ${code}`, {
      code: 'remote_tls',
      exitCode: 2,
      nextStep:
        'The server certificate is not trusted: fix the certificate, or point NODE_EXTRA_CA_CERTS at your CA.',
    });
  if (name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT')
    return new UserError(`${label} did not answer in time`, {
      code: 'remote_unreachable',
      exitCode: 2,
      nextStep: 'Check the URL and that `caio serve` is running there.',
    });
  return new UserError(`Cannot reach ${label}${code ? ` (${code})` : ''}`, {
    code: 'remote_unreachable',
    exitCode: 2,
    nextStep: 'Check the URL and that `caio serve` is running there.',
  });
}

export function normalizeBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(`--remote ${JSON.stringify(raw)} is not a URL`, {
      code: 'usage',
      exitCode: 2,
      nextStep: 'Pass the runtime URL, e.g. --remote https://caio.example.com',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UserError(`--remote must be an http:// or https:// URL, not ${url.protocol}`, {
      code: 'usage',
      exitCode: 2,
      nextStep: 'Pass the runtime URL, e.g. --remote https://caio.example.com',
    });
  url.pathname = url.pathname.replace(/\/+$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

export function createRemoteClient(options: RemoteClientOptions): RemoteClient {
  const base = normalizeBaseUrl(options.url);
  const root = base.toString().replace(/\/$/, '');
  const label = maskUrl(root);
  const auth = { authorization: `Bearer ${options.token}` };
  return {
    label,
    async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      let res: Response;
      try {
        res = await fetch(root + path, {
          method,
          headers: {
            ...auth,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch (error) {
        throw networkError(label, error);
      }
      const text = await res.text().catch(() => '');
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!res.ok) {
        const reply = (parsed ?? {}) as { code?: unknown; message?: unknown };
        const message = typeof reply.message === 'string' ? reply.message : `HTTP ${res.status}`;
        if (res.status === 401)
          throw new UserError(`${label} refused the token (401): ${message}`, {
            code: 'remote_unauthorized',
            exitCode: 2,
            nextStep: 'Check --token or CAIO_TOKEN; a revoked or rotated operator needs a new token.',
          });
        if (res.status === 403)
          throw new UserError(`Refused (403 forbidden): ${message}`, { code: 'forbidden', exitCode: 1 });
        throw new UserError(`${message} (${res.status})`, {
          code: typeof reply.code === 'string' ? reply.code : 'remote_error',
          exitCode: 1,
        });
      }
      if (parsed === undefined && text !== '')
        throw new UserError(`${label}${path} did not answer JSON: is this a caio runtime?`, {
          code: 'remote_not_caio',
          exitCode: 2,
        });
      return parsed as T;
    },
  };
}

/**
 * Before the console opens: the URL must answer `/api/health` like a caio runtime, and the token
 * must name an operator (`/api/whoami`). Each failure says which.
 */
export async function probeRemote(client: RemoteClient, token: string | undefined): Promise<RemoteIdentity> {
  const notCaio = (why: string) =>
    new UserError(`${client.label} is not a caio runtime (${why})`, {
      code: 'remote_not_caio',
      exitCode: 2,
      nextStep: 'Pass the base URL of a running `caio serve` (it answers /api/health).',
    });
  let health: { status?: unknown; version?: unknown };
  try {
    health = await client.request('GET', '/api/health');
  } catch (error) {
    if (error instanceof UserError && (error.code === 'remote_tls' || error.code === 'remote_unreachable'))
      throw error;
    throw notCaio(error instanceof Error ? `/api/health: ${error.message}` : '/api/health failed');
  }
  if (!health || typeof health !== 'object' || typeof health.version !== 'string' || !('status' in health))
    throw notCaio('/api/health does not answer {status, version}');
  if (!token)
    throw new UserError('No token for the remote runtime', {
      code: 'usage',
      exitCode: 2,
      nextStep: 'Pass --token or set CAIO_TOKEN (an operator token from `caio operators add`).',
    });
  const who = await client.request<{ operator?: unknown; role?: unknown }>('GET', '/api/whoami');
  if (typeof who?.operator !== 'string' || typeof who.role !== 'string')
    throw notCaio('/api/whoami has no operator');
  return { operator: who.operator, role: who.role as Role, version: health.version };
}

export interface EventStreamClientOptions {
  url: string;
  token: string;
  /** Any event, a resync, or a reconnection: the screens should look again. */
  onChange(kind: string): void;
  onState(state: ConnectionState, detail?: string): void;
  /** No byte (not even a keep-alive) for this long: the connection is dead, reconnect (default 45 s). */
  silenceMs?: number;
  maxBackoffMs?: number;
}

/** Follows `/api/events` until `stop()`: reconnects with backoff and resumes from the last id. */
export function followEvents(options: EventStreamClientOptions): { stop(): void } {
  const root = normalizeBaseUrl(options.url).toString().replace(/\/$/, '');
  let lastId: string | undefined;
  let stopped = false;
  let controller: AbortController | undefined;
  let wake: (() => void) | undefined;

  const handle = (block: string) => {
    let event = 'message';
    let id: string | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'id') id = value;
    }
    if (id !== undefined) lastId = id;
    if (event !== 'ready' && event !== 'message') options.onChange(event);
  };

  const loop = async () => {
    let delay = 250;
    let everLive = false;
    while (!stopped) {
      controller = new AbortController();
      const current = controller;
      let silence: NodeJS.Timeout | undefined;
      let refused = false;
      const arm = () => {
        clearTimeout(silence);
        silence = setTimeout(() => current.abort(), options.silenceMs ?? 45_000);
      };
      try {
        arm();
        const res = await fetch(`${root}/api/events`, {
          headers: {
            authorization: `Bearer ${options.token}`,
            accept: 'text/event-stream',
            ...(lastId !== undefined ? { 'last-event-id': lastId } : {}),
          },
          signal: current.signal,
        });
        if (res.status === 401 || res.status === 403) {
          refused = true;
          options.onState('unauthorized', `the server refused the token (${res.status})`);
          await res.body?.cancel().catch(() => undefined);
        } else if (res.ok && res.body) {
          options.onState('live');
          if (everLive) options.onChange('reconnected');
          everLive = true;
          delay = 250;
          const decoder = new TextDecoder();
          let buffer = '';
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            arm();
            buffer += decoder.decode(chunk, { stream: true });
            let end = buffer.indexOf('\n\n');
            while (end !== -1) {
              handle(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
              end = buffer.indexOf('\n\n');
            }
          }
        } else {
          await res.body?.cancel().catch(() => undefined);
        }
      } catch {
        // Refused, reset, silent too long: reconnect below.
      } finally {
        clearTimeout(silence);
      }
      if (stopped) return;
      if (!refused) options.onState('reconnecting');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      delay = Math.min(delay * 2, options.maxBackoffMs ?? 5_000);
    }
  };
  void loop();
  return {
    stop() {
      stopped = true;
      controller?.abort();
      wake?.();
    },
  };
}
