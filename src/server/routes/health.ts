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
      const { record } = snapshot;
      return json(snapshot.ready ? 200 : 503, {
        ready: snapshot.ready,
        ...(snapshot.code ? { code: snapshot.code, message: snapshot.message } : {}),
        dependencies: {
          ...(record
            ? {
                // Open route: no latency detail or location, only what tells a balancer and an operator why.
                record: {
                  healthy: record.healthy,
                  dialect: record.dialect,
                  schema_version: record.schema_version,
                  record_id: record.record_id,
                  shared: record.shared,
                  registered_record_id: record.registered_record_id,
                  error: record.error,
                },
              }
            : {}),
          redis: snapshot.redis,
          // The event API's address and answer stay behind the token (/api/runtime/dependencies).
          inngest: snapshot.inngest.degraded
            ? {
                ...snapshot.inngest,
                error: 'events to Inngest are failing; details: GET /api/runtime/dependencies',
              }
            : snapshot.inngest,
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
