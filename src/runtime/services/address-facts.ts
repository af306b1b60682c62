/**
 * What we know about an address — suppressed (bounce, unsubscribe, reply, interest) or already sent
 * to — kept in two places: the local SQLite sent log (the durable system of record: a Redis restart
 * without persistence never makes an address sendable again) and the shared state store (so a second
 * runtime host sharing Redis sees a suppression that arrived through the first one). Reads take the
 * union of both; writes go to both.
 */
import { z } from 'zod';
import type { StateStore } from '../stores/state-store.js';
import type { SentLog } from './sent-log.js';

export const SUPPRESSED_ADDRESSES = 'suppressed_addresses';
export const SENT_ADDRESSES = 'sent_addresses';

const SuppressionFact = z.object({ reason: z.string(), source: z.string(), at: z.string() });
const SentFact = z.object({ source: z.string(), at: z.string() });

export interface AddressFacts {
  suppress(canonical: string, reason: string, source: string, at: number): Promise<boolean>;
  recordSent(canonical: string, source: string, at: number): Promise<void>;
  suppression(canonical: string): Promise<{ reason: string; source: string; at: string } | undefined>;
  lookup(canonicals: readonly string[]): Promise<{ suppressed: Map<string, string>; sent: Set<string> }>;
}

export function createAddressFacts(state: StateStore, sentLog: SentLog): AddressFacts {
  return {
    async suppress(canonical, reason, source, at) {
      const added = sentLog.suppress(canonical, reason, source, at);
      // First suppression wins in the shared store too: create only when absent.
      await state.compareAndSet(SUPPRESSED_ADDRESSES, canonical, 0, {
        reason,
        source,
        at: new Date(at).toISOString(),
      });
      return added;
    },
    async recordSent(canonical, source, at) {
      sentLog.recordAddressSent(canonical, source, at);
      await state.compareAndSet(SENT_ADDRESSES, canonical, 0, { source, at: new Date(at).toISOString() });
    },
    async suppression(canonical) {
      const local = sentLog.suppression(canonical);
      if (local) return local;
      const shared = await state.getRecord(SUPPRESSED_ADDRESSES, canonical);
      const parsed = shared ? SuppressionFact.safeParse(shared.value) : undefined;
      return parsed?.success ? parsed.data : undefined;
    },
    async lookup(canonicals) {
      const local = sentLog.lookup(canonicals);
      const unique = [...new Set(canonicals)];
      const [suppressed, sent] = await Promise.all([
        state.getRecords(SUPPRESSED_ADDRESSES, unique),
        state.getRecords(SENT_ADDRESSES, unique),
      ]);
      for (const [id, record] of suppressed) {
        const parsed = SuppressionFact.safeParse(record.value);
        if (parsed.success && !local.suppressed.has(id)) local.suppressed.set(id, parsed.data.reason);
      }
      for (const [id, record] of sent) if (SentFact.safeParse(record.value).success) local.sent.add(id);
      return local;
    },
  };
}
