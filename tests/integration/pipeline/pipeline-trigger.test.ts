/** `POST /api/operator/trigger {action: "pipeline"}` over a real runtime and HTTP server. */
import { afterEach, describe, expect, it } from 'vitest';
import { clayRow } from '../../helpers/pipeline-runtime.js';
import { TOKEN, startTestServer, type TestServer } from '../server/harness.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

const trigger = async (server: TestServer, body: unknown) => {
  const response = await fetch(`${server.url}/api/operator/trigger`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'x-caio-operator': 'ops',
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('operator trigger: pipeline', () => {
  it('runs the pipeline and answers its report', async () => {
    const server = await startTestServer();
    servers.push(server);
    await clayRow(server.runtime, { email: 'a@acme.io', first_name: 'Ann', company: 'Acme', segment: 'smb' });
    const answer = await trigger(server, { action: 'pipeline', source: 'clay' });
    expect(answer).toMatchObject({
      status: 200,
      body: { action: 'pipeline', result: { drafted: 1, source: 'clay', by_status: { pending: 1 } } },
    });
    expect((await trigger(server, { action: 'pipeline', limit: -1 })).status).toBe(400);
  });

  it('needs "confirm": true in production', async () => {
    const server = await startTestServer({ CAIO_MODE: 'production' });
    servers.push(server);
    expect(await trigger(server, { action: 'pipeline' })).toMatchObject({
      status: 409,
      body: { code: 'confirmation_required' },
    });
    expect(await trigger(server, { action: 'pipeline', confirm: true })).toMatchObject({
      status: 200,
      body: { result: { mode: 'production', drafted: 0 } },
    });
  });
});
