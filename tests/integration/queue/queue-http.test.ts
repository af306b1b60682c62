/** The /api/queue and /api/batches routes over a real runtime and HTTP server (embedded store). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN, startTestServer, type TestServer } from '../server/harness.js';
import { draftInput } from '../../helpers/queue/drafts.js';

describe('queue and batch HTTP routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DAILY_APPROVAL_CAPACITY: '5' });
  });
  afterAll(async () => {
    await server.stop();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown> & { id: string }[],
    };
  };

  it('adds, lists, decides and batches drafts; refusals are {code, message}', async () => {
    expect((await call('POST', '/api/queue', draftInput(1))).status).toBe(201);
    expect((await call('POST', '/api/queue', draftInput(2))).status).toBe(201);
    expect(await call('POST', '/api/queue', draftInput(1))).toMatchObject({
      status: 200,
      body: { id: 'd00001', existing: true },
    });
    expect(await call('POST', '/api/queue', { lead: { email: 'x' } })).toMatchObject({
      status: 400,
      body: { code: 'invalid_request' },
    });
    expect((await call('GET', '/api/queue?status=bogus')).status).toBe(400);
    const pending = await call('GET', '/api/queue?status=pending');
    expect(pending.body.map((d) => d.id)).toEqual(['d00001', 'd00002']);

    const approved = await call('POST', '/api/queue/d00001/approve', undefined, {
      'x-caio-operator': 'maria',
    });
    expect(approved).toMatchObject({
      status: 200,
      body: { status: 'approved', decided_by: 'maria (service token)' },
    });
    expect(await call('POST', '/api/queue/d00001/reject', { category: 'tone' })).toMatchObject({
      status: 409,
      body: { code: 'invalid_transition' },
    });
    expect(await call('POST', '/api/queue/d00002/reject', { category: 'nope' })).toMatchObject({
      status: 400,
      body: { code: 'unknown_category' },
    });
    expect(await call('POST', '/api/queue/missing/approve')).toMatchObject({
      status: 404,
      body: { code: 'draft_not_found' },
    });
    expect(await call('POST', '/api/queue/d00001/undo', { by: 'maria' })).toMatchObject({
      status: 200,
      body: { status: 'pending' },
    });
    expect(
      await call('POST', '/api/queue/approve', { ids: ['d00001', 'd00002', 'missing'], by: 'maria' }),
    ).toMatchObject({
      status: 207,
      body: { results: [{ ok: true }, { ok: true }, { ok: false, code: 'draft_not_found' }] },
    });

    const preview = await call('POST', '/api/batches', { motion: 'outbound', by: 'maria' });
    expect(preview.status).toBe(201);
    expect(Object.keys(preview.body)).toEqual(
      expect.arrayContaining(['id', 'hash', 'expires_at', 'mode', 'items', 'excluded']),
    );
    expect(preview.body.items).toHaveLength(2);
    const id = preview.body.id as string;
    expect(await call('POST', `/api/batches/${id}/execute`, { hash: 'nope' })).toMatchObject({
      status: 409,
      body: { code: 'hash_mismatch' },
    });
    expect(await call('POST', `/api/batches/${id}/execute`, {})).toMatchObject({ status: 400 });
    const executed = await call('POST', `/api/batches/${id}/execute`, {
      hash: preview.body.hash,
      by: 'maria',
    });
    expect(executed).toMatchObject({ status: 200, body: { ok: true, counts: { sent: 2 } } });
    expect(await call('POST', `/api/batches/${id}/execute`, { hash: preview.body.hash })).toMatchObject({
      status: 409,
      body: { code: 'already_executed' },
    });
    expect(await call('POST', '/api/batches/b_missing/execute', { hash: 'x' })).toMatchObject({
      status: 404,
      body: { code: 'batch_not_found' },
    });
    const batches = await call('GET', '/api/batches');
    expect(batches.body).toMatchObject([{ id, status: 'executed' }]);
  });

  it('every queue and batch route needs the token', async () => {
    for (const [method, path] of [
      ['GET', '/api/queue'],
      ['POST', '/api/queue'],
      ['POST', '/api/queue/approve'],
      ['POST', '/api/queue/x/approve'],
      ['POST', '/api/queue/x/reject'],
      ['POST', '/api/queue/x/undo'],
      ['GET', '/api/batches'],
      ['POST', '/api/batches'],
      ['POST', '/api/batches/x/execute'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });
});
