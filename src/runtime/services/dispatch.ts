/**
 * Dispatch of one Gatekeeper item, idempotently (SPEC 8). The send ledger in the record decides, for
 * every host alike:
 *
 * - a row with an outcome (sent, failed, unknown): that outcome is reported again, nothing is sent;
 * - no row: suppressed and already-sent addresses are blocked, and so is a live send beyond the ramp's
 *   daily limit (every host's sends of today, counted under the ramp lock); otherwise the adapter is
 *   called and the outcome committed with its audit row in one record transaction;
 * - adapters for which a repeat could deliver twice (`safeToRepeat: false`) get an intent row
 *   committed BEFORE the call; a row stuck at `intent` after a crash is marked `unknown` for a
 *   person to check, never sent again. Live and whitelist sends (Instantly) always take this path.
 *   Log-only, which sends nothing, skips the intent: a crash between the call and the outcome simply
 *   records again on resume, and each item costs one commit instead of two.
 */
import type { Adapters, OutboundEmail } from '../adapters/types.js';
import type { ItemOutcome } from '../domain/gatekeeper/batch.js';
import type { Draft } from '../domain/queue/draft.js';
import type { RecordStore, Repos } from '../stores/record/record.js';

export interface DispatchDeps {
  record: RecordStore;
  adapters: Adapters;
  now?: (() => number) | undefined;
  /** This host's name, written on its ledger rows. */
  host?: string | undefined;
}

export interface DispatchRequest {
  batchId: string;
  draft: Draft;
  actor: string;
  /** The ramp's daily limit now (live sends of every host today); undefined = not limited. */
  dailyLimit?: number | undefined;
  /** Runs inside the transaction that records the outcome (the batch item's state). */
  also?: ((tx: Repos, outcome: ItemOutcome) => Promise<void>) | undefined;
}

export function createDispatcher(deps: DispatchDeps): Dispatcher {
  const now = deps.now ?? Date.now;
  const { record, adapters } = deps;

  async function dispatchItem(request: DispatchRequest): Promise<ItemOutcome> {
    const { batchId, draft, actor } = request;
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
    const begin = await record.ledger.begin(intent, now(), {
      writeIntent,
      dailyLimit: request.dailyLimit,
      host: deps.host,
    });
    if (begin.kind === 'blocked') {
      const outcome: ItemOutcome = { draft_id: draft.id, status: 'skipped', detail: begin.detail };
      if (request.also) await record.transaction((tx) => request.also!(tx, outcome));
      return outcome;
    }
    if (begin.kind === 'existing') {
      const row = begin.row;
      if (row.status !== 'intent') return { draft_id: draft.id, status: row.status, detail: row.detail };
      if (!adapters.email.safeToRepeat) {
        const detail = 'interrupted mid-send; check the provider before sending again';
        const outcome: ItemOutcome = { draft_id: draft.id, status: 'unknown', detail };
        await record.transaction(async (tx) => {
          await tx.ledger.complete(draft.id, { status: 'unknown', detail }, now());
          await tx.audit.append({
            actor,
            action: 'dispatch.unknown',
            subject: draft.id,
            details: { batch_id: batchId },
          });
          await request.also?.(tx, outcome);
        });
        return outcome;
      }
    }
    const result = await adapters.email.send(message);
    const outcome: ItemOutcome = result.ok
      ? { draft_id: draft.id, status: 'sent', detail: null }
      : { draft_id: draft.id, status: 'failed', detail: result.error };
    await record.transaction(async (tx) => {
      await tx.ledger.complete(
        draft.id,
        {
          status: outcome.status === 'sent' ? 'sent' : 'failed',
          providerId: result.ok ? result.providerId : null,
          detail: outcome.detail,
        },
        now(),
        writeIntent ? undefined : intent,
        deps.host,
      );
      await tx.audit.append({
        actor,
        action: result.ok ? 'dispatch.sent' : 'dispatch.failed',
        subject: draft.id,
        details: {
          batch_id: batchId,
          mode: adapters.email.mode,
          to: draft.canonical_email,
          ...(result.ok ? {} : { error: result.error }),
        },
      });
      await request.also?.(tx, outcome);
    });
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
