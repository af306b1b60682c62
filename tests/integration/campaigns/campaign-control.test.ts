/** Campaign control over a real runtime and HTTP server, against a local Instantly stub. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/server/routes/index.js';
import { TOKEN, startTestServer, type TestServer } from '../server/harness.js';

describe('POST /api/instantly/campaigns/:id/pause|resume', () => {
  let server: TestServer;
  let instantly: Server;
  const calls: { method: string; path: string; auth: string | undefined }[] = [];
  beforeAll(async () => {
    instantly = createServer((req, res) => {
      calls.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization });
      const match = /^\/api\/v2\/campaigns\/([^/]+)\/(pause|activate)$/.exec(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      if (!match || match[1] === 'missing') {
        res.writeHead(404).end(JSON.stringify({ error: 'Campaign not found' }));
        return;
      }
      if (match[1] === 'flaky') {
        res.writeHead(500).end(JSON.stringify({ error: 'boom' }));
        return;
      }
      res.writeHead(200).end(JSON.stringify({ id: match[1], status: match[2] === 'pause' ? 2 : 1 }));
    });
    await new Promise<void>((resolve) => instantly.listen(0, '127.0.0.1', resolve));
    const { port } = instantly.address() as AddressInfo;
    server = await startTestServer({
      INSTANTLY_API_KEY: 'inst_api_key_1234567890abcdef',
      INSTANTLY_BASE_URL: `http://127.0.0.1:${port}`,
    });
  });
  afterAll(async () => {
    await server.stop();
    await new Promise<void>((resolve) => instantly.close(() => resolve()));
  });

  const post = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('is in the route table as a token route that needs the approver role', () => {
    for (const action of ['pause', 'resume']) {
      const route = ROUTES.find((r) => r.path === `/api/instantly/campaigns/:id/${action}`);
      expect(route).toMatchObject({ method: 'POST', auth: 'token', role: 'approver' });
    }
  });

  it('pauses and resumes through the Instantly API, answering its result, audited', async () => {
    const paused = await post('/api/instantly/campaigns/camp-1/pause', { 'x-caio-operator': 'ana' });
    expect(paused).toEqual({
      status: 200,
      body: { ok: true, campaign_id: 'camp-1', action: 'pause', provider: { id: 'camp-1', status: 2 } },
    });
    const resumed = await post('/api/instantly/campaigns/camp-1/resume');
    expect(resumed.body).toMatchObject({ ok: true, action: 'resume', provider: { status: 1 } });
    expect(calls.slice(-2).map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /api/v2/campaigns/camp-1/pause',
      'POST /api/v2/campaigns/camp-1/activate',
    ]);
    expect(calls.at(-1)?.auth).toBe('Bearer inst_api_key_1234567890abcdef');
    const audit = (await server.runtime.audit.tail(10)).filter((row) => row.action.startsWith('campaign.'));
    expect(audit.map((row) => [row.actor, row.action, row.subject])).toEqual([
      // The service token names the operator with X-Caio-Operator (SPEC 12).
      ['ana (service token)', 'campaign.pause', 'camp-1'],
      ['service token', 'campaign.resume', 'camp-1'],
    ]);
  });

  it("answers the provider's refusals and outages faithfully", async () => {
    expect(await post('/api/instantly/campaigns/missing/pause')).toMatchObject({
      status: 404,
      body: { code: 'campaign_not_found', provider_status: 404 },
    });
    expect(await post('/api/instantly/campaigns/flaky/pause')).toMatchObject({
      status: 503,
      body: { code: 'dependency_unavailable', provider_status: 500 },
    });
    expect(await post('/api/instantly/campaigns/bad%20id/pause')).toMatchObject({
      status: 400,
      body: { code: 'invalid_request' },
    });
    const audit = (await server.runtime.audit.tail(10)).filter((row) => row.subject === 'missing');
    expect(audit[0]?.details).toMatchObject({ ok: false, provider_status: 404 });
  });

  it('refuses without a token', async () => {
    const response = await fetch(`${server.url}/api/instantly/campaigns/camp-1/pause`, { method: 'POST' });
    expect(response.status).toBe(401);
  });
});
