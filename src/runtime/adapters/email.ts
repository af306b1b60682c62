/**
 * Email adapters: `log-only` (records what would be sent; the sent log row is the record),
 * `live` (Instantly API v2: the lead with the approved subject/body as custom variables, deduplicated
 * by Instantly with skip_if_in_workspace), and `whitelist` (live, but only to EMAIL_WHITELIST — the
 * Gatekeeper already excludes others at preview; this is the second lock on the door).
 */
import { isWhitelisted } from '../domain/gatekeeper/selection.js';
import { createHttpClient, type HttpClientOptions } from './http-client.js';
import type { EmailAdapter, OutboundEmail, SendResult } from './types.js';

export function createLogOnlyEmail(): EmailAdapter {
  return {
    mode: 'log-only',
    safeToRepeat: true,
    async send(message) {
      return { ok: true, providerId: `log-only:${message.draftId}` };
    },
  };
}

export interface InstantlyOptions {
  apiKey: string;
  baseUrl: string;
  /** The campaign that mails the lead; without one Instantly only stores it in the workspace. */
  campaignId?: string | undefined;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
}

export function createInstantlyEmail(options: InstantlyOptions): EmailAdapter {
  const http = createHttpClient({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}` },
    ...pick(options),
  });
  return {
    mode: 'live',
    // Never rely on the provider to dedup: an intent row is committed before each call, and a call
    // interrupted by a crash is marked `unknown` for a person to check, never sent again.
    safeToRepeat: false,
    async send(message: OutboundEmail): Promise<SendResult> {
      try {
        const answer = (await http.postJson('/api/v2/leads', {
          email: message.to,
          ...(options.campaignId ? { campaign: options.campaignId } : {}),
          first_name: message.lead.first_name,
          last_name: message.lead.last_name,
          company_name: message.lead.company,
          job_title: message.lead.title,
          skip_if_in_workspace: true,
          custom_variables: {
            caio_subject: message.subject,
            caio_body: message.body,
            caio_draft_id: message.draftId,
            caio_batch_id: message.batchId,
          },
        })) as { id?: unknown };
        return {
          ok: true,
          providerId: typeof answer.id === 'string' ? answer.id : `instantly:${message.draftId}`,
        };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}

export function createWhitelistEmail(live: EmailAdapter, whitelist: readonly string[]): EmailAdapter {
  return {
    mode: 'whitelist',
    safeToRepeat: live.safeToRepeat,
    async send(message) {
      if (!isWhitelisted(message.to, whitelist)) {
        return { ok: false, error: `whitelist mode: ${message.to} is not in EMAIL_WHITELIST` };
      }
      return live.send(message);
    },
  };
}

function pick(o: { timeoutMs?: number; retries?: number; backoffMs?: number }): Partial<HttpClientOptions> {
  return {
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    ...(o.backoffMs !== undefined ? { backoffMs: o.backoffMs } : {}),
  };
}
export { pick as httpOptions };
