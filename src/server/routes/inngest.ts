/** The Inngest SDK serve handler at /inngest (SPEC 6.3); the SDK verifies its own signatures. */
import { HttpError } from '../http.js';
import type { HttpMethod, Route, RouteContext } from '../types.js';

async function serveInngest({ services, req, res }: RouteContext) {
  if (services.inngest.mode === 'embedded') {
    throw new HttpError(
      503,
      'inngest_not_configured',
      'Inngest is not configured (set INNGEST_SIGNING_KEY or INNGEST_DEV); the in-process scheduler runs the functions',
    );
  }
  // The SDK's listener returns a promise that rejects on a malformed body (JSON.parse before the
  // signature check): answer that ourselves instead of leaving an unhandled rejection.
  try {
    await (services.inngest.handler(req, res) as unknown);
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
  handler: serveInngest,
}));
