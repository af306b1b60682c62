/** Health and dependency routes (SPEC 6). */
import { json, type Route } from '../types.js';

export const healthRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/health',
    auth: 'open',
    summary: 'liveness: status, version, uptime',
    async handler({ services }) {
      return json(200, {
        status: 'ok',
        version: services.version,
        uptime_s: Math.floor((services.now() - services.startedAt) / 1000),
      });
    },
  },
  {
    method: 'GET',
    path: '/api/health/ready',
    auth: 'open',
    summary: 'readiness from live dependency state (200 or 503)',
    async handler({ services }) {
      const snapshot = services.readiness.snapshot();
      return json(snapshot.ready ? 200 : 503, {
        ready: snapshot.ready,
        dependencies: {
          record: snapshot.record,
          redis: snapshot.redis,
          inngest: snapshot.inngest,
          webhooks: snapshot.webhooks,
        },
        checked_at: snapshot.checked_at,
      });
    },
  },
  {
    method: 'GET',
    path: '/api/runtime/dependencies',
    auth: 'token',
    summary: 'dependency detail: record, Redis and Inngest health, modes, latency',
    async handler({ services }) {
      const snapshot = services.readiness.snapshot();
      return json(200, snapshot);
    },
  },
];
