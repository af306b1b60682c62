/**
 * Instantly campaign control (SPEC 13): `POST /api/instantly/campaigns/:id/pause|resume`, approver
 * role. Answers the provider's result: 200 with its body, 404 when Instantly does not know the
 * campaign, 502 for another refusal, 503 `dependency_unavailable` when Instantly cannot be reached, 503 `not_available` without
 * INSTANTLY_API_KEY.
 */
import { HttpError } from '../http.js';
import { json, type Route } from '../types.js';
import { actorOf } from './queue.js';

const CAMPAIGN_ID = /^[\w-]{1,100}$/;

function campaignRoute(action: 'pause' | 'resume'): Route {
  return {
    method: 'POST',
    path: `/api/instantly/campaigns/:id/${action}`,
    auth: 'token',
    role: 'approver',
    summary: `${action} an Instantly campaign (audited)`,
    async handler(ctx) {
      const id = ctx.params.id ?? '';
      if (!CAMPAIGN_ID.test(id))
        throw new HttpError(400, 'invalid_request', 'the campaign id may only hold letters, digits, - and _');
      const campaigns = ctx.services.campaigns;
      if (!campaigns)
        throw new HttpError(503, 'not_available', 'campaign control is not part of this runtime');
      const result = await campaigns.control(id, action, actorOf(ctx));
      if (result.ok) return json(200, { ok: true, campaign_id: id, action, provider: result.provider });
      const body = { campaign_id: id, action, provider_status: result.status ?? null, message: result.error };
      if (result.status === undefined && !result.retryable)
        return json(503, {
          code: 'not_available',
          ...body,
          message: `${result.error}. Set INSTANTLY_API_KEY.`,
        });
      if (result.status === 404) return json(404, { code: 'campaign_not_found', ...body });
      if (result.retryable) return json(503, { code: 'dependency_unavailable', ...body });
      return json(502, { code: 'provider_refused', ...body });
    },
  };
}

export const campaignRoutes: Route[] = [campaignRoute('pause'), campaignRoute('resume')];
