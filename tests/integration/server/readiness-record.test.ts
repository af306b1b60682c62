/**
 * PostgreSQL going away under traffic (SPEC 5, 6): requests that need the record answer 503
 * `dependency_unavailable` naming the record (never a 500, never its address), readiness turns 503
 * with `dependencies.record` unhealthy, and once PostgreSQL is back the same process answers 200
 * again without a restart. A private PostgreSQL cluster for this file, stopped and started mid-run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftInput } from '../../helpers/queue/drafts.js';
import {
  POSTGRES_AVAILABLE,
  POSTGRES_REQUIRED_FOR_TESTS,
  startPostgres,
  type TestPostgres,
} from '../../helpers/postgres-server.js';
import { TOKEN, startTestServer, waitFor, type TestServer } from './harness.js';

const run = POSTGRES_AVAILABLE || POSTGRES_REQUIRED_FOR_TESTS ? describe : describe.skip;

run('the record (PostgreSQL) restarting under traffic', () => {
  let postgres: TestPostgres;
  let server: TestServer;
  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase('caio_fault');
    server = await startTestServer({ DATABASE_URL: url }, { readinessIntervalMs: 200 });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await postgres?.close();
  });

  const headers = { 'x-dashboard-token': TOKEN, 'content-type': 'application/json' };
  const ready = async () => {
    const response = await fetch(`${server.url}/api/health/ready`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const listQueue = () => fetch(`${server.url}/api/queue?limit=5`, { headers });
  let next = 0;
  const addDraft = () =>
    fetch(`${server.url}/api/queue`, {
      method: 'POST',
      headers,
      body: JSON.stringify(draftInput((next += 1))),
    });

  it('answers 503 dependency_unavailable while PostgreSQL is down, then 200 again without a restart', async () => {
    const before = await ready();
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    expect(before.body).toMatchObject({
      ready: true,
      dependencies: { record: { healthy: true, dialect: 'postgres', shared: true } },
    });
    expect((await addDraft()).status).toBe(201);

    // Traffic all along: every answer is 2xx or a 503 dependency_unavailable, never anything else.
    const seen = new Map<number, number>();
    const bodies: string[] = [];
    let traffic = true;
    const loop = (async () => {
      while (traffic) {
        const responses = await Promise.all([listQueue(), addDraft()]);
        for (const response of responses) {
          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
          const text = await response.text();
          if (response.status >= 300) bodies.push(text);
        }
      }
    })();
    await waitFor(async () => (seen.get(200) ?? 0) > 2, 10_000, 'traffic before the outage');

    await postgres.stop();
    await waitFor(async () => (await listQueue()).status === 503, 15_000, 'a 503 once PostgreSQL stopped');
    const refused = await listQueue();
    const text = await refused.text();
    expect(refused.status, text).toBe(503);
    expect(JSON.parse(text)).toMatchObject({ code: 'dependency_unavailable', dependency: 'record' });
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(text).not.toContain(String(postgres.port));

    await waitFor(
      async () => (await ready()).status === 503,
      15_000,
      'readiness 503 while PostgreSQL is down',
    );
    const down = await ready();
    expect(down.body).toMatchObject({
      ready: false,
      dependencies: { record: { healthy: false, dialect: 'postgres', error: expect.any(String) } },
    });
    expect(JSON.stringify(down.body)).not.toContain(String(postgres.port));

    await postgres.start();
    await waitFor(
      async () => (await ready()).status === 200,
      20_000,
      'readiness 200 after PostgreSQL restarted',
    );
    await waitFor(async () => (await listQueue()).status === 200, 20_000, 'the queue answers again');
    traffic = false;
    await loop;

    const added = await addDraft();
    expect(added.status, await added.text()).toBe(201);
    expect((await ready()).body).toMatchObject({ dependencies: { record: { healthy: true } } });

    const statuses = [...seen.keys()].sort();
    expect(seen.get(503) ?? 0, 'some traffic met the outage').toBeGreaterThan(0);
    expect(
      statuses.filter((status) => status !== 200 && status !== 201 && status !== 503),
      `unexpected answers: ${bodies.filter((b) => !b.includes('dependency_unavailable')).join('\n')}`,
    ).toEqual([]);
    for (const body of bodies) expect(JSON.parse(body)).toMatchObject({ code: 'dependency_unavailable' });
  }, 120_000);
});
