/**
 * Build the adapters for the configured modes. A live mode without its credentials is a
 * configuration error raised here, before anything is dispatched.
 */
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { createInstantlyEmail, createLogOnlyEmail, createWhitelistEmail } from './email.js';
import { createGhlCalendar, createGhlCrm, createMockCalendar, createSandboxCrm } from './ghl.js';
import type { Adapters } from './types.js';

export type {
  Adapters,
  EmailAdapter,
  CrmAdapter,
  CalendarAdapter,
  OutboundEmail,
  SendResult,
} from './types.js';

type AdapterConfig = Pick<
  Config,
  | 'EMAIL_SEND_MODE'
  | 'EMAIL_WHITELIST'
  | 'INSTANTLY_API_KEY'
  | 'INSTANTLY_BASE_URL'
  | 'INSTANTLY_CAMPAIGN_ID'
  | 'GHL_MODE'
  | 'GHL_API_KEY'
  | 'GHL_BASE_URL'
  | 'GHL_LOCATION_ID'
  | 'CALENDAR_MODE'
>;

const missing = (what: string, mode: string) =>
  new UserError(`${what} is required when ${mode}`, {
    code: 'config_invalid',
    nextStep: `Set ${what} in your env file, or switch back to the simulated mode.`,
  });

export function createAdapters(
  config: AdapterConfig,
  http: { timeoutMs?: number; retries?: number; backoffMs?: number } = {},
): Adapters {
  const instantly = () => {
    if (!config.INSTANTLY_API_KEY)
      throw missing('INSTANTLY_API_KEY', `EMAIL_SEND_MODE=${config.EMAIL_SEND_MODE}`);
    return createInstantlyEmail({
      apiKey: config.INSTANTLY_API_KEY,
      baseUrl: config.INSTANTLY_BASE_URL,
      campaignId: config.INSTANTLY_CAMPAIGN_ID,
      ...http,
    });
  };
  const ghl = (mode: string) => {
    if (!config.GHL_API_KEY) throw missing('GHL_API_KEY', mode);
    if (!config.GHL_LOCATION_ID) throw missing('GHL_LOCATION_ID', mode);
    return {
      apiKey: config.GHL_API_KEY,
      baseUrl: config.GHL_BASE_URL,
      locationId: config.GHL_LOCATION_ID,
      ...http,
    };
  };
  const email =
    config.EMAIL_SEND_MODE === 'log-only'
      ? createLogOnlyEmail()
      : config.EMAIL_SEND_MODE === 'whitelist'
        ? createWhitelistEmail(instantly(), config.EMAIL_WHITELIST)
        : instantly();
  const crm = config.GHL_MODE === 'live' ? createGhlCrm(ghl('GHL_MODE=live')) : createSandboxCrm();
  const calendar =
    config.CALENDAR_MODE === 'live' ? createGhlCalendar(ghl('CALENDAR_MODE=live')) : createMockCalendar();
  return { email, crm, calendar };
}
