/**
 * The runbooks' cutover walk over a real runtime and HTTP server: RB2B and Clay webhooks arrive, a
 * GHL export excludes one address, the pipeline drafts the rest, the HoS approves, the Gatekeeper
 * previews and executes (log-only), and an interested reply produces a call brief that waits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../../src/runtime/domain/webhooks/signatures.js';
import { externalSendsOverRecord } from '../../../src/runtime/tasks/external-sends.js';
import { SECRETS, TOKEN, startTestServer, waitFor, type TestServer } from '../server/harness.js';

describe('runbook walk: webhooks -> pipeline -> approval -> dispatch -> call brief', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ MEETING_PREP_MIN_CONFIDENCE: '0.99' });
  });
  afterAll(async () => {
    await server.stop();
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'x-caio-operator': 'maria',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const webhook = async (source: string, payload: unknown, headers: Record<string, string>) => {
    const response = await fetch(`${server.url}/webhooks/${source}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(payload),
    });
    expect(response.status, source).toBeLessThan(300);
  };

  it('walks the cutover end to end', async () => {
    const rb2b = JSON.stringify({
      'Business Email': 'sam@tiltdesk.io',
      'First Name': 'Sam',
      'Company Name': 'Tiltdesk',
      Title: 'Head of Sales',
      'Captured URL': 'https://quorra.example/pricing',
    });
    const ts = Math.floor(Date.now() / 1000);
    const signed = await fetch(`${server.url}/webhooks/rb2b`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_walk_1',
        'webhook-timestamp': String(ts),
        'webhook-signature': signStandardWebhook(SECRETS.RB2B_WEBHOOK_SECRET, 'msg_walk_1', ts, rb2b),
      },
      body: rb2b,
    });
    expect(signed.status).toBeLessThan(300);
    const clay = { 'x-clay-webhook-secret': SECRETS.CLAY_WEBHOOK_SECRET };
    await webhook(
      'clay',
      {
        email: 'chris@fleetbase.io',
        first_name: 'Chris',
        company: 'Fleetbase',
        title: 'VP of Sales',
        segment: 'mid-market',
      },
      clay,
    );
    await webhook(
      'clay',
      { email: 'dee@ghlonly.io', first_name: 'Dee', company: 'Ghlonly', segment: 'smb' },
      clay,
    );
    const { runtime } = server;
    await waitFor(async () => (await runtime.leads.list()).leads.length === 3, 10_000, 'three leads');

    const sends = externalSendsOverRecord(runtime.record);
    expect(await sends.importText('Email\ndee@ghlonly.io\n', 'ghl', 'ops')).toMatchObject({ added: 1 });

    const run = await api('POST', '/api/operator/trigger', { action: 'pipeline' });
    expect(run).toMatchObject({
      status: 200,
      body: { result: { drafted: 2, skipped: { already_sent_external: 1 }, by_status: { pending: 2 } } },
    });
    const pending = (await runtime.queue.list({ status: 'pending' })).map((d) => d.id);
    expect(pending).toHaveLength(2);
    const approved = await api('POST', '/api/queue/approve', { ids: pending });
    expect(approved.status).toBe(200);

    const preview = await api('POST', '/api/batches', { motion: 'all' });
    expect(preview.status).toBe(201);
    expect(preview.body.items).toHaveLength(2);
    const executed = await api('POST', `/api/batches/${String(preview.body.id)}/execute`, {
      hash: preview.body.hash,
    });
    expect(executed).toMatchObject({ status: 200, body: { ok: true, counts: { sent: 2 } } });

    await webhook(
      'instantly',
      { event_type: 'lead_interested', lead_email: 'sam@tiltdesk.io', id: 'evt-walk-1' },
      { 'x-instantly-webhook-secret': SECRETS.INSTANTLY_WEBHOOK_SECRET },
    );
    const brief = await waitFor(
      async () => (await runtime.queue.list()).find((d) => d.kind === 'prep'),
      10_000,
      'a call brief',
    );
    expect(brief).toMatchObject({ status: 'pending', subject: 'Call prep: Sam, Head of Sales (Tiltdesk)' });
    expect(brief?.body).toContain('read the pricing page');
  });
});
