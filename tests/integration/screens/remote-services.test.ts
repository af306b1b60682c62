/**
 * The remote console's services against a real runtime and server on port 0: the probe tells a caio
 * runtime, a wrong token, a URL that is something else, an unreachable port and a TLS failure apart
 * (and `caio console --remote` exits 2 with that one line, no stack trace); a reviewer reads pages,
 * approves as herself (the audit says so), is refused batches and release steps with 403; the change
 * token moves when someone else decides (live through /api/events).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteClient, probeRemote } from '../../../src/screens/remote-client.js';
import { createRemoteServices, type QueueSummary } from '../../../src/screens/remote-services.js';
import { runCli } from '../../helpers/cli.js';
import { draftInput } from '../../helpers/queue/drafts.js';
import { startTestServer, waitFor, type TestServer } from '../server/harness.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return `127.0.0.1:${port}`;
}

describe('remote console services', () => {
  let server: TestServer;
  let maria: string;
  let alex: string;
  let other: Server;
  let tls: Server;
  let otherUrl: string;
  let tlsUrl: string;
  let certDir: string;

  beforeAll(async () => {
    server = await startTestServer({ CAIO_MODE: 'development' });
    maria = (await server.runtime.operators.add('maria', 'reviewer', 'test-admin')).token;
    alex = (await server.runtime.operators.add('alex', 'approver', 'test-admin')).token;
    for (let i = 1; i <= 30; i += 1) await server.runtime.queue.add(draftInput(i), 'api');
    other = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>It works!</body></html>');
    });
    otherUrl = `http://${await listen(other)}`;
    certDir = mkdtempSync(join(tmpdir(), 'caio-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    tls = createHttpsServer(
      { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) },
      (_req, res) => res.end('{}'),
    );
    tlsUrl = `https://${await listen(tls)}`;
  });
  afterAll(async () => {
    await server.stop();
    other.close();
    tls.close();
    rmSync(certDir, { recursive: true, force: true });
  });

  it('names the operator and role of the token', async () => {
    const client = createRemoteClient({ url: `${server.url}/`, token: maria });
    await expect(probeRemote(client, maria)).resolves.toMatchObject({ operator: 'maria', role: 'reviewer' });
  });

  it('tells a wrong token, a URL that is not caio, an unreachable port and a TLS failure apart', async () => {
    const probe = (url: string, token: string) => probeRemote(createRemoteClient({ url, token }), token);
    await expect(probe(server.url, 'caio_op_wrong')).rejects.toMatchObject({
      code: 'remote_unauthorized',
      exitCode: 2,
    });
    await expect(probe(otherUrl, maria)).rejects.toMatchObject({ code: 'remote_not_caio', exitCode: 2 });
    const closed = createHttpServer();
    const closedUrl = `http://${await listen(closed)}`;
    closed.close();
    await expect(probe(closedUrl, maria)).rejects.toMatchObject({ code: 'remote_unreachable', exitCode: 2 });
    await expect(probe(tlsUrl, maria)).rejects.toMatchObject({ code: 'remote_tls', exitCode: 2 });
  });

  it('caio console --remote exits 2 with one line saying which, never a stack trace', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'caio-remote-cli-'));
    try {
      const run = (args: string[], env: Record<string, string> = {}) =>
        runCli(['console', ...args], { cwd, env: { HIVE_DIR: join(cwd, 'hive'), ...env } });
      const wrong = await run(['--remote', server.url, '--token', 'caio_op_wrong']);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/refused the token \(401\)/);
      const notCaio = await run(['--remote', otherUrl], { CAIO_TOKEN: maria });
      expect(notCaio.code).toBe(2);
      expect(notCaio.stderr).toMatch(/is not a caio runtime/);
      const badTls = await run([], { CAIO_REMOTE_URL: tlsUrl, CAIO_TOKEN: maria });
      expect(badTls.code).toBe(2);
      expect(badTls.stderr).toMatch(/TLS failure/);
      for (const result of [wrong, notCaio, badTls]) expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('reads pages, approves as the operator of the token, and is refused what the role may not do', async () => {
    const client = createRemoteClient({ url: server.url, token: maria });
    const identity = await probeRemote(client, maria);
    const summary = await client.request<QueueSummary>('GET', '/api/queue/summary');
    const remote = createRemoteServices({ client, identity, url: server.url, token: maria, summary });
    try {
      const { services } = remote;
      const queue = services.queue as NonNullable<typeof services.queue>;
      expect(services.actor).toBe('maria');
      expect(queue.taxonomy.length).toBeGreaterThan(0);
      const first = await queue.page({ status: 'pending', sort: 'age', limit: 10 });
      expect(first.total).toBe(30);
      expect(first.items).toHaveLength(10);
      const second = await queue.page({
        status: 'pending',
        sort: 'age',
        limit: 10,
        cursor: first.next as string,
      });
      expect(second.items[0]?.id).not.toBe(first.items[0]?.id);

      await waitFor(() => remote.remote.state().state === 'live', 5_000, 'the event stream');
      const before = await queue.changeToken();
      await queue.approve(first.items[0]?.id as string);
      const rows = await server.runtime.record.audit.tail(10);
      expect(rows.find((r) => r.action === 'queue.approve')?.actor).toBe('maria');
      // Someone else's decision moves the token too (live).
      const afterMine = await waitFor(
        async () => {
          const token = await queue.changeToken();
          return token !== before ? token : undefined;
        },
        5_000,
        'the change token to move',
      );
      await server.runtime.queue.approve(first.items[1]?.id as string, 'someone-else');
      await waitFor(
        async () => (await queue.changeToken()) !== afterMine,
        5_000,
        'the change token to move again',
      );
      expect((await queue.header()).approvalsUsed).toBe(1);

      await expect(services.batches?.preview()).rejects.toMatchObject({ code: 'forbidden' });
      await expect(services.batches?.execute('b1', 'h')).rejects.toThrow(/403 forbidden.*approver/);
      await expect(services.release?.tick('any-step')).rejects.toThrow(/403 forbidden/);
      // Reading is every role's: health, overview, batches, traces, webhooks, scorecard, release.
      await expect(services.health()).resolves.toHaveProperty('ready');
      await expect(services.overview()).resolves.toMatchObject({
        counts: expect.any(Object),
        approvalsUsed: 1,
        incidents: expect.any(Array),
      });
      await expect(services.batches?.list()).resolves.toEqual([]);
      await expect(services.traces?.recent(10)).resolves.toEqual(expect.any(Array));
      await expect(services.webhooks?.recent({ limit: 10 })).resolves.toEqual([]);
      await expect(services.scorecard?.current()).resolves.toHaveProperty('rows');
      await expect(services.release?.checklist()).resolves.toHaveProperty('steps');
    } finally {
      remote.close();
    }
  });

  it('lets an approver preview a batch and see it listed in full', async () => {
    const client = createRemoteClient({ url: server.url, token: alex });
    const identity = await probeRemote(client, alex);
    const summary = await client.request<QueueSummary>('GET', '/api/queue/summary');
    const remote = createRemoteServices({ client, identity, url: server.url, token: alex, summary });
    try {
      const batch = await remote.services.batches?.preview();
      expect(batch?.items.length).toBeGreaterThan(0);
      const listed = await remote.services.batches?.list();
      expect(listed?.[0]).toMatchObject({ id: batch?.id, hash: batch?.hash, items: batch?.items });
    } finally {
      remote.close();
    }
  });

  it('runs :pipeline through the trigger route for an approver, and a reviewer is refused', async () => {
    const client = createRemoteClient({ url: server.url, token: alex });
    const identity = await probeRemote(client, alex);
    const summary = await client.request<QueueSummary>('GET', '/api/queue/summary');
    const remote = createRemoteServices({ client, identity, url: server.url, token: alex, summary });
    const reviewerClient = createRemoteClient({ url: server.url, token: maria });
    const reviewer = createRemoteServices({
      client: reviewerClient,
      identity: await probeRemote(reviewerClient, maria),
      url: server.url,
      token: maria,
      summary,
    });
    try {
      // No stored leads in this record: a real run that drafts nothing.
      expect(await remote.services.pipeline?.run()).toMatchObject({ drafted: 0, considered: 0 });
      await expect(reviewer.services.pipeline?.run()).rejects.toThrow(/403|approver/);
    } finally {
      remote.close();
      reviewer.close();
    }
  });

  it('says reconnecting when the stream drops, recovers by itself, and catches up', async () => {
    const client = createRemoteClient({ url: server.url, token: maria });
    const identity = await probeRemote(client, maria);
    const summary = await client.request<QueueSummary>('GET', '/api/queue/summary');
    const remote = createRemoteServices({ client, identity, url: server.url, token: maria, summary });
    const states: string[] = [];
    remote.remote.onState(() => states.push(remote.remote.state().state));
    try {
      await waitFor(() => remote.remote.state().state === 'live', 5_000, 'live');
      const before = await remote.services.queue?.changeToken();
      // The server ends every stream (as on a restart); a change lands while the console is away.
      server.app.endStreams();
      await server.runtime.queue.approve('d00020', 'someone-else');
      await waitFor(() => states.includes('reconnecting'), 5_000, 'reconnecting');
      await waitFor(() => remote.remote.state().state === 'live', 10_000, 'live again');
      await waitFor(
        async () => (await remote.services.queue?.changeToken()) !== before,
        5_000,
        'the change token to move after the reconnection',
      );
    } finally {
      remote.close();
    }
  });

  it('shows unauthorized on the stream once the operator is revoked', async () => {
    const token = (await server.runtime.operators.add('temp', 'viewer', 'test-admin')).token;
    const client = createRemoteClient({ url: server.url, token });
    const identity = await probeRemote(client, token);
    const summary = await client.request<QueueSummary>('GET', '/api/queue/summary');
    const remote = createRemoteServices({ client, identity, url: server.url, token, summary });
    try {
      await waitFor(() => remote.remote.state().state === 'live', 5_000, 'live');
      await server.runtime.operators.revoke('temp', 'test-admin');
      await expect(remote.services.health()).rejects.toMatchObject({ code: 'remote_unauthorized' });
    } finally {
      remote.close();
    }
  });
});
