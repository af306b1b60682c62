/**
 * Production-config intake (SPEC 6.2): with Inngest keys set, accepted webhooks reach Inngest's event
 * API in batches, off the request path, and none is lost while the event API fails for a while.
 * Inngest's event API is a local stub (INNGEST_EVENT_API_BASE_URL); the server, the SDK and the
 * webhook store are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInngestEventStub, type InngestEventStub } from '../../helpers/inngest-event-stub.js';
import { SECRETS, TOKEN, startTestServer, waitFor, type TestServer } from '../server/harness.js';

const EVENT_KEY = 'evtkey_0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c';

describe('webhook events to Inngest, batched', () => {
  let stub: InngestEventStub;
  let server: TestServer;
  beforeAll(async () => {
    stub = await startInngestEventStub();
    server = await startTestServer(
      {
        INNGEST_SIGNING_KEY: 'signkey-test-7c1f0e9d8b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e',
        INNGEST_EVENT_KEY: EVENT_KEY,
        INNGEST_EVENT_API_BASE_URL: stub.url,
      },
      { inngestBatching: { backoffMs: 20, maxBackoffMs: 200 }, background: false },
    );
  });
  afterAll(async () => {
    await server.stop();
    await stub.close();
  });

  const deliver = (i: number, correlationId: string) =>
    fetch(`${server.url}/webhooks/instantly`, {
      method: 'POST',
      headers: {
        'x-instantly-webhook-secret': SECRETS.INSTANTLY_WEBHOOK_SECRET,
        'x-correlation-id': correlationId,
      },
      body: JSON.stringify({
        event_type: 'email_sent',
        lead_email: `lead${i}@acme.io`,
        event_id: `sent-${i}`,
      }),
    });

  interface InngestDependency {
    healthy: boolean;
    degraded: boolean;
    events_pending: number | null;
    error: string | null;
  }
  const inngestDependency = async () => {
    const response = await fetch(`${server.url}/api/runtime/dependencies`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return ((await response.json()) as { inngest: InngestDependency }).inngest;
  };
  const received = () => new Map(stub.batches.flat().map((event) => [event.data['id'] as number, event]));

  it('sends accepted deliveries in batches, and loses none while the event API is down', async () => {
    // Healthy: 50 concurrent deliveries arrive in fewer requests than events.
    const first = await Promise.all(Array.from({ length: 50 }, (_, i) => deliver(i, `ok-${i}`)));
    expect(first.every((r) => r.status === 200)).toBe(true);
    const firstIds = await Promise.all(first.map(async (r) => ((await r.json()) as { id: number }).id));
    await waitFor(() => firstIds.every((id) => received().has(id)), 10_000, 'first 50 events');
    expect(stub.batches.length).toBeLessThan(50);
    expect(Math.max(...stub.batches.map((b) => b.length))).toBeGreaterThan(1);
    expect([...stub.keys]).toEqual([EVENT_KEY]);
    expect(received().get(firstIds[7] as number)).toMatchObject({
      name: 'caio/webhook.received',
      data: { id: firstIds[7], correlation_id: 'ok-7' },
    });

    // Down: deliveries are still acknowledged at once, and wait in the buffer.
    stub.failing = true;
    const before = stub.batches.length;
    const second = await Promise.all(Array.from({ length: 200 }, (_, i) => deliver(100 + i, `down-${i}`)));
    expect(second.every((r) => r.status === 200)).toBe(true);
    const secondIds = await Promise.all(second.map(async (r) => ((await r.json()) as { id: number }).id));
    await waitFor(() => stub.refused >= 5, 10_000, 'the event API refusing several attempts');
    expect(stub.batches.length).toBe(before);
    // Readiness says so (intake goes on, so the process stays ready), naming the error and the backlog.
    let down = await inngestDependency();
    await waitFor(async () => (down = await inngestDependency()).degraded, 10_000, 'readiness saying so');
    expect(down).toMatchObject({ healthy: true, degraded: true, events_pending: 200 });
    expect(down.error).toMatch(
      /^events to Inngest failing since .*answered 503: unavailable; 200 kept and retried/,
    );
    // The open readiness route says so without the event API's address or answer.
    const open = (await (await fetch(`${server.url}/api/health/ready`)).json()) as {
      dependencies: { inngest: InngestDependency };
    };
    expect(open.dependencies.inngest).toMatchObject({ degraded: true, events_pending: 200 });
    expect(open.dependencies.inngest.error).toBe(
      'events to Inngest are failing; details: GET /api/runtime/dependencies',
    );

    // Its heartbeat says so too: `caio status` on any host names this one.
    const hosts = server.app.services.hosts;
    await hosts?.beat();
    const own = (await hosts?.list())?.find((beat) => beat.inngest_events !== undefined);
    expect(own?.inngest_events).toMatchObject({ pending: 200, failing_since: expect.any(String) });
    expect(own?.inngest_events?.last_error).toMatch(/answered 503/);

    // Back: every one of them arrives, batched.
    stub.failing = false;
    await waitFor(() => secondIds.every((id) => received().has(id)), 20_000, 'all 200 events after recovery');
    const after = stub.batches.slice(before);
    expect(after.flat()).toHaveLength(200);
    expect(after.length).toBeLessThan(200);
    // The stub counts a batch when it arrives; the sender lets go of it once the answer is read.
    await waitFor(() => server.app.services.inngest.pendingEvents() === 0, 10_000, 'an empty buffer');
    let up = await inngestDependency();
    await waitFor(async () => !(up = await inngestDependency()).degraded, 10_000, 'readiness recovered');
    expect(up).toMatchObject({ healthy: true, degraded: false, events_pending: 0, error: null });
  }, 60_000);
});
