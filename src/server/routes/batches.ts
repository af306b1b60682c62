/**
 * Gatekeeper batch routes (SPEC 8). The gatekeeper service owns the behaviour; refusals (wrong hash,
 * expired, already executed, items changed, lock held) are UserErrors answered 409 `{code, message}`.
 */
import { z } from 'zod';
import { batchView, type Batch } from '../../runtime/domain/gatekeeper/batch.js';
import { HttpError } from '../http.js';
import { json, type Route } from '../types.js';
import { actorOf } from './queue.js';
import { requireService } from './unavailable.js';

const by = z.string().trim().min(1).max(100).optional();
const executeBody = z.object({ hash: z.string().min(1).max(200), resume: z.boolean().optional(), by });
const previewBody = z
  .object({
    motion: z.enum(['outbound', 'inbound', 'all']).optional(),
    ids: z.array(z.string().min(1).max(200)).min(1).max(10_000).optional(),
    by,
  })
  .strict()
  .refine((b) => !(b.motion && b.ids), { message: 'motion or ids, not both' });

export const batchRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/batches',
    auth: 'token',
    summary: 'list Gatekeeper batches',
    async handler({ services }) {
      const gatekeeper = requireService(services.gatekeeper, 'Gatekeeper batches');
      return json(200, await gatekeeper.list());
    },
  },
  {
    method: 'GET',
    path: '/api/batches/:id',
    auth: 'token',
    summary: 'one batch with its items, exclusions and status',
    async handler({ services, params }) {
      const gatekeeper = requireService(services.gatekeeper, 'Gatekeeper batches');
      const found = await gatekeeper.get(params.id as string);
      return json(200, { ...batchView(found.batch), status: found.status });
    },
  },
  {
    method: 'POST',
    path: '/api/batches',
    auth: 'token',
    role: 'approver',
    summary: 'preview a batch (scope in the body)',
    async handler(ctx) {
      const gatekeeper = requireService(ctx.services.gatekeeper, 'Gatekeeper previews');
      const parsed = previewBody.safeParse((await ctx.jsonBody()) ?? {});
      if (!parsed.success) {
        throw new HttpError(
          400,
          'invalid_request',
          'a body {"motion"?: "outbound"|"inbound"|"all", "ids"?: [string], "by"?: string} is expected (not both)',
        );
      }
      const { by: bodyBy, ...scope } = parsed.data;
      const batch = (await gatekeeper.preview(
        scope.ids ? { ids: scope.ids } : { motion: scope.motion ?? 'all' },
        actorOf(ctx, bodyBy),
      )) as Batch;
      return json(201, batchView(batch));
    },
  },
  {
    method: 'POST',
    path: '/api/batches/:id/execute',
    auth: 'token',
    role: 'approver',
    summary: 'execute a previewed batch with its hash ({hash, resume?})',
    async handler(ctx) {
      const gatekeeper = requireService(ctx.services.gatekeeper, 'Gatekeeper execution');
      const parsed = executeBody.safeParse(await ctx.jsonBody());
      if (!parsed.success)
        throw new HttpError(
          400,
          'invalid_request',
          'a body {"hash": string, "resume"?: boolean} is required',
        );
      const result = await gatekeeper.execute(
        ctx.params.id as string,
        parsed.data.hash,
        actorOf(ctx, parsed.data.by),
        {
          resume: parsed.data.resume ?? false,
        },
      );
      return json(200, { ok: true, ...(result as object) });
    },
  },
];
