/**
 * Meeting prep end to end over a real runtime and HTTP server: an Instantly `lead_interested`
 * webhook produces a call brief; below MEETING_PREP_MIN_CONFIDENCE it waits in the queue as kind
 * `prep`; only approved briefs reach the calendar (mock), once; the scorecard reports the rate.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rb2bVisit } from '../../helpers/pipeline-runtime.js';
import { SECRETS, TOKEN, startTestServer, waitFor, type TestServer } from '../server/harness.js';

const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
});

async function setup(minConfidence: string) {
  const server = await startTestServer({ MEETING_PREP_MIN_CONFIDENCE: minConfidence });
  servers.push(server);
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'x-caio-operator': 'hos',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const interested = async (email: string, id: string) => {
    const response = await fetch(`${server.url}/webhooks/instantly`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-instantly-webhook-secret': SECRETS.INSTANTLY_WEBHOOK_SECRET,
      },
      body: JSON.stringify({ event_type: 'lead_interested', lead_email: email, id }),
    });
    expect(response.status).toBe(200);
  };
  return { server, api, interested };
}

describe('meeting prep', () => {
  it('a low-confidence brief waits for review; only the approved brief is written to the calendar, once', async () => {
    const { server, api, interested } = await setup('0.95');
    const { runtime } = server;
    await rb2bVisit(runtime, {
      email: 'ann@acme.io',
      first: 'Ann',
      company: 'Acme',
      url: 'https://q.ai/pricing',
    });
    await rb2bVisit(runtime, { email: 'bo@beta.io', first: 'Bo', company: 'Beta' });
    await interested('ann@acme.io', 'evt-1');
    await interested('bo@beta.io', 'evt-2');
    const briefs = await waitFor(
      async () => {
        const items = (await runtime.queue.list()).filter((d) => d.kind === 'prep');
        return items.length === 2 ? items : undefined;
      },
      10_000,
      'two call briefs',
    );
    if (!briefs) throw new Error('no briefs');
    expect(briefs.map((b) => b.status)).toEqual(['pending', 'pending']);
    const ann = briefs.find((b) => b.lead.email === 'ann@acme.io');
    expect(ann?.subject).toBe('Call prep: Ann (Acme)');
    expect(ann?.body).toContain('read the pricing page');
    expect(ann?.findings).toEqual([]);
    // Interest suppresses the address, but the brief is not a send: it stays reviewable.
    expect((await runtime.record.addresses.suppression('ann@acme.io'))?.reason).toBe('interested');

    expect(await api('POST', '/api/operator/trigger', { action: 'meeting_prep_publish' })).toMatchObject({
      status: 200,
      body: { result: { written: [], failed: [] } },
    });
    expect((await api('POST', `/api/queue/${ann?.id}/approve`)).status).toBe(200);
    const bo = briefs.find((b) => b.lead.email === 'bo@beta.io');
    expect((await api('POST', `/api/queue/${bo?.id}/reject`, { category: 'accuracy' })).status).toBe(200);

    const published = await api('POST', '/api/operator/trigger', { action: 'meeting_prep_publish' });
    expect(published.body).toMatchObject({ result: { written: [ann?.id], failed: [] } });
    const again = await api('POST', '/api/operator/trigger', { action: 'meeting_prep_publish' });
    expect(again.body).toMatchObject({ result: { written: [] } });
    const writes = (await runtime.audit.tail(50)).filter((r) => r.action === 'meeting_prep.calendar_write');
    expect(writes.map((r) => r.subject)).toEqual([ann?.id]);
    expect(writes[0]?.details).toMatchObject({ mode: 'mock', approved_by: 'hos (service token)' });

    // A brief is never batched for sending.
    const preview = await runtime.gatekeeper.preview({ ids: [ann?.id ?? ''] }, 'hos', { persist: false });
    expect(preview.excluded).toEqual([expect.objectContaining({ reason: 'not_an_email' })]);

    const card = await runtime.scorecard.weekly();
    expect(card.meeting_prep_approval_rate).toEqual({
      status: 'ok',
      value: { approved: 1, decided: 2, rate: 0.5, bar: 0.8, meets_bar: false },
    });
    expect(card.approval_rate).toMatchObject({ value: { decided: 0 } });
  });

  it('a brief at or above the threshold is approved automatically and written; a retried webhook adds nothing', async () => {
    const { server, api, interested } = await setup('0.5');
    const { runtime } = server;
    await rb2bVisit(runtime, {
      email: 'cy@gamma.io',
      first: 'Cy',
      last: 'Ng',
      title: 'Head of Sales',
      company: 'Gamma',
      url: 'https://q.ai/pricing',
    });
    await interested('cy@gamma.io', 'evt-3');
    await interested('cy@gamma.io', 'evt-4');
    const found = await waitFor(
      async () => {
        const items = (await runtime.queue.list()).filter((d) => d.kind === 'prep');
        const stored = await server.app.services.webhooks.list({ source: 'instantly', status: 'stored' });
        return items.length > 0 && stored.events.length === 0 ? items : undefined;
      },
      10_000,
      'an automatic brief',
    );
    const brief = found?.[0];
    expect((await runtime.queue.list()).filter((d) => d.kind === 'prep')).toHaveLength(1);
    expect(brief).toMatchObject({
      status: 'approved',
      decided_by: expect.stringMatching(/^auto \(confidence 0\.\d+ >= 0\.5\)$/),
    });
    const published = await api('POST', '/api/operator/trigger', { action: 'meeting_prep_publish' });
    expect(published.body).toMatchObject({ result: { written: [brief?.id] } });
    const card = await runtime.scorecard.weekly();
    expect(card.meeting_prep_approval_rate).toMatchObject({
      value: { decided: 0, rate: null, meets_bar: null },
    });
  });
});
