/**
 * Campaign control (SPEC 13): pause or resume an Instantly campaign, audited whatever the outcome.
 * Without INSTANTLY_API_KEY nothing is called and the answer says what to set.
 */
import type { Config } from '../config.js';
import {
  createInstantlyCampaigns,
  type CampaignAction,
  type CampaignControl,
  type CampaignResult,
} from '../adapters/instantly-campaigns.js';

export interface CampaignService {
  control(campaignId: string, action: CampaignAction, actor: string): Promise<CampaignResult>;
}

export function createCampaignService(deps: {
  config: Pick<Config, 'INSTANTLY_API_KEY' | 'INSTANTLY_BASE_URL'>;
  audit?: {
    append(entry: { actor: string; action: string; subject: string; details?: unknown }): Promise<unknown>;
  };
  /** Injected in tests; built from the config otherwise. */
  provider?: CampaignControl;
}): CampaignService {
  const { config } = deps;
  let provider = deps.provider;
  return {
    async control(campaignId, action, actor) {
      if (!provider) {
        if (!config.INSTANTLY_API_KEY) {
          return {
            ok: false,
            status: undefined,
            retryable: false,
            error: 'INSTANTLY_API_KEY is not set: campaign control needs the Instantly API key',
          };
        }
        provider = createInstantlyCampaigns({
          apiKey: config.INSTANTLY_API_KEY,
          baseUrl: config.INSTANTLY_BASE_URL,
          retries: 1,
          timeoutMs: 10_000,
        });
      }
      const result = await provider.control(campaignId, action);
      await deps.audit?.append({
        actor,
        action: `campaign.${action}`,
        subject: campaignId,
        details: result.ok
          ? { ok: true }
          : { ok: false, provider_status: result.status ?? null, error: result.error },
      });
      return result;
    },
  };
}
