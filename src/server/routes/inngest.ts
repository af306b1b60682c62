/**
 * The Inngest SDK serve handler at /inngest (SPEC 6.3); the SDK verifies its own signatures.
 *
 * The SDK reads the whole request into one string before it checks anything, so it never sees the
 * socket: the body is read here first, under the route's limit and the process-wide body budget
 * (413 / 503 before buffering more), and the SDK gets a replay of those bytes.
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { HttpError } from '../http.js';
import type { HttpMethod, Route, RouteContext } from '../types.js';

/** Inngest's own requests carry function state; 4 MiB leaves room for large step outputs. */
export const INNGEST_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** A stand-in for `req` whose body is `body` (the SDK reads `data`/`end`, headers, method, url). */
export function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = Readable.from(body.length > 0 ? [body] : [], { objectMode: false });
  return Object.assign(replay, {
    headers: req.headers,
    method: req.method,
    url: req.url,
    socket: req.socket,
    httpVersion: req.httpVersion,
  }) as unknown as IncomingMessage;
}

async function serveInngest({ services, req, res, rawBody }: RouteContext) {
  if (services.inngest.mode === 'embedded') {
    throw new HttpError(
      503,
      'inngest_not_configured',
      'Inngest is not configured (set INNGEST_SIGNING_KEY or INNGEST_DEV); the in-process scheduler runs the functions',
    );
  }
  const body = await rawBody();
  // The SDK's listener returns a promise that rejects on a malformed body (JSON.parse before the
  // signature check): answer that ourselves instead of leaving an unhandled rejection.
  try {
    await (services.inngest.handler(replayRequest(req, body), res) as unknown);
  } catch {
    if (!res.headersSent)
      throw new HttpError(400, 'invalid_request', 'the /inngest request body is not valid JSON');
    res.end();
  }
  return undefined;
}

export const inngestRoutes: Route[] = (['GET', 'POST', 'PUT'] as HttpMethod[]).map((method) => ({
  method,
  path: '/inngest',
  auth: 'signature' as const,
  summary: 'Inngest serve handler (signed requests)',
  rawStream: true,
  bodyLimitBytes: INNGEST_BODY_LIMIT_BYTES,
  handler: serveInngest,
}));
