import { describe, expect, it } from 'vitest';
import { createRouter } from '../../../src/server/router.js';
import { ROUTES } from '../../../src/server/routes/index.js';
import type { Route } from '../../../src/server/types.js';

const route = (method: Route['method'], path: string): Route => ({
  method,
  path,
  auth: 'open',
  summary: path,
  handler: async () => undefined,
});

describe('router', () => {
  const router = createRouter([
    route('GET', '/a'),
    route('POST', '/a'),
    route('POST', '/q/:id/approve'),
    route('GET', '/q/:id'),
  ]);

  it('matches exact paths, parameters and a trailing slash', () => {
    expect(router.match('GET', '/a')).toMatchObject({ kind: 'route', route: { method: 'GET', path: '/a' } });
    expect(router.match('GET', '/a/')).toMatchObject({ kind: 'route' });
    expect(router.match('POST', '/q/d-1/approve')).toMatchObject({ kind: 'route', params: { id: 'd-1' } });
    expect(router.match('GET', '/q/x')).toMatchObject({ kind: 'route', params: { id: 'x' } });
  });

  it('tells a wrong method (405) from an unknown path (404)', () => {
    expect(router.match('DELETE', '/a')).toEqual({ kind: 'method', allowed: ['GET', 'POST'] });
    expect(router.match('GET', '/q/x/approve')).toEqual({ kind: 'method', allowed: ['POST'] });
    expect(router.match('GET', '/q//approve')).toEqual({ kind: 'none' });
    expect(router.match('GET', '/nope')).toEqual({ kind: 'none' });
  });

  it('refuses a duplicate route', () => {
    expect(() => createRouter([route('GET', '/a'), route('GET', '/a')])).toThrow(/duplicate/);
  });

  it('has every route of SPEC 6 in the table with the right auth', () => {
    const table = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r.auth]));
    const expected: Record<string, Route['auth']> = {
      'GET /api/health': 'open',
      'GET /api/health/ready': 'open',
      'GET /api/runtime/dependencies': 'token',
      'GET /api/operator/status': 'token',
      'POST /api/operator/trigger': 'token',
      'GET /api/queue': 'token',
      'POST /api/queue': 'token',
      'POST /api/queue/:id/approve': 'token',
      'POST /api/queue/:id/reject': 'token',
      'GET /api/batches': 'token',
      'POST /api/batches': 'token',
      'POST /api/batches/:id/execute': 'token',
      'GET /api/scorecard': 'token',
      'GET /api/webhooks': 'token',
      'POST /api/instantly/campaigns/:id/pause': 'token',
      'POST /api/instantly/campaigns/:id/resume': 'token',
      'GET /inngest': 'signature',
      'POST /inngest': 'signature',
      'POST /webhooks/instantly': 'signature',
      'POST /webhooks/heyreach': 'signature',
      'POST /webhooks/clay': 'signature',
      'POST /webhooks/rb2b': 'signature',
    };
    for (const [key, auth] of Object.entries(expected)) expect(table.get(key), key).toBe(auth);
    // SPEC 6.1: every /api route but the two health probes is protected.
    for (const r of ROUTES.filter((candidate) => candidate.path.startsWith('/api/'))) {
      const open = r.path === '/api/health' || r.path === '/api/health/ready';
      expect(r.auth, `${r.method} ${r.path}`).toBe(open ? 'open' : 'token');
    }
  });
});
