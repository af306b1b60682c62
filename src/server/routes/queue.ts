/**
 * Approval queue routes (SPEC 7). The queue service owns the behaviour; these translate. The actor of
 * a decision is the `X-Caio-Operator` header (or `by` in the body), else `api`. Refusals arrive as
 * UserErrors and are answered by the app: not found 404, refused 409, bad input 400.
 */
import { z } from 'zod';
import { DRAFT_STATUSES, MOTIONS } from '../../runtime/domain/queue/draft.js';
import { UserError } from '../../runtime/errors.js';
import { SERVICE_TOKEN_SUFFIX } from '../../runtime/domain/operators.js';
import { HttpError } from '../http.js';
import type { QueuePort } from '../ports.js';
import { json, type Route, type RouteContext } from '../types.js';
import { requireMethod } from './unavailable.js';

const by = z.string().trim().min(1).max(100).optional();
const rejectBody = z.object({
  category: z.string().min(1).max(100),
  note: z.string().max(2000).optional(),
  by,
});
const decisionBody = z.object({ by }).optional();
const bulkBody = z.object({ ids: z.array(z.string().min(1).max(200)).min(1).max(500), by });
const listQuery = z.object({
  status: z.enum(DRAFT_STATUSES).optional(),
  motion: z.enum(MOTIONS).optional(),
});

/** Queue methods beyond the shared port (the queue service has them; ports.ts need not list them). */
interface QueueDecisions extends QueuePort {
  approveMany?(ids: readonly string[], actor: string): Promise<{ ok: boolean }[]>;
  undo?(id: string, actor: string): Promise<unknown>;
}
const decisions = (ctx: RouteContext) => ctx.services.queue as QueueDecisions | undefined;

function bad(message: string): HttpError {
  return new HttpError(400, 'invalid_request', message);
}

/**
 * The acting person (SPEC 12). An operator's token acts as that operator, whatever the request says.
 * The service token may name someone (`X-Caio-Operator`, else the body's `by`): audited as
 * `NAME (service token)`. Development without a token: the named person, else `api`.
 */
export function actorOf(ctx: Pick<RouteContext, 'req' | 'identity'>, bodyBy?: string): string {
  if (ctx.identity.via === 'operator') return ctx.identity.name;
  const header = ctx.req.headers['x-caio-operator'];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  const named = value && /^[\w .@+-]{1,100}$/.test(value) ? value : bodyBy;
  if (ctx.identity.via === 'service') return named ? `${named}${SERVICE_TOKEN_SUFFIX}` : ctx.identity.name;
  return named ?? 'api';
}

async function parseBody<S extends z.ZodType>(
  ctx: RouteContext,
  schema: S,
  shape: string,
): Promise<z.output<S>> {
  const parsed = schema.safeParse(await ctx.jsonBody());
  if (!parsed.success) throw bad(`a body ${shape} is required`);
  return parsed.data;
}

export const queueRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/queue',
    auth: 'token',
    summary: 'list drafts (?status=&motion=)',
    async handler({ services, query }) {
      const list = requireMethod(services.queue, 'list', 'the approval queue');
      const parsed = listQuery.safeParse({
        status: query.get('status') ?? undefined,
        motion: query.get('motion') ?? undefined,
      });
      if (!parsed.success)
        throw bad(`status must be one of ${DRAFT_STATUSES.join(', ')}; motion one of ${MOTIONS.join(', ')}`);
      return json(200, await list(parsed.data));
    },
  },
  {
    method: 'POST',
    path: '/api/queue',
    auth: 'token',
    role: 'reviewer',
    summary: 'add a draft (the import line format)',
    async handler({ services, jsonBody }) {
      const add = requireMethod(services.queue, 'add', 'adding drafts');
      const body = await jsonBody();
      if (body === undefined) throw bad('a draft JSON body is required');
      try {
        const result = (await add(body, 'api')) as
          { kind: 'added'; draft: unknown } | { kind: 'exists'; id: string };
        return result.kind === 'added'
          ? json(201, result.draft)
          : json(200, { id: result.id, existing: true });
      } catch (error) {
        if (error instanceof UserError && error.code === 'invalid_draft') throw bad(error.message);
        throw error;
      }
    },
  },
  {
    method: 'POST',
    path: '/api/queue/approve',
    auth: 'token',
    role: 'reviewer',
    summary: 'bulk approve {ids: [...]}',
    async handler(ctx) {
      const approveMany = requireMethod(decisions(ctx), 'approveMany', 'bulk approval');
      const body = await parseBody(ctx, bulkBody, '{"ids": [string], "by"?: string}');
      const results = await approveMany(body.ids, actorOf(ctx, body.by));
      return json(results.every((r) => r.ok) ? 200 : 207, { results });
    },
  },
  {
    method: 'POST',
    path: '/api/queue/:id/approve',
    auth: 'token',
    role: 'reviewer',
    summary: 'approve a draft',
    async handler(ctx) {
      const approve = requireMethod(ctx.services.queue, 'approve', 'approving drafts');
      const body = await parseBody(ctx, decisionBody, '{"by"?: string}');
      return json(200, await approve(ctx.params.id as string, actorOf(ctx, body?.by)));
    },
  },
  {
    method: 'POST',
    path: '/api/queue/:id/reject',
    auth: 'token',
    role: 'reviewer',
    summary: 'reject a draft with a category',
    async handler(ctx) {
      const reject = requireMethod(ctx.services.queue, 'reject', 'rejecting drafts');
      const body = await parseBody(ctx, rejectBody, '{"category": string, "note"?: string, "by"?: string}');
      return json(
        200,
        await reject(ctx.params.id as string, actorOf(ctx, body.by), body.category, body.note ?? null),
      );
    },
  },
  {
    method: 'POST',
    path: '/api/queue/:id/undo',
    auth: 'token',
    role: 'reviewer',
    summary: 'undo your own decision within the grace period',
    async handler(ctx) {
      const undo = requireMethod(decisions(ctx), 'undo', 'undoing decisions');
      const body = await parseBody(ctx, decisionBody, '{"by"?: string}');
      return json(200, await undo(ctx.params.id as string, actorOf(ctx, body?.by)));
    },
  },
];
