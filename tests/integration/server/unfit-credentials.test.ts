/**
 * A placeholder token or an unusable webhook secret must never open anything, whatever `caio validate`
 * was or was not run: the guard treats them as not configured and fails closed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signStandardWebhook } from '../../../src/runtime/domain/webhooks/signatures.js';
import { startTestServer, type TestServer } from './harness.js';

const PLACEHOLDER_TOKEN = 'your-dashboard-token-at-least-32-chars';
/** Not base64: decodes to an empty HMAC key, with which anyone could sign. */
const EMPTY_KEY_SECRET = 'whsec_$$$$$$$$$$$$$$$$';

describe('unfit credentials in production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      CAIO_MODE: 'production',
      REDIS_REQUIRED: 'false',
      INNGEST_REQUIRED: 'false',
      DASHBOARD_AUTH_STRICT: 'true',
      DASHBOARD_AUTH_TOKEN: PLACEHOLDER_TOKEN,
      RB2B_WEBHOOK_SECRET: EMPTY_KEY_SECRET,
      CLAY_WEBHOOK_SECRET: 'your-clay-webhook-secret',
    });
  });
  afterAll(async () => server.stop());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('a placeholder token opens no protected route, not even to itself', async () => {
    const response = await fetch(`${server.url}/api/operator/status`, {
      headers: { 'x-dashboard-token': PLACEHOLDER_TOKEN },
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe('auth_not_configured');
    expect(body.message).not.toContain(PLACEHOLDER_TOKEN);
  });

  it('a forged signature made with the empty whsec_ key is refused, and nothing is stored', async () => {
    const body = JSON.stringify({ 'Business Email': 'x@acme.io' });
    const ts = Math.floor(Date.now() / 1000);
    const forged = await post('/webhooks/rb2b', body, {
      'webhook-id': 'msg_forged',
      'webhook-timestamp': String(ts),
      'webhook-signature': signStandardWebhook(EMPTY_KEY_SECRET, 'msg_forged', ts, body),
    });
    expect(forged.status).toBe(503);
    expect(((await forged.json()) as { code: string }).code).toBe('webhook_not_configured');
    const clay = await post(
      '/webhooks/clay?secret=your-clay-webhook-secret',
      JSON.stringify({ email: 'y@acme.io' }),
    );
    expect(clay.status).toBe(503);
    expect((await server.runtime.webhooks.list({ limit: 10 })).events).toEqual([]);
  });

  it('readiness reports the unusable secrets', async () => {
    const response = await fetch(`${server.url}/api/health/ready`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { dependencies: { webhooks: { missing_secrets: string[] } } };
    expect(body.dependencies.webhooks.missing_secrets).toEqual(expect.arrayContaining(['rb2b', 'clay']));
  });
});
