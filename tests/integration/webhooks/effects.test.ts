/**
 * Webhook effects through the real runtime services (SPEC 6.2): a reply suppresses the address (its
 * pending draft becomes `suppressed`), an RB2B visitor becomes a lead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../../src/runtime/domain/webhooks/signatures.js';
import { SECRETS, startTestServer, waitFor, type TestServer } from '../server/harness.js';

describe('webhook effects on the real queue and leads', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  it('a reply_received suppresses the pending draft of that address', async () => {
    const added = (await server.runtime.queue.add(
      {
        lead: { email: 'Ann.Lee@acme.io', company: 'Acme' },
        subject: 'Hello Ann',
        body: 'Hi Ann, a short note about Acme. Could we talk on Tuesday?',
      },
      'api',
    )) as { kind: string; draft?: { id: string } };
    expect(added.kind).toBe('added');
    const id = added.draft?.id as string;
    const response = await fetch(`${server.url}/webhooks/instantly`, {
      method: 'POST',
      headers: { 'x-instantly-webhook-secret': SECRETS.INSTANTLY_WEBHOOK_SECRET },
      body: JSON.stringify({
        event_type: 'reply_received',
        lead_email: 'ann.lee@acme.io',
        event_id: 'inst-1',
      }),
    });
    expect(response.status).toBe(200);
    await waitFor(
      async () => (await server.runtime.queue.get(id))?.status === 'suppressed',
      5000,
      'draft suppressed',
    );
    const page = await server.runtime.webhooks.list({ source: 'instantly' });
    expect(page.events[0]).toMatchObject({ status: 'processed', idempotency_key: 'id:inst-1' });
  });

  it('an RB2B visitor becomes a lead', async () => {
    const body = JSON.stringify({
      'First Name': 'Bo',
      'Company Name': 'Beta',
      'Business Email': 'bo@beta.io',
      Title: 'VP Sales',
    });
    const ts = Math.floor(Date.now() / 1000);
    const response = await fetch(`${server.url}/webhooks/rb2b`, {
      method: 'POST',
      headers: {
        'webhook-id': 'msg_rb2b_1',
        'webhook-timestamp': String(ts),
        'webhook-signature': signStandardWebhook(SECRETS.RB2B_WEBHOOK_SECRET, 'msg_rb2b_1', ts, body),
      },
      body,
    });
    expect(response.status).toBe(200);
    const lead = await waitFor(() => server.runtime.leads.get('bo@beta.io'), 5000, 'lead upserted');
    expect(lead).toMatchObject({ email: 'bo@beta.io', company: 'Beta', title: 'VP Sales' });
  });
});
