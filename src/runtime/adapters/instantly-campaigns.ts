/**
 * Instantly campaign control (SPEC 13): pause and resume a campaign through the Instantly API v2
 * (`POST /api/v2/campaigns/:id/pause`, `POST /api/v2/campaigns/:id/activate`). The provider's answer
 * is returned as is; failures keep the provider's status so the route can answer it faithfully.
 */
import { createHttpClient, HttpError } from './http-client.js';

export type CampaignAction = 'pause' | 'resume';

export type CampaignResult =
  | { ok: true; provider: unknown }
  | { ok: false; status: number | undefined; retryable: boolean; error: string };

export interface CampaignControl {
  control(campaignId: string, action: CampaignAction): Promise<CampaignResult>;
}

export function createInstantlyCampaigns(options: {
  apiKey: string;
  baseUrl: string;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
}): CampaignControl {
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}` },
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
    ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
  });
  return {
    async control(campaignId, action) {
      const verb = action === 'pause' ? 'pause' : 'activate';
      try {
        const provider = await http.postJson(
          `/api/v2/campaigns/${encodeURIComponent(campaignId)}/${verb}`,
          {},
        );
        return { ok: true, provider };
      } catch (error) {
        if (error instanceof HttpError)
          return { ok: false, status: error.status, retryable: error.retryable, error: error.message };
        throw error;
      }
    },
  };
}
