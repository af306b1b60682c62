/**
 * Notifications to NOTIFY_WEBHOOK_URL (SPEC 13). `raise(incident)` returns at once: the work that
 * raised it never waits. One message per incident key across every host (a one-time claim in the
 * coordination store); the post is retried with exponential backoff; a failure is logged once per
 * incident and the incident stays `failed` (visible in the console) until `retryFailed` (the aging
 * watch, every 15 minutes) delivers it; so does one left `sending` by a host that died mid-delivery. Without a URL, incidents are still recorded for the console.
 * When the coordination store itself cannot be reached (Redis down), each process posts the incident
 * once on its own, unrecorded.
 *
 * Storage comes through two small interfaces: `IncidentStore` (records for the Overview) and
 * `OnceClaim` (StateStore.claimOnce).
 */
import { request } from 'undici';
import {
  retryDelayMs,
  slackMessage,
  type Incident,
  type IncidentKind,
} from '../domain/notifications/incident.js';
import { errorMessage } from '../errors.js';
import type { ClaimResult } from '../stores/state-store.js';

export type DeliveryStatus = 'sending' | 'sent' | 'failed' | 'not_configured';

export interface IncidentRecord extends Incident {
  delivery: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  notified_at: string | null;
  resolved_at: string | null;
}

export interface IncidentStore {
  /** Create when absent; false when the key exists. */
  create(record: IncidentRecord): Promise<boolean>;
  update(key: string, patch: Partial<IncidentRecord>): Promise<void>;
  list(): Promise<IncidentRecord[]>;
}

export interface OnceClaim {
  claimOnce(namespace: string, token: string, owner: string): Promise<ClaimResult>;
}

export type NotifyTransport = (url: string, body: { text: string }, timeoutMs: number) => Promise<void>;

export interface NotifierLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface NotifierDeps {
  url: string | undefined;
  store: IncidentStore;
  claim: OnceClaim;
  /** This process, for the claim (host + pid). */
  owner: string;
  transport?: NotifyTransport;
  logger?: NotifierLogger | undefined;
  now?: () => number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
}

export interface Notifier {
  /** Record and post in the background; never throws, never waits. */
  raise(incident: Incident | undefined): void;
  /** Close every open incident of a kind (the condition cleared). */
  resolve(kind: IncidentKind): Promise<number>;
  /** Post again every incident whose delivery failed. */
  retryFailed(): Promise<number>;
  /** Open incidents, newest first (the console's Overview). */
  open(): Promise<IncidentRecord[]>;
  /** Wait (bounded) for background posts; one-shot commands call it before exiting. */
  drain(timeoutMs?: number): Promise<void>;
}

export const postJson: NotifyTransport = async (url, body, timeoutMs) => {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.body.text();
  if (response.statusCode < 200 || response.statusCode >= 300)
    throw new Error(`HTTP ${response.statusCode} ${text.slice(0, 120).replace(/\s+/g, ' ')}`);
};

/** Longer than any delivery with its retries takes: a `sending` record this old was abandoned. */
const STALE_SENDING_MS = 10 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

/** The URL without credentials or query (never log a Slack webhook secret path in full). */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname.length > 12 ? `${parsed.pathname.slice(0, 12)}…` : parsed.pathname;
    return `${parsed.protocol}//${parsed.host}${path}`;
  } catch {
    return '(invalid url)';
  }
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? Date.now;
  const transport = deps.transport ?? postJson;
  const maxAttempts = deps.maxAttempts ?? 5;
  const baseDelayMs = deps.baseDelayMs ?? 1_000;
  const maxDelayMs = deps.maxDelayMs ?? 60_000;
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const inflight = new Set<Promise<void>>();
  // Keys this process already raised: a condition seen on every readiness probe costs one claim.
  const raisedHere = new Set<string>();
  const iso = () => new Date(now()).toISOString();

  const track = (work: Promise<void>) => {
    const guarded = work.catch((error: unknown) =>
      deps.logger?.warn({ err: errorMessage(error) }, 'notification bookkeeping failed'),
    );
    inflight.add(guarded);
    void guarded.finally(() => inflight.delete(guarded));
  };

  /**
   * `persist: false` when the coordination store is unreachable: the post still goes out, its
   * progress is only not recorded.
   */
  async function deliver(
    record: Pick<IncidentRecord, 'key' | 'text' | 'attempts'>,
    loggedBefore: boolean,
    persist = true,
  ) {
    const url = deps.url;
    const update = (patch: Partial<IncidentRecord>) =>
      persist ? deps.store.update(record.key, patch) : Promise.resolve();
    if (!url) return;
    let attempts = record.attempts;
    let logged = loggedBefore;
    for (let round = 1; round <= maxAttempts; round++) {
      attempts += 1;
      try {
        await transport(url, slackMessage(record), timeoutMs);
        await update({
          delivery: 'sent',
          attempts,
          last_error: null,
          notified_at: iso(),
        });
        return;
      } catch (error) {
        const message = errorMessage(error);
        if (!logged) {
          logged = true;
          deps.logger?.warn(
            { incident: record.key, url: maskUrl(url), err: message },
            'notification not delivered yet; retrying with backoff',
          );
        }
        const last = round === maxAttempts;
        await update({
          delivery: last ? 'failed' : 'sending',
          attempts,
          last_error: message,
        });
        if (!last) await sleep(retryDelayMs(round, baseDelayMs, maxDelayMs));
      }
    }
  }

  async function raiseNow(incident: Incident) {
    let claimed: ClaimResult;
    try {
      claimed = await deps.claim.claimOnce('notify-incident', incident.key, deps.owner);
    } catch (error) {
      // The coordination store is down: often the very incident (Redis unhealthy). Post it from this
      // process anyway (once per process, see `raisedHere`): a message per host beats none at all.
      deps.logger?.warn(
        { incident: incident.key, err: errorMessage(error) },
        'notification claim unavailable; posting from this host without recording it',
      );
      await deliver({ key: incident.key, text: incident.text, attempts: 0 }, false, false);
      return;
    }
    if (!claimed.claimed) return;
    const record: IncidentRecord = {
      ...incident,
      delivery: deps.url ? 'sending' : 'not_configured',
      attempts: 0,
      last_error: null,
      notified_at: null,
      resolved_at: null,
    };
    if (!(await deps.store.create(record))) return;
    await deliver(record, false);
  }

  return {
    raise(incident) {
      if (!incident || raisedHere.has(incident.key)) return;
      if (raisedHere.size >= 1_000) raisedHere.clear();
      raisedHere.add(incident.key);
      track(
        raiseNow(incident).catch((error: unknown) => {
          raisedHere.delete(incident.key); // the store failed: the next raise tries again
          throw error;
        }),
      );
    },
    async resolve(kind) {
      let closed = 0;
      for (const record of await deps.store.list()) {
        if (record.kind !== kind || record.resolved_at) continue;
        await deps.store.update(record.key, { resolved_at: iso() });
        closed += 1;
      }
      return closed;
    },
    async retryFailed() {
      if (!deps.url) return 0;
      let retried = 0;
      for (const record of await deps.store.list()) {
        // `sending` long after it opened: its host died mid-delivery.
        const stale =
          record.delivery === 'sending' && now() - Date.parse(record.opened_at) > STALE_SENDING_MS;
        if (record.delivery !== 'failed' && !stale) continue;
        // One host per retry round of this incident.
        const claim = await deps.claim.claimOnce(
          'notify-retry',
          `${record.key}:${record.attempts}`,
          deps.owner,
        );
        if (!claim.claimed) continue;
        retried += 1;
        track(deliver(record, true));
      }
      return retried;
    },
    async open() {
      const records = await deps.store.list();
      return records
        .filter((record) => !record.resolved_at)
        .sort((a, b) => (a.opened_at < b.opened_at ? 1 : a.opened_at > b.opened_at ? -1 : 0));
    },
    async drain(limitMs = 10_000) {
      if (inflight.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...inflight]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, limitMs);
        }),
      ]);
      if (timer) clearTimeout(timer);
    },
  };
}
