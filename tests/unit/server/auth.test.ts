import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/runtime/config.js';
import { clientAddress, createAuthGuard, presentedToken } from '../../../src/server/auth.js';

const TOKEN = 'tok_8f3a9c2b7d1e4f60a5b8c9d0e1f2a3b4c5d6';
const request = (headers: Record<string, string> = {}, address = '10.0.0.1') =>
  ({ headers, socket: { remoteAddress: address } }) as unknown as IncomingMessage;
const none = new URLSearchParams();

describe('dashboard token guard', () => {
  it('reads the token from Bearer, X-Dashboard-Token or ?token=', () => {
    expect(presentedToken(request({ authorization: 'Bearer abc' }), none)).toBe('abc');
    expect(presentedToken(request({ authorization: 'bearer  abc ' }), none)).toBe('abc');
    expect(presentedToken(request({ 'x-dashboard-token': 'def' }), none)).toBe('def');
    expect(presentedToken(request(), new URLSearchParams('token=ghi'))).toBe('ghi');
    expect(presentedToken(request({ authorization: 'Basic xyz' }), none)).toBeUndefined();
  });

  it('accepts the right token and refuses a wrong one of any length', async () => {
    const guard = createAuthGuard({ config: parseConfig({ DASHBOARD_AUTH_TOKEN: TOKEN }) });
    expect(await guard.check(request({ 'x-dashboard-token': TOKEN }), none)).toMatchObject({
      ok: true,
      identity: { role: 'admin' },
    });
    for (const wrong of ['x', TOKEN.slice(0, -1), `${TOKEN}x`, 'y'.repeat(5000)]) {
      expect(await guard.check(request({ 'x-dashboard-token': wrong }), none)).toMatchObject({
        ok: false,
        status: 401,
      });
    }
    expect(await guard.check(request(), none)).toMatchObject({
      ok: false,
      status: 401,
      code: 'unauthorized',
    });
  });

  it('fails closed without a token in strict mode or outside development, open only in plain development', async () => {
    const strict = createAuthGuard({ config: parseConfig({ DASHBOARD_AUTH_STRICT: 'true' }) });
    expect(await strict.check(request(), none)).toMatchObject({
      ok: false,
      status: 401,
      code: 'auth_not_configured',
    });
    const staging = createAuthGuard({ config: parseConfig({ CAIO_MODE: 'staging' }) });
    expect(await staging.check(request({ 'x-dashboard-token': 'anything' }), none)).toMatchObject({
      ok: false,
      status: 401,
    });
    const dev = createAuthGuard({ config: parseConfig({}) });
    expect(await dev.check(request(), none)).toMatchObject({ ok: true, identity: { role: 'admin' } });
  });

  it('rate limits failed attempts per address, then refuses even the right token until the window ends', async () => {
    let now = 1_000_000;
    const guard = createAuthGuard({
      config: parseConfig({ DASHBOARD_AUTH_TOKEN: TOKEN }),
      failureLimit: 3,
      windowSeconds: 60,
      now: () => now,
    });
    const wrong = request({ 'x-dashboard-token': 'wrong' });
    for (let i = 0; i < 3; i++) expect(await guard.check(wrong, none)).toMatchObject({ status: 401 });
    expect(await guard.check(wrong, none)).toMatchObject({
      status: 429,
      code: 'rate_limited',
      retryAfterSeconds: 60,
    });
    expect(await guard.check(request({ 'x-dashboard-token': TOKEN }), none)).toMatchObject({ status: 429 });
    // Another address is not affected.
    expect(await guard.check(request({ 'x-dashboard-token': TOKEN }, '10.0.0.2'), none)).toMatchObject({
      ok: true,
      identity: { role: 'admin' },
    });
    now += 61_000;
    expect(await guard.check(request({ 'x-dashboard-token': TOKEN }), none)).toMatchObject({
      ok: true,
      identity: { role: 'admin' },
    });
  });

  it('counts failures in the state store when there is one', async () => {
    const keys: string[] = [];
    const state = {
      health: async () => ({
        kind: 'redis' as const,
        healthy: true,
        degraded: false,
        latencyMs: 1,
        error: undefined,
      }),
      consume: async (key: string) => {
        keys.push(key);
        return { allowed: keys.length < 2, remaining: 0, resetMs: 5000 };
      },
    };
    const guard = createAuthGuard({ config: parseConfig({ DASHBOARD_AUTH_TOKEN: TOKEN }), state });
    const wrong = request({ authorization: 'Bearer nope' });
    expect(await guard.check(wrong, none)).toMatchObject({ status: 401 });
    expect(await guard.check(wrong, none)).toMatchObject({ status: 429, retryAfterSeconds: 5 });
    expect(keys).toEqual(['auth-fail:10.0.0.1', 'auth-fail:10.0.0.1']);
    expect(keys.join()).not.toContain('nope');
  });

  it('outside development a placeholder or short token counts as no token: closed even to itself', async () => {
    for (const weak of ['your-dashboard-token-at-least-32-chars', 'tok_short_1234']) {
      const guard = createAuthGuard({
        config: parseConfig({ CAIO_MODE: 'production', DASHBOARD_AUTH_TOKEN: weak }),
      });
      const decision = await guard.check(request({ 'x-dashboard-token': weak }), none);
      expect(decision).toMatchObject({ ok: false, status: 401, code: 'auth_not_configured' });
      expect(decision.ok === false && decision.message).toMatch(/caio bootstrap --rotate-token/);
      expect(decision.ok === false && decision.message).not.toContain(weak);
    }
    // Development keeps whatever the developer set.
    const dev = createAuthGuard({ config: parseConfig({ DASHBOARD_AUTH_TOKEN: 'tok_short_1234' }) });
    expect(await dev.check(request({ 'x-dashboard-token': 'tok_short_1234' }), none)).toMatchObject({
      ok: true,
      identity: { role: 'admin' },
    });
  });

  it('behind trusted proxies the limit is per client from X-Forwarded-For, never from spoofable entries', async () => {
    const guard = createAuthGuard({
      config: parseConfig({ DASHBOARD_AUTH_TOKEN: TOKEN, TRUST_PROXY_HOPS: '1' }),
      failureLimit: 2,
      windowSeconds: 60,
    });
    // Every request arrives from the load balancer's socket address 10.0.0.9.
    const via = (client: string, token: string, spoofed = '') =>
      request({ 'x-dashboard-token': token, 'x-forwarded-for': `${spoofed}${client}` }, '10.0.0.9');
    for (let i = 0; i < 3; i++) await guard.check(via('203.0.113.7', 'wrong'), none);
    expect(await guard.check(via('203.0.113.7', TOKEN), none)).toMatchObject({ status: 429 });
    // A spoofed left-hand entry does not escape the limit: the proxy's own entry decides.
    expect(await guard.check(via('203.0.113.7', TOKEN, '198.51.100.1, '), none)).toMatchObject({
      status: 429,
    });
    // Another operator behind the same balancer is not locked out.
    expect(await guard.check(via('198.51.100.20', TOKEN), none)).toMatchObject({
      ok: true,
      identity: { role: 'admin' },
    });
  });

  it('without trusted proxies X-Forwarded-For is ignored', () => {
    const req = request({ 'x-forwarded-for': '203.0.113.7' }, '10.0.0.9');
    expect(clientAddress(req)).toBe('10.0.0.9');
    expect(clientAddress(req, 1)).toBe('203.0.113.7');
    expect(clientAddress(request({}, '10.0.0.9'), 2)).toBe('10.0.0.9');
  });
});
