/**
 * What we know about an address — suppressed (bounce, unsubscribe, reply, interest) or already sent
 * to — from the record, which every host shares (a Redis restart never makes an address sendable
 * again, and a suppression that arrived through one host is seen by all). The queue asks here.
 */
import type { RecordStore } from '../stores/record/record.js';

export interface AddressFacts {
  suppress(canonical: string, reason: string, source: string, at: number): Promise<boolean>;
  recordSent(canonical: string, source: string, at: number): Promise<void>;
  suppression(canonical: string): Promise<{ reason: string; source: string; at: string } | undefined>;
  /** Suppressed addresses (-> reason) and addresses sent to, of the given ones. */
  lookup(canonicals: readonly string[]): Promise<{ suppressed: Map<string, string>; sent: Set<string> }>;
}

export function createAddressFacts(record: Pick<RecordStore, 'addresses'>): AddressFacts {
  return {
    suppress: (canonical, reason, source, at) => record.addresses.suppress(canonical, reason, source, at),
    async recordSent(canonical, source, at) {
      await record.addresses.recordExternalSend(canonical, source, at);
    },
    suppression: (canonical) => record.addresses.suppression(canonical),
    async lookup(canonicals) {
      const facts = await record.addresses.lookup(canonicals);
      const suppressed = new Map<string, string>();
      for (const [canonical, row] of facts.suppressed) suppressed.set(canonical, row.reason);
      return { suppressed, sent: facts.sent };
    },
  };
}
