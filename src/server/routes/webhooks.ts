/** Webhook intake per source (SPEC 6.2) and the stored-event listing. */
import { z } from 'zod';
import { WEBHOOK_SOURCES } from '../../runtime/domain/webhooks/sources.js';
import { WEBHOOK_STATUSES } from '../../runtime/stores/webhook-store.js';
import { HttpError } from '../http.js';
import { json, type Route } from '../types.js';
import { ingestWebhook } from '../webhook-ingest.js';

const listQuery = z.object({
  source: z.enum(WEBHOOK_SOURCES).optional(),
  status: z.enum(WEBHOOK_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  after: z.coerce.number().int().min(1).optional(),
});

export const webhookRoutes: Route[] = [
  ...WEBHOOK_SOURCES.map((source): Route => ({
    method: 'POST',
    path: `/webhooks/${source}`,
    auth: 'signature',
    summary: `${source} webhook (per-source secret)`,
    trace: `webhook.intake.${source}`,
    handler: (ctx) => ingestWebhook(ctx, source),
  })),
  {
    method: 'GET',
    path: '/api/webhooks',
    auth: 'token',
    summary: 'stored webhook events, newest first (?source=&status=&limit=&after=)',
    async handler({ services, query }) {
      const parsed = listQuery.safeParse({
        source: query.get('source') || undefined,
        status: query.get('status') || undefined,
        limit: query.get('limit') || undefined,
        after: query.get('after') || undefined,
      });
      if (!parsed.success) {
        throw new HttpError(
          400,
          'invalid_request',
          `bad query: source one of ${WEBHOOK_SOURCES.join('|')}, status one of ${WEBHOOK_STATUSES.join('|')}, limit 1-500, after a positive id`,
        );
      }
      const page = await services.webhooks.list(parsed.data);
      return json(200, {
        events: page.events.map(({ id, source, idempotency_key, status, received_at, error }) => ({
          id,
          source,
          idempotency_key,
          status,
          received_at,
          error,
        })),
        next: page.next,
      });
    },
  },
];
