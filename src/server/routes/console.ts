/**
 * What a remote console reads beyond the queue pages and batches (SPEC 11): one draft whole, the
 * Queue header of the asking operator, recent traces, and the release ritual (checklist, checks,
 * a pto's confirmation, the completion report). The same services as the local console.
 */
import { z } from 'zod';
import { traceFilePath } from '../../runtime/config.js';
import { tailTraces } from '../../runtime/services/traces.js';
import { HttpError } from '../http.js';
import { json, type Route, type RouteContext } from '../types.js';
import { actorOf } from './queue.js';
import { notAvailable, requireService } from './unavailable.js';

interface Metrics {
  sla: { minutes: number; breaches: number };
  capacity: { per_reviewer: number; reviewers: { reviewer: string; used: number }[] };
}

const checkBody = z
  .object({ step: z.string().min(1).max(100).optional() })
  .strict()
  .optional();

const tickBody = z.object({ force: z.boolean().optional() }).strict();

function release(ctx: RouteContext) {
  const port = ctx.services.releaseFor?.(actorOf(ctx));
  if (!port) throw notAvailable('the release ritual');
  return port;
}

export const consoleRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/queue/summary',
    auth: 'token',
    summary:
      "the Queue header for the token's operator: approvals used today, capacity, SLA breaches, taxonomy",
    async handler(ctx) {
      const queueService = requireService(ctx.services.queue, 'queue metrics');
      const m = (await queueService.metrics()) as Metrics;
      const me = actorOf(ctx).toLowerCase();
      const used = m.capacity.reviewers
        .filter((r) => r.reviewer.toLowerCase() === me)
        .reduce((sum, r) => sum + r.used, 0);
      const queue = ctx.services.queue as { taxonomy?: readonly string[] } | undefined;
      return json(200, {
        operator: actorOf(ctx),
        approvals_used: used,
        approvals_capacity: ctx.services.config.DAILY_APPROVAL_CAPACITY,
        sla_minutes: m.sla.minutes,
        sla_breaches: m.sla.breaches,
        taxonomy: queue?.taxonomy ?? [],
      });
    },
  },
  {
    method: 'GET',
    path: '/api/queue/:id',
    auth: 'token',
    summary: 'one draft, whole (lead, subject, body, findings, context)',
    async handler({ services, params }) {
      const queue = requireService(services.queue, 'reading a draft');
      const draft = await queue.get(params.id as string);
      if (!draft) throw new HttpError(404, 'not_found', `no draft ${params.id ?? ''}`);
      return json(200, draft);
    },
  },
  {
    method: 'GET',
    path: '/api/incidents',
    auth: 'token',
    summary: 'open incidents, newest first (aging breach, replay, dependency, NO-GO) with their delivery',
    async handler({ services }) {
      const notifier = requireService(services.notifier, 'incidents');
      const incidents = await notifier.open();
      return json(200, {
        incidents: incidents.map((i) => ({
          kind: i.kind,
          title: i.title,
          opened_at: i.opened_at,
          delivery: i.delivery,
        })),
      });
    },
  },
  {
    method: 'GET',
    path: '/api/traces',
    auth: 'token',
    summary: 'the newest trace envelopes (?limit=1..500)',
    async handler({ services, query }) {
      const raw = query.get('limit') ?? '100';
      if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 500)
        throw new HttpError(400, 'invalid_request', 'limit must be a whole number from 1 to 500');
      const { envelopes } = await tailTraces(traceFilePath(services.config), { limit: Number(raw) });
      return json(200, { envelopes });
    },
  },
  {
    method: 'GET',
    path: '/api/release',
    auth: 'token',
    summary: 'the release checklist: steps with status and evidence, decision, pending steps',
    async handler(ctx) {
      return json(200, await release(ctx).checklist());
    },
  },
  {
    method: 'POST',
    path: '/api/release/check',
    auth: 'token',
    role: 'pto',
    summary: 'run the automatic release checks ({step?} for one)',
    async handler(ctx) {
      const parsed = checkBody.safeParse(await ctx.jsonBody());
      if (!parsed.success)
        throw new HttpError(400, 'invalid_request', 'a body {"step"?: string} is expected');
      const port = release(ctx);
      const step = parsed.data?.step;
      if (step) await port.rerun(step);
      else await port.runAll();
      ctx.services.events.publish('release', {
        action: 'check',
        ...(step ? { step } : {}),
        by: actorOf(ctx),
      });
      return json(200, await port.checklist());
    },
  },
  {
    method: 'POST',
    path: '/api/release/steps/:id/confirm',
    auth: 'token',
    role: 'pto',
    summary:
      "confirm a manual release step as the operator of the token ({force?}: over another operator's sign-off, kept in the history); answers {status, message}",
    async handler(ctx) {
      const parsed = tickBody.safeParse((await ctx.jsonBody()) ?? {});
      if (!parsed.success)
        throw new HttpError(400, 'invalid_request', 'a body {"force"?: boolean} is expected');
      const result = await release(ctx).tick(ctx.params.id as string, { force: parsed.data.force === true });
      if (result.status === 'confirmed')
        ctx.services.events.publish('release', { action: 'confirm', step: ctx.params.id, by: actorOf(ctx) });
      return json(200, result);
    },
  },
  {
    method: 'POST',
    path: '/api/release/steps/:id/unconfirm',
    auth: 'token',
    role: 'pto',
    summary: 'withdraw the sign-off of a manual release step (kept in the history); answers {message}',
    async handler(ctx) {
      const message = await release(ctx).untick(ctx.params.id as string);
      ctx.services.events.publish('release', { action: 'unconfirm', step: ctx.params.id, by: actorOf(ctx) });
      return json(200, { message });
    },
  },
  {
    method: 'POST',
    path: '/api/release/report',
    auth: 'token',
    role: 'pto',
    summary: 'write the completion report on the server; answers where',
    async handler(ctx) {
      return json(200, await release(ctx).exportReport());
    },
  },
];
