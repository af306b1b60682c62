/**
 * Operator routes. Status is the one-shot overview of `caio status` (services/status.ts) plus the
 * Gatekeeper batch list; trigger starts one operator action and returns its result.
 */
import { z } from 'zod';
import { collectStatus } from '../../runtime/services/status.js';
import { HttpError } from '../http.js';
import { json, type Route } from '../types.js';
import { notifyAging, notifyReplay } from '../../runtime/services/inngest/jobs.js';
import { actorOf } from './queue.js';
import { requireService } from './unavailable.js';

const triggerBody = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('outbound_dry_run'),
    motion: z.enum(['outbound', 'inbound', 'all']).default('all'),
  }),
  z.object({ action: z.literal('replay_gate') }),
  z.object({ action: z.literal('aging_watch') }),
  z.object({ action: z.literal('webhook_sweep') }),
  z.object({ action: z.literal('meeting_prep_publish') }),
  z.object({
    action: z.literal('pipeline'),
    source: z.enum(['rb2b', 'clay', 'all']).default('all'),
    limit: z.number().int().min(0).optional(),
    /** Required in production (the CLI's --yes). */
    confirm: z.boolean().optional(),
  }),
]);

export const operatorRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/whoami',
    auth: 'token',
    summary: 'the operator and role of the token',
    async handler({ identity }) {
      return json(200, { operator: identity.name, role: identity.role, via: identity.via });
    },
  },
  {
    method: 'GET',
    path: '/api/operator/status',
    auth: 'token',
    summary: 'queue, capacity, aging, ramp, hosts, batches, last replay',
    async handler({ services }) {
      const report = await collectStatus({
        config: services.config,
        version: services.version,
        now: services.now,
        state: services.state,
        readiness: services.readiness,
        queue: services.queue,
        replay: services.replay,
        hosts: services.hosts,
      });
      let batches: unknown = null;
      if (services.gatekeeper) batches = await services.gatekeeper.list();
      return json(200, { ...report, batches });
    },
  },
  {
    method: 'POST',
    path: '/api/operator/trigger',
    auth: 'token',
    role: 'approver',
    summary:
      'start an operator action: outbound_dry_run, replay_gate, aging_watch, webhook_sweep, pipeline, meeting_prep_publish',
    async handler(ctx) {
      const { services, jsonBody } = ctx;
      const parsed = triggerBody.safeParse(await jsonBody());
      if (!parsed.success) {
        throw new HttpError(
          400,
          'invalid_request',
          'a body {"action": "outbound_dry_run" (with "motion"?), "replay_gate", "aging_watch", "webhook_sweep", "meeting_prep_publish" or "pipeline" (with "source"?, "limit"?, "confirm"?)} is required',
        );
      }
      const input = parsed.data;
      switch (input.action) {
        case 'outbound_dry_run': {
          const gatekeeper = requireService(services.gatekeeper, 'the Gatekeeper dry run');
          const batch = await gatekeeper.preview({ motion: input.motion }, 'api', {
            persist: false,
            triggeredBy: 'api',
          });
          return json(200, { action: input.action, dry_run: true, result: batch });
        }
        case 'replay_gate': {
          const replay = requireService(services.replay, 'the replay gate');
          const result = await replay.runGate();
          notifyReplay({ notifier: services.notifier, now: services.now }, result);
          return json(200, { action: input.action, result });
        }
        case 'aging_watch': {
          const queue = requireService(services.queue, 'the aging watch');
          const result = await queue.escalateBreaches('api');
          notifyAging({ notifier: services.notifier, config: services.config, now: services.now }, result);
          return json(200, { action: input.action, result });
        }
        case 'webhook_sweep':
          return json(200, { action: input.action, result: await services.processor.processPending() });
        case 'meeting_prep_publish': {
          const prep = requireService(services.meetingPrep, 'meeting prep');
          return json(200, { action: input.action, result: await prep.publishApproved() });
        }
        case 'pipeline': {
          const pipeline = requireService(services.pipeline, 'the pipeline');
          const mode = services.config.CAIO_MODE;
          if (mode === 'production' && input.confirm !== true) {
            throw new HttpError(
              409,
              'confirmation_required',
              'a production pipeline run needs "confirm": true in the body (the CLI asks the same)',
            );
          }
          const result = await pipeline.run({
            mode,
            source: input.source,
            limit: input.limit,
            actor: actorOf(ctx),
          });
          return json(200, { action: input.action, result });
        }
      }
    },
  },
];
