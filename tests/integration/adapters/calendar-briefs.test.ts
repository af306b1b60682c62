/** The live calendar adapter for call briefs against a local GHL stub. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGhlCalendarBriefs,
  createMockCalendarBriefs,
} from '../../../src/runtime/adapters/calendar-briefs.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

describe('calendar briefs adapter', () => {
  it('live: upserts the contact by email, then attaches the brief as a note', async () => {
    const calls: { path: string; body: Record<string, unknown>; auth: string | undefined }[] = [];
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        calls.push({
          path: req.url ?? '',
          body: JSON.parse(text) as Record<string, unknown>,
          auth: req.headers.authorization,
        });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/contacts/upsert') res.end(JSON.stringify({ contact: { id: 'c-42' } }));
        else res.end(JSON.stringify({ note: { id: 'n-7' } }));
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const calendar = createGhlCalendarBriefs({
      apiKey: 'ghl-key',
      baseUrl: `http://127.0.0.1:${port}`,
      locationId: 'loc',
    });
    const result = await calendar.writeBrief({
      briefId: 'prep_1',
      email: 'ann@acme.io',
      title: 'Call prep: Ann',
      body: 'Who: Ann',
    });
    expect(result).toEqual({ id: 'n-7' });
    expect(calls.map((c) => c.path)).toEqual(['/contacts/upsert', '/contacts/c-42/notes']);
    expect(calls[0]?.body).toEqual({ locationId: 'loc', email: 'ann@acme.io' });
    expect(calls[1]?.body).toEqual({ body: 'Call prep: Ann\n\nWho: Ann' });
    expect(calls[1]?.auth).toBe('Bearer ghl-key');
  });

  it('mock: a stable local id, nothing called', async () => {
    const mock = createMockCalendarBriefs();
    const a = await mock.writeBrief({ briefId: 'prep_1', email: 'a@b.io', title: 't', body: 'b' });
    expect(a).toEqual(await mock.writeBrief({ briefId: 'prep_1', email: 'x@y.io', title: 'u', body: 'c' }));
    expect(mock.mode).toBe('mock');
  });
});
