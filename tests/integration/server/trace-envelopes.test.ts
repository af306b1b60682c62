/**
 * Trace envelopes through the real server (SPEC 5): every operation leaves one, and the request's
 * `x-correlation-id` reaches every envelope of that request, including the webhook processing done
 * after the reply. Read back with the same reader as `caio traces tail --correlation-id`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailTraces, type TraceEnvelope } from '../../../src/runtime/services/traces.js';
import { SECRETS, TOKEN, startTestServer, waitFor, type TestServer } from './harness.js';

const samples = readFileSync(new URL('../../../samples/drafts.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean);

describe('trace envelopes over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ EMAIL_SEND_MODE: 'log-only' });
  });
  afterAll(async () => server.stop());

  const call = (method: string, path: string, correlationId: string, body?: unknown, headers = {}) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        'x-dashboard-token': TOKEN,
        'x-correlation-id': correlationId,
        'content-type': 'application/json',
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const story = async (correlationId: string, tools: string[]): Promise<TraceEnvelope[]> =>
    waitFor<TraceEnvelope[] | undefined>(
      async () => {
        server.runtime.traces.flush();
        const { envelopes } = await tailTraces(server.runtime.traces.file, { limit: 1000, correlationId });
        const seen = envelopes.map((e) => e.tool_name);
        return tools.every((tool) => seen.includes(tool)) ? envelopes : undefined;
      },
      10_000,
      `envelopes ${tools.join(', ')} for ${correlationId}`,
    ) as Promise<TraceEnvelope[]>;

  it('leaves an envelope with the correlation id for every approve, reject, preview, execute and dispatch', async () => {
    const ids: string[] = [];
    for (const line of samples) {
      const added = await call('POST', '/api/queue', 'setup', JSON.parse(line));
      expect(added.status).toBeLessThan(300);
      ids.push(((await added.json()) as { id: string }).id);
    }
    const [first, second, third] = ids as [string, string, string];

    for (const [i, id] of [first, third].entries()) {
      const answer = await call('POST', `/api/queue/${id}/approve`, `approve-${i}`, { by: 'ann' });
      expect(answer.status).toBe(200);
    }
    // A refused approve is traced too, as blocked.
    expect((await call('POST', `/api/queue/${first}/approve`, 'approve-again', { by: 'ann' })).status).toBe(
      409,
    );
    expect(
      (await call('POST', `/api/queue/${second}/reject`, 'reject-1', { by: 'ann', category: 'tone' })).status,
    ).toBe(200);

    for (const [i, id] of [first, third].entries()) {
      const [envelope] = await story(`approve-${i}`, ['queue.approve']);
      expect(envelope).toMatchObject({
        correlation_id: `approve-${i}`,
        case_id: id,
        tool_name: 'queue.approve',
        status: 'success',
      });
    }
    expect((await story('approve-again', ['queue.approve']))[0]).toMatchObject({
      status: 'blocked',
      error_code: expect.any(String),
    });
    expect((await story('reject-1', ['queue.reject']))[0]).toMatchObject({
      case_id: second,
      status: 'success',
    });

    const preview = await call('POST', '/api/batches', 'batch-1', { motion: 'all', by: 'pat' });
    expect(preview.status).toBe(201);
    const batch = (await preview.json()) as { id: string; hash: string };
    const execute = await call('POST', `/api/batches/${batch.id}/execute`, 'batch-2', {
      hash: batch.hash,
      by: 'pat',
    });
    expect(execute.status, await execute.clone().text()).toBe(200);
    expect((await story('batch-1', ['batch.preview']))[0]).toMatchObject({ status: 'success' });
    const executed = await story('batch-2', ['batch.execute', 'dispatch.item']);
    expect(
      executed
        .filter((e) => e.tool_name === 'dispatch.item')
        .map((e) => e.case_id)
        .sort(),
    ).toEqual([first, third].sort());
    expect(executed.every((e) => e.correlation_id === 'batch-2')).toBe(true);
  });

  it('carries a webhook intake correlation id into the processing after the reply', async () => {
    const answer = await call(
      'POST',
      '/webhooks/instantly',
      'wh-1',
      { event_type: 'reply_received', lead_email: 'someone@acme.io', event_id: 'inst-trace-1' },
      { 'x-instantly-webhook-secret': SECRETS.INSTANTLY_WEBHOOK_SECRET },
    );
    expect(answer.status).toBe(200);
    const envelopes = await story('wh-1', ['webhook.intake.instantly', 'webhook.process']);
    const id = String(((await answer.json()) as { id: number }).id);
    expect(envelopes.map((e) => [e.tool_name, e.case_id, e.status])).toEqual([
      ['webhook.intake.instantly', id, 'success'],
      ['webhook.process', id, 'success'],
    ]);
    // A refused delivery leaves a blocked intake envelope and never the secret.
    await call('POST', '/webhooks/instantly?secret=nope-nope', 'wh-2', {}, {});
    const refused = await story('wh-2', ['webhook.intake.instantly']);
    expect(refused[0]).toMatchObject({ status: 'blocked', error_code: 'invalid_secret' });
    expect(JSON.stringify(refused)).not.toContain('nope-nope');
  });
});
