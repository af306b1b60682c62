/**
 * A deployed app stand-in for release checks: a real HTTP server on port 0 answering readiness,
 * dependencies (token-protected) and a signed /inngest introspection. `misbehave` switches on the
 * faults the ritual must catch.
 */
import { createServer, type Server } from 'node:http';
import { signInngestRequest } from '../../../src/runtime/inngest-signature.js';

export interface FakeAppOptions {
  token: string;
  signingKey: string;
  /** Protected routes answer without a token. */
  openProtected?: boolean;
  readyStatus?: number;
  redisHealthy?: boolean;
  inngestMode?: string;
  functionCount?: number;
}

export interface FakeApp {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startFakeApp(options: FakeAppOptions): Promise<FakeApp> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const redisHealthy = options.redisHealthy ?? true;
    if (url.pathname === '/api/health/ready') {
      return send(options.readyStatus ?? 200, { ready: (options.readyStatus ?? 200) === 200 });
    }
    if (url.pathname === '/api/runtime/dependencies') {
      const authed = req.headers.authorization === `Bearer ${options.token}`;
      if (!authed && !options.openProtected)
        return send(401, { code: 'unauthorized', message: 'token required' });
      return send(200, {
        ready: redisHealthy,
        redis: {
          required: true,
          healthy: redisHealthy,
          mode: 'redis',
          latency_ms: 1,
          error: redisHealthy ? null : 'ECONNREFUSED',
        },
        inngest: {
          required: true,
          healthy: true,
          mode: options.inngestMode ?? 'cloud',
          function_count: options.functionCount ?? 4,
        },
      });
    }
    if (url.pathname === '/inngest') {
      const signature = String(req.headers['x-inngest-signature'] ?? '');
      const t = /t=(\d+)/.exec(signature)?.[1];
      const valid = t !== undefined && signature === signInngestRequest(options.signingKey, '', Number(t));
      if (!valid) return send(401, { authentication_succeeded: false });
      return send(200, {
        authentication_succeeded: true,
        mode: options.inngestMode ?? 'cloud',
        function_count: options.functionCount ?? 4,
      });
    }
    return send(404, { code: 'not_found', message: 'no such route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
