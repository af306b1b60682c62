/**
 * Dispatch of one Gatekeeper item, idempotently (SPEC 8). The SQLite sent log decides:
 *
 * - a row with an outcome (sent, failed, unknown): that outcome is reported again, nothing is sent;
 * - no row: suppressed / already-sent addresses are blocked; otherwise the adapter is called and the
 *   outcome committed (with its audit row, one transaction);
 * - adapters for which a repeat could deliver twice (`safeToRepeat: false`) get an intent row
 *   committed BEFORE the call; a row stuck at `intent` after a crash is marked `unknown` for a
 *   person to check, never sent again. Live and whitelist sends (Instantly) always take this path:
 *   the product promise is that no item is sent twice, not that the provider usually dedups.
 *   Log-only, which sends nothing, skips the intent: a crash between the call and the outcome simply
 *   records again on resume, and each item costs one commit instead of two.
 */
import type { Adapters, OutboundEmail } from '../adapters/types.js';
import type { ItemOutcome } from '../domain/gatekeeper/batch.js';
import type { Draft } from '../domain/queue/draft.js';
import type { AuditSink } from './queue.js';
import type { SentLog } from './sent-log.js';

export interface DispatchDeps {
  sentLog: SentLog;
  adapters: Adapters;
  audit?: AuditSink | undefined;
  now?: () => number;
}

export interface DispatchRequest {
  batchId: string;
  draft: Draft;
  actor: string;
}

export function createDispatcher(deps: DispatchDeps): Dispatcher {
  const now = deps.now ?? Date.now;
  const { sentLog, adapters } = deps;

  async function dispatchItem({ batchId, draft, actor }: DispatchRequest): Promise<ItemOutcome> {
    const message: OutboundEmail = {
      draftId: draft.id,
      batchId,
      to: draft.lead.email,
      subject: draft.subject,
      body: draft.body,
      lead: draft.lead,
    };
    const intent = {
      draftId: draft.id,
      batchId,
      canonicalEmail: draft.canonical_email,
      email: draft.lead.email,
      subject: draft.subject,
      body: draft.body,
      mode: adapters.email.mode,
    };
    // A harmless repeat needs no intent row: a crash before the outcome just sends again.
    const writeIntent = !adapters.email.safeToRepeat;
    const begin = sentLog.begin(intent, now(), { writeIntent });
    if (begin.kind === 'blocked') return { draft_id: draft.id, status: 'skipped', detail: begin.detail };
    if (begin.kind === 'existing') {
      const row = begin.row;
      if (row.status !== 'intent') return { draft_id: draft.id, status: row.status, detail: row.detail };
      if (!adapters.email.safeToRepeat) {
        const detail = 'interrupted mid-send; check the provider before sending again';
        sentLog.complete(draft.id, { status: 'unknown', detail }, now(), () =>
          deps.audit?.append({
            actor,
            action: 'dispatch.unknown',
            subject: draft.id,
            details: { batch_id: batchId },
          }),
        );
        return { draft_id: draft.id, status: 'unknown', detail };
      }
    }
    const result = await adapters.email.send(message);
    const outcome: ItemOutcome = result.ok
      ? { draft_id: draft.id, status: 'sent', detail: null }
      : { draft_id: draft.id, status: 'failed', detail: result.error };
    sentLog.complete(
      draft.id,
      {
        status: outcome.status === 'sent' ? 'sent' : 'failed',
        providerId: result.ok ? result.providerId : null,
        detail: outcome.detail,
      },
      now(),
      () =>
        deps.audit?.append({
          actor,
          action: result.ok ? 'dispatch.sent' : 'dispatch.failed',
          subject: draft.id,
          details: {
            batch_id: batchId,
            mode: adapters.email.mode,
            to: draft.canonical_email,
            ...(result.ok ? {} : { error: result.error }),
          },
        }),
      writeIntent ? undefined : intent,
    );
    if (result.ok && adapters.crm.mode === 'live') {
      // Best effort: the send happened; a CRM hiccup must not turn it into a failure.
      await adapters.crm
        .upsertContact({
          email: draft.lead.email,
          firstName: draft.lead.first_name,
          lastName: draft.lead.last_name,
          companyName: draft.lead.company,
          tags: ['caio-outbound'],
        })
        .catch(() => undefined);
    }
    return outcome;
  }

  return { dispatchItem, mode: adapters.email.mode, prepare: () => undefined };
}

export interface Dispatcher {
  readonly mode: string;
  /** Throws a UserError when the adapters cannot be built (live mode without its key): call before claiming. */
  prepare(): void;
  dispatchItem(request: DispatchRequest): Promise<ItemOutcome>;
}

/**
 * Build the adapters on first use, so a runtime in live mode without INSTANTLY_API_KEY still starts
 * (status, queue, preview work) and only execution is refused, before anything is claimed.
 */
export function createLazyDispatcher(mode: string, build: () => Dispatcher): Dispatcher {
  let built: Dispatcher | undefined;
  const get = () => (built ??= build());
  return {
    mode,
    prepare: () => void get(),
    dispatchItem: (request) => get().dispatchItem(request),
  };
}
