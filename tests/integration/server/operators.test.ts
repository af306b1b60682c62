/**
 * Operators and roles over HTTP (SPEC 12): tokens resolve to operators, roles gate actions with 403,
 * the audit names the operator (never a name the client declares), the service token may name someone
 * as `NAME (service token)`, and a revoked or rotated token is refused at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../src/server/routes/index.js';
import { draftInput } from '../../helpers/queue/drafts.js';
import { TOKEN, startTestServer, type TestServer } from './harness.js';

describe('operators and roles', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ CAIO_MODE: 'development', DAILY_APPROVAL_CAPACITY: '2' });
    for (const [name, role] of [
      ['maria', 'reviewer'],
      ['pat', 'pto'],
      ['vic', 'viewer'],
      ['alex', 'approver'],
      ['val', 'viewer'],
    ] as const) {
      tokens[name] = (await server.runtime.operators.add(name, role, 'test-admin')).token;
    }
    for (let i = 1; i <= 6; i += 1) await server.runtime.queue.add(draftInput(i), 'api');
  });
  afterAll(async () => {
    await server.stop();
  });

  const call = async (method: string, path: string, token: string, body?: unknown, headers = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('says who a token belongs to', async () => {
    expect((await call('GET', '/api/whoami', tokens.maria as string)).body).toMatchObject({
      operator: 'maria',
      role: 'reviewer',
    });
    expect((await call('GET', '/api/whoami', TOKEN)).body).toMatchObject({ role: 'admin', via: 'service' });
    expect((await call('GET', '/api/whoami', 'caio_op_not-a-real-token')).status).toBe(401);
  });

  it('acts as the operator of the token, whatever the request declares', async () => {
    const approved = await call(
      'POST',
      '/api/queue/d00001/approve',
      tokens.maria as string,
      { by: 'pat' },
      {
        'x-caio-operator': 'Pat',
      },
    );
    expect(approved).toMatchObject({ status: 200, body: { decided_by: 'maria' } });
    const row = (await server.runtime.record.audit.tail(5)).find((r) => r.action === 'queue.approve');
    expect(
      row?.actor ?? (await server.runtime.audit.tail(5)).find((r) => r.action === 'queue.approve')?.actor,
    ).toBe('maria');
  });

  it('records the service token acting for someone as NAME (service token)', async () => {
    const approved = await call('POST', '/api/queue/d00002/approve', TOKEN, undefined, {
      'x-caio-operator': 'Alice',
    });
    expect(approved).toMatchObject({ status: 200, body: { decided_by: 'Alice (service token)' } });
  });

  it('answers 403 naming the role needed', async () => {
    const viewer = await call('POST', '/api/queue/d00003/approve', tokens.vic as string);
    expect(viewer.status).toBe(403);
    expect(viewer.body).toMatchObject({ code: 'forbidden' });
    expect(String(viewer.body.message)).toMatch(
      /^POST \/api\/queue\/d00003\/approve needs the reviewer, approver or admin role \(approving, rejecting or undoing drafts\); this token is vic's, a viewer\./,
    );
    const preview = await call('POST', '/api/batches', tokens.maria as string, { motion: 'outbound' });
    expect(preview.status).toBe(403);
    expect(String(preview.body.message)).toMatch(
      /approver or admin role .*; this token is maria's, a reviewer/,
    );
    // Who, which role, what is needed and what to do, in an API client's words.
    const trigger = await call('POST', '/api/operator/trigger', tokens.maria as string, {
      action: 'pipeline',
    });
    expect(trigger).toMatchObject({
      status: 403,
      body: {
        code: 'forbidden',
        message:
          "POST /api/operator/trigger needs the approver or admin role (previewing or executing batches, triggering operator actions and controlling campaigns); this token is maria's, a reviewer. Ask an admin for a token of an operator with the approver role (`caio operators add NAME --role approver` prints one) and retry with it.",
        operator: 'maria',
        role: 'reviewer',
        roles: ['approver', 'admin'],
      },
    });
    // An approver on a PTO route: "an approver".
    const signOff = await call('POST', '/api/scorecard/sign-off', tokens.alex as string, {});
    expect(signOff.status).toBe(403);
    expect(String(signOff.body.message)).toContain(
      "this token is alex's, an approver. Ask an admin for a token of an operator with the pto role (`caio operators add NAME --role pto` prints one)",
    );
    const pto = await call('POST', '/api/queue/d00003/approve', tokens.pat as string);
    expect(pto.status).toBe(403);
    const approver = await call('POST', '/api/batches', tokens.alex as string, { motion: 'outbound' });
    expect(approver.status).toBe(201);
    // Reading is every role's.
    expect((await call('GET', '/api/operator/status', tokens.vic as string)).status).toBe(200);
  });

  it('gives a viewer 403 on every route that declares a role (from the route table)', async () => {
    const guarded = ROUTES.filter((route) => route.auth === 'token' && route.role);
    expect(guarded.length).toBeGreaterThanOrEqual(8);
    for (const route of guarded) {
      const path = route.path.replace(/:(\w+)/g, 'x');
      const answer = await call(route.method, path, tokens.val as string, {});
      expect({ route: `${route.method} ${route.path}`, status: answer.status }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 403,
      });
    }
  });

  it('signs the scorecard off as the PTO of the token, once per week; force keeps the first; others get 403', async () => {
    const reviewer = await call('POST', '/api/scorecard/sign-off', tokens.maria as string, {});
    expect(reviewer.status).toBe(403);
    expect(String(reviewer.body.message)).toMatch(
      /^POST \/api\/scorecard\/sign-off needs the pto or admin role \(confirming release steps and signing off the scorecard\); this token is maria's, a reviewer\./,
    );
    const bad = await call('POST', '/api/scorecard/sign-off', tokens.pat as string, { week: '2026-47' });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_request' } });

    const signed = await call('POST', '/api/scorecard/sign-off', tokens.pat as string, {
      note: 'fine',
      by: 'x',
    });
    expect(signed.status).toBe(400);
    const ok = await call('POST', '/api/scorecard/sign-off', tokens.pat as string, { note: 'fine' });
    expect(ok.status).toBe(201);
    expect(ok.body.sign_off).toMatchObject({ status: 'ok', value: { by: 'pat', role: 'pto', note: 'fine' } });

    const again = await call('POST', '/api/scorecard/sign-off', TOKEN, {}, { 'x-caio-operator': 'Ops' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'scorecard_already_signed' });
    expect(String(again.body.message)).toMatch(/already signed off by pat .*Send \{"force": true\}/);
    const forced = await call(
      'POST',
      '/api/scorecard/sign-off',
      TOKEN,
      { force: true },
      { 'x-caio-operator': 'Ops' },
    );
    expect(forced.status).toBe(201);
    expect(forced.body.sign_off).toMatchObject({
      status: 'ok',
      value: { by: 'Ops (service token)', role: 'admin', forced: true, earlier: 1 },
    });
    const card = await call('GET', '/api/scorecard', tokens.vic as string);
    expect(card.body.sign_off).toMatchObject({ value: { by: 'Ops (service token)' } });
    const [row] = await server.runtime.record.audit.tail(1);
    expect(row).toMatchObject({
      actor: 'Ops (service token)',
      action: 'scorecard.sign_off',
      details: { forced: true },
    });
  });

  it('refuses a revoked token at once, and the old token after a rotation', async () => {
    expect((await call('GET', '/api/whoami', tokens.vic as string)).status).toBe(200);
    await server.runtime.operators.revoke('vic', 'test-admin');
    expect((await call('GET', '/api/whoami', tokens.vic as string)).status).toBe(401);
    const rotated = await server.runtime.operators.rotate('alex', 'test-admin');
    expect((await call('GET', '/api/whoami', tokens.alex as string)).status).toBe(401);
    expect((await call('GET', '/api/whoami', rotated.token)).body).toMatchObject({ operator: 'alex' });
  });
});
