import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createInstantlyEmail,
  createLogOnlyEmail,
  createWhitelistEmail,
} from '../../../src/runtime/adapters/email.js';
import {
  createGhlCalendar,
  createGhlCrm,
  createMockCalendar,
  createSandboxCrm,
} from '../../../src/runtime/adapters/ghl.js';
import { createAdapters } from '../../../src/runtime/adapters/index.js';
import { parseConfig } from '../../../src/runtime/config.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** A scriptable provider: each request takes the next planned answer (default 200 {}). */
let server: Server;
let baseUrl = '';
const seen: Seen[] = [];
let plan: ((req: IncomingMessage, res: ServerResponse) => void)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      });
      const step = plan.shift();
      if (step) step(req, res);
      else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"lead_1","contact":{"id":"c_1"}}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  plan = [];
});

const status =
  (code: number, body = '{"error":"x"}', headers: Record<string, string> = {}) =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(body);
  };
const hang = () => () => undefined;
const message = {
  draftId: 'd1',
  batchId: 'b1',
  to: 'ada@acme.io',
  subject: 'Hi',
  body: 'Body',
  lead: { email: 'ada@acme.io', first_name: 'Ada', company: 'Acme' },
};

describe('Instantly email adapter (live)', () => {
  const adapter = () =>
    createInstantlyEmail({
      apiKey: 'inst_key_0123456789',
      baseUrl,
      campaignId: 'camp_42',
      timeoutMs: 300,
      retries: 2,
      backoffMs: 5,
    });

  it('posts the lead with the approved text and dedup flag, with the bearer key', async () => {
    expect(await adapter().send(message)).toEqual({ ok: true, providerId: 'lead_1' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      path: '/api/v2/leads',
      headers: { authorization: 'Bearer inst_key_0123456789', 'content-type': 'application/json' },
      body: {
        email: 'ada@acme.io',
        campaign: 'camp_42',
        first_name: 'Ada',
        company_name: 'Acme',
        skip_if_in_workspace: true,
        custom_variables: { caio_subject: 'Hi', caio_body: 'Body', caio_draft_id: 'd1', caio_batch_id: 'b1' },
      },
    });
  });

  it('retries 5xx and 429 (honouring Retry-After), then succeeds', async () => {
    plan = [status(503), status(429, '{}', { 'retry-after': '0' })];
    expect(await adapter().send(message)).toMatchObject({ ok: true });
    expect(seen).toHaveLength(3);
  });

  it('does not retry a 4xx and reports it without the key', async () => {
    plan = [status(422, '{"error":"invalid email"}')];
    const result = await adapter().send(message);
    expect(result).toEqual({ ok: false, error: 'POST /api/v2/leads: HTTP 422 {"error":"invalid email"}' });
    expect(seen).toHaveLength(1);
  });

  it('times out a hanging provider, retries, then gives up with a clear error', async () => {
    plan = [hang(), hang(), hang()];
    const result = await adapter().send(message);
    expect(result).toEqual({ ok: false, error: 'POST /api/v2/leads: timed out after 300 ms' });
    expect(seen).toHaveLength(3);
  });

  it('whitelist wrapper refuses other recipients without calling the provider', async () => {
    const wl = createWhitelistEmail(adapter(), ['@acme.io']);
    expect(await wl.send({ ...message, to: 'eve@evil.io' })).toEqual({
      ok: false,
      error: 'whitelist mode: eve@evil.io is not in EMAIL_WHITELIST',
    });
    expect(seen).toHaveLength(0);
    expect(await wl.send(message)).toMatchObject({ ok: true });
    expect(seen).toHaveLength(1);
  });

  it('log-only sends nothing', async () => {
    expect(await createLogOnlyEmail().send(message)).toEqual({ ok: true, providerId: 'log-only:d1' });
    expect(seen).toHaveLength(0);
  });
});

describe('GHL CRM and calendar adapters', () => {
  const options = () => ({
    apiKey: 'ghl_key_0123456789',
    baseUrl,
    locationId: 'loc_1',
    timeoutMs: 300,
    retries: 1,
    backoffMs: 5,
  });

  it('upserts a contact with the version header and location id', async () => {
    expect(
      await createGhlCrm(options()).upsertContact({ email: 'ada@acme.io', firstName: 'Ada', tags: ['caio'] }),
    ).toEqual({ id: 'c_1' });
    expect(seen[0]).toMatchObject({
      path: '/contacts/upsert',
      headers: { authorization: 'Bearer ghl_key_0123456789', version: '2021-07-28' },
      body: { locationId: 'loc_1', email: 'ada@acme.io', firstName: 'Ada', tags: ['caio'] },
    });
  });

  it('throws on an answer without an id, and books appointments live', async () => {
    plan = [status(200, '{}')];
    await expect(createGhlCrm(options()).upsertContact({ email: 'a@b.io' })).rejects.toThrow(
      'GHL answered without contact.id',
    );
    plan = [status(200, '{"id":"appt_1"}')];
    const booked = await createGhlCalendar(options()).book({
      calendarId: 'cal',
      email: 'a@b.io',
      title: 'Intro',
      startTime: '2026-01-05T10:00:00Z',
      endTime: '2026-01-05T10:30:00Z',
    });
    expect(booked).toEqual({ id: 'appt_1' });
    expect(seen.at(-1)).toMatchObject({
      path: '/calendars/events/appointments',
      body: { calendarId: 'cal', locationId: 'loc_1' },
    });
  });

  it('sandbox and mock answer locally and deterministically', async () => {
    const a = await createSandboxCrm().upsertContact({ email: 'Ada@acme.io' });
    expect(a).toEqual(await createSandboxCrm().upsertContact({ email: 'ada@acme.io' }));
    expect(
      (
        await createMockCalendar().book({
          calendarId: 'c',
          email: 'a@b.io',
          title: 't',
          startTime: 's',
          endTime: 'e',
        })
      ).id,
    ).toMatch(/^mock_/);
    expect(seen).toHaveLength(0);
  });
});

describe('createAdapters', () => {
  it('builds the simulated adapters by default', () => {
    const adapters = createAdapters(parseConfig({}));
    expect([adapters.email.mode, adapters.crm.mode, adapters.calendar.mode]).toEqual([
      'log-only',
      'sandbox',
      'mock',
    ]);
  });

  it('refuses live modes without their credentials, naming the variable', () => {
    expect(() => createAdapters(parseConfig({ EMAIL_SEND_MODE: 'live' }))).toThrow(
      'INSTANTLY_API_KEY is required when EMAIL_SEND_MODE=live',
    );
    expect(() => createAdapters(parseConfig({ GHL_MODE: 'live', GHL_API_KEY: 'k'.repeat(20) }))).toThrow(
      'GHL_LOCATION_ID is required when GHL_MODE=live',
    );
  });
});
