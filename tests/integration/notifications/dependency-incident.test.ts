/** A required dependency that is unhealthy at the readiness probe posts one message (real server). */
import { afterEach, describe, expect, it } from 'vitest';
import { startNotifyStub, type NotifyStub } from '../../helpers/notify-stub.js';
import { startTestServer, waitFor, type TestServer } from '../server/harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('dependency incidents', () => {
  it('INNGEST_REQUIRED without Inngest: one message however many probes, listed as open', async () => {
    const stub: NotifyStub = await startNotifyStub();
    cleanups.push(() => stub.close());
    const server: TestServer = await startTestServer(
      { INNGEST_REQUIRED: 'true', NOTIFY_WEBHOOK_URL: stub.url },
      { readinessIntervalMs: 20 },
    );
    cleanups.push(() => server.stop());
    await waitFor(() => stub.received.length === 1, 10_000, 'the dependency message');
    // Many more probes run; still one message for this incident.
    const probes = async () => {
      for (let i = 0; i < 5; i++) await server.app.services.readiness.refresh();
    };
    await probes();
    await server.runtime.notifier.drain();
    expect(stub.received).toEqual([
      { text: expect.stringContaining('required dependency inngest is unhealthy') },
    ]);
    expect((await server.runtime.notifier.open()).map((i) => i.kind)).toEqual(['dependency_unhealthy']);
  });
});
