import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRETS, TOKEN, startTestServer, waitFor, type TestServer } from './harness.js';
import { signStandardWebhook } from '../../../src/runtime/domain/webhooks/signatures.js';

describe('HTTP app (development, embedded)', () => {
  let server: TestServer;
  const suppressed: string[] = [];
  const leads: string[] = [];
  beforeAll(async () => {
    server = await startTestServer(
      {},
      {
        runtimeExtras: {
          queue: {
            async suppressAddress(email: string) {
              suppressed.push(email);
              return { suppressedDrafts: 1 };
            },
            async recordExternalSend() {},
          },
          leads: {
            upsertLead(lead: { email: string }) {
              leads.push(lead.email);
            },
          },
        },
      },
    );
  });
  afterAll(async () => server.stop());

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('answers health open and readiness from dependency state', async () => {
    const health = await get('/api/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      uptime_s: expect.any(Number),
    });
    const ready = await get('/api/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      dependencies: { redis: { mode: 'embedded' }, inngest: { mode: 'embedded', function_count: 4 } },
    });
  });

  it('protects /api routes with the token from any of the three places', async () => {
    expect((await get('/api/runtime/dependencies')).status).toBe(401);
    expect((await get('/api/runtime/dependencies', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await get('/api/runtime/dependencies', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get('/api/runtime/dependencies', { 'x-dashboard-token': TOKEN })).status).toBe(200);
    const viaQuery = await get(`/api/runtime/dependencies?token=${TOKEN}`);
    expect(viaQuery.status).toBe(200);
    expect(await viaQuery.json()).toMatchObject({
      ready: true,
      redis: { required: false },
      inngest: { function_count: 4 },
    });
  });

  it('answers unknown routes 404 JSON, wrong methods 405, malformed JSON 400, big bodies 413', async () => {
    const missing = await get('/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found', message: expect.any(String) });
    expect((await post('/api/health', '{}')).status).toBe(405);
    const bad = await post('/api/operator/trigger', '{nope', { 'x-dashboard-token': TOKEN });
    expect([400, 503]).toContain(bad.status);
    const big = await post('/webhooks/clay', 'x'.repeat(2 * 1024 * 1024), {
      'x-clay-webhook-secret': SECRETS.CLAY_WEBHOOK_SECRET,
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('stores a webhook before the 2xx, dedups a retry, processes it after the reply', async () => {
    const body = JSON.stringify({ event_type: 'reply_received', lead_email: 'ann@acme.io', id: 'evt-1' });
    const headers = { 'x-instantly-webhook-secret': SECRETS.INSTANTLY_WEBHOOK_SECRET };
    const first = await post('/webhooks/instantly', body, headers);
    expect(first.status).toBe(200);
    const firstBody = (await first.json()) as { id: number; duplicate: boolean };
    expect(firstBody.duplicate).toBe(false);
    const retry = await post('/webhooks/instantly', body, headers);
    expect(await retry.json()).toMatchObject({ id: firstBody.id, duplicate: true });
    await waitFor(() => suppressed.includes('ann@acme.io'), 5000, 'suppression');
    await waitFor(
      async () => (await server.app.services.webhooks.get(firstBody.id))?.status === 'processed',
      5000,
      'processed',
    );
    expect(suppressed.filter((email) => email === 'ann@acme.io')).toHaveLength(1);
  });

  it('quarantines invalid payloads: 400, or 202 for RB2B', async () => {
    const headers = { 'x-instantly-webhook-secret': SECRETS.INSTANTLY_WEBHOOK_SECRET };
    const bad = await post('/webhooks/instantly', JSON.stringify({ event_type: 'nonsense' }), headers);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_payload', status: 'quarantined' });
    const body = JSON.stringify({ foo: 'bar' });
    const ts = Math.floor(Date.now() / 1000);
    const rb2b = await post('/webhooks/rb2b', body, {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': signStandardWebhook(SECRETS.RB2B_WEBHOOK_SECRET, 'msg_1', ts, body),
    });
    expect(rb2b.status).toBe(202);
    expect(await rb2b.json()).toMatchObject({ status: 'quarantined' });
    const list = await get('/api/webhooks?status=quarantined', { 'x-dashboard-token': TOKEN });
    const page = (await list.json()) as { events: { source: string; error: string }[] };
    expect(page.events.map((event) => event.source).sort()).toEqual(['instantly', 'rb2b']);
  });

  it('refuses wrong secrets and bad Standard Webhooks signatures', async () => {
    const body = JSON.stringify({ email: 'x@acme.io' });
    expect((await post('/webhooks/clay', body, { 'x-clay-webhook-secret': 'wrong' })).status).toBe(401);
    expect((await post(`/webhooks/clay?secret=${SECRETS.CLAY_WEBHOOK_SECRET}`, body)).status).toBe(200);
    const ts = Math.floor(Date.now() / 1000) - 600;
    const old = await post('/webhooks/rb2b', body, {
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(ts),
      'webhook-signature': signStandardWebhook(SECRETS.RB2B_WEBHOOK_SECRET, 'msg_2', ts, body),
    });
    expect(old.status).toBe(401);
    await waitFor(() => leads.includes('x@acme.io'), 5000, 'lead upsert');
  });

  it('a corrected redelivery of a quarantined event is stored and processed, a bad retry is not stored twice', async () => {
    const secret = { 'x-clay-webhook-secret': SECRETS.CLAY_WEBHOOK_SECRET };
    const bad = JSON.stringify({ event_id: 'clay-evt-7' });
    const first = await post('/webhooks/clay', bad, secret);
    expect(first.status).toBe(400);
    const again = (await (await post('/webhooks/clay', bad, secret)).json()) as { id: string };
    expect(again.id).toBe(((await first.json()) as { id: string }).id);
    const fixed = await post(
      '/webhooks/clay',
      JSON.stringify({ event_id: 'clay-evt-7', email: 'fixed@acme.io' }),
      secret,
    );
    expect(fixed.status).toBe(200);
    expect(((await fixed.json()) as { duplicate: boolean }).duplicate).toBe(false);
    await waitFor(() => leads.includes('fixed@acme.io'), 5000, 'lead from the corrected delivery');
  });

  it('two deliveries about the same Clay row (same id, new data) are both kept', async () => {
    const secret = { 'x-clay-webhook-secret': SECRETS.CLAY_WEBHOOK_SECRET };
    const a = await post(
      '/webhooks/clay',
      JSON.stringify({ id: 'row-1', email: 'row1@acme.io', title: 'CTO' }),
      secret,
    );
    const b = await post(
      '/webhooks/clay',
      JSON.stringify({ id: 'row-1', email: 'row1@acme.io', title: 'CEO' }),
      secret,
    );
    expect(((await a.json()) as { duplicate: boolean }).duplicate).toBe(false);
    expect(((await b.json()) as { duplicate: boolean }).duplicate).toBe(false);
  });

  it('answers preflight 204 with CORS headers only for an allowed origin', async () => {
    const allowed = await fetch(`${server.url}/api/queue`, {
      method: 'OPTIONS',
      headers: { origin: 'https://ops.acme.io' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ops.acme.io');
    expect(allowed.headers.get('vary')).toBe('Origin');
    for (const origin of ['https://evil.example', 'null']) {
      const refused = await fetch(`${server.url}/api/queue`, { method: 'OPTIONS', headers: { origin } });
      expect(refused.status).toBe(204);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    }
    const simple = await get('/api/health', { origin: 'https://evil.example' });
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 503 not_available for routes whose service is not in this build', async () => {
    const bare = await startTestServer(
      {},
      { runtimeExtras: { scorecard: undefined, gatekeeper: undefined } },
    );
    try {
      for (const path of ['/api/scorecard', '/api/batches']) {
        const res = await fetch(`${bare.url}${path}`, { headers: { 'x-dashboard-token': TOKEN } });
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ code: 'not_available', message: expect.any(String) });
      }
    } finally {
      await bare.stop();
    }
  });

  it('serves the operator status and triggers through the real services', async () => {
    const status = await get('/api/operator/status', { 'x-dashboard-token': TOKEN });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      mode: 'development',
      readiness: { available: true, ready: true },
    });
    const sweep = await post('/api/operator/trigger', JSON.stringify({ action: 'webhook_sweep' }), {
      'x-dashboard-token': TOKEN,
    });
    expect(await sweep.json()).toMatchObject({ action: 'webhook_sweep', result: { failed: 0 } });
    const bad = await post('/api/operator/trigger', JSON.stringify({ action: 'launch_rockets' }), {
      'x-dashboard-token': TOKEN,
    });
    expect(bad.status).toBe(400);
  });
});
