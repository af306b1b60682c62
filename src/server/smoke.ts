/**
 * Endpoint auth smoke (SPEC 6.4) against any base URL, with undici and timeouts: the five named
 * checks, every other protected route of the route table without a token, a disallowed Origin not
 * echoed, and the OPTIONS preflight. The release ritual calls `runSmoke` too.
 */
import { request } from 'undici';
import { errorMessage } from '../runtime/errors.js';
import { ROUTES } from './routes/index.js';
import type { Route } from './types.js';

export interface SmokeCheck {
  name: string;
  status: 'PASS' | 'FAIL';
  expected: string;
  actual: string;
}

export interface SmokeResult {
  base_url: string;
  result: 'PASS' | 'FAIL';
  checks: SmokeCheck[];
  /** Set when the host could not be reached at all. */
  error: string | null;
}

export interface SmokeOptions {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
  /** An origin that must NOT be allowed (default https://caio-smoke.invalid). */
  foreignOrigin?: string;
  routes?: readonly Route[];
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

const SAMPLE_ID = 'caio-smoke-probe';

export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 5000;
  const foreign = options.foreignOrigin ?? 'https://caio-smoke.invalid';
  const call = async (
    method: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await request(`${base}${path}`, {
      method: method as 'GET',
      headers,
      ...(method === 'POST'
        ? { body: '{}', headers: { 'content-type': 'application/json', ...headers } }
        : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body.dump();
    return { status: response.statusCode, headers: response.headers };
  };

  // Reachability first: an unreachable host is one clear error, not twenty timeouts.
  try {
    await call('GET', '/api/health');
  } catch (error) {
    return {
      base_url: base,
      result: 'FAIL',
      checks: [],
      error: `cannot reach ${base}: ${describe(error, timeoutMs)}`,
    };
  }

  const checks: SmokeCheck[] = [];
  const check = async (
    name: string,
    expected: string,
    probe: () => Promise<Answer>,
    ok: (answer: Answer) => boolean,
    show?: (answer: Answer) => string,
  ) => {
    try {
      const answer = await probe();
      checks.push({
        name,
        status: ok(answer) ? 'PASS' : 'FAIL',
        expected,
        actual: show ? show(answer) : String(answer.status),
      });
    } catch (error) {
      checks.push({ name, status: 'FAIL', expected, actual: describe(error, timeoutMs) });
    }
  };
  const is = (status: number) => (answer: Answer) => answer.status === status;
  const auth = { 'x-dashboard-token': options.token };

  await check(
    'GET /api/operator/status without token',
    '401',
    () => call('GET', '/api/operator/status'),
    is(401),
  );
  await check(
    'POST /api/operator/trigger without token',
    '401',
    () => call('POST', '/api/operator/trigger'),
    is(401),
  );
  await check('GET /api/health/ready without token', '200', () => call('GET', '/api/health/ready'), is(200));
  await check(
    'GET /api/operator/status?token=***',
    'not 401',
    () => call('GET', `/api/operator/status?token=${encodeURIComponent(options.token)}`),
    (answer) => answer.status !== 401 && answer.status !== 429,
  );
  await check(
    'GET /api/operator/status with X-Dashboard-Token',
    'not 401',
    () => call('GET', '/api/operator/status', auth),
    (answer) => answer.status !== 401 && answer.status !== 429,
  );

  const named = new Set(['GET /api/operator/status', 'POST /api/operator/trigger']);
  for (const route of options.routes ?? ROUTES) {
    if (route.auth !== 'token' || named.has(`${route.method} ${route.path}`)) continue;
    const path = route.path.replace(/:[A-Za-z]+/g, SAMPLE_ID);
    await check(`${route.method} ${path} without token`, '401', () => call(route.method, path), is(401));
  }

  const origin = (answer: Answer) => {
    const value = answer.headers['access-control-allow-origin'];
    return Array.isArray(value) ? value.join(',') : value;
  };
  await check(
    `disallowed Origin ${foreign} not echoed`,
    'no Access-Control-Allow-Origin',
    () => call('GET', '/api/health', { origin: foreign }),
    (answer) => origin(answer) !== foreign && origin(answer) !== '*',
    (answer) => `${answer.status}, Access-Control-Allow-Origin: ${origin(answer) ?? '(none)'}`,
  );
  await check(
    'OPTIONS /api/operator/status preflight',
    '204',
    () =>
      call('OPTIONS', '/api/operator/status', { origin: foreign, 'access-control-request-method': 'GET' }),
    (answer) => answer.status === 204 && origin(answer) !== foreign,
    (answer) => `${answer.status}${origin(answer) ? `, echoed ${origin(answer)}` : ''}`,
  );

  const result = checks.every((item) => item.status === 'PASS') ? 'PASS' : 'FAIL';
  return { base_url: base, result, checks, error: null };
}

function describe(error: unknown, timeoutMs: number): string {
  const code =
    (error as { code?: string; cause?: { code?: string } }).code ??
    (error as { cause?: { code?: string } }).cause?.code;
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `no answer within ${timeoutMs} ms`;
  }
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running on that port?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  return code ? `${code}: ${errorMessage(error)}` : errorMessage(error);
}
