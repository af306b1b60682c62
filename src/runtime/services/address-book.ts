/**
 * What the queue asks about an address — suppressed, or already sent to — in the shape of the record's
 * `addresses` repository (the gatekeeper family's). The queue calls it with the repositories of its own
 * transaction, so an intake decision and the facts it read commit together.
 *
 * `legacyAddressBook` answers from the sent log and the shared state store, for as long as the record
 * has no `addresses` repository: the wiring then passes `(repos) => repos.addresses` instead.
 */
import type { Repos } from '../stores/record/record.js';
import type { StateStore } from '../stores/state-store.js';
import { createAddressFacts } from './address-facts.js';
import type { SentLog } from './sent-log.js';

export interface AddressFact {
  reason: string;
  source: string;
  at: string;
}

export interface AddressBook {
  suppression(canonical: string): Promise<AddressFact | undefined>;
  /** true = newly added (the first suppression of an address wins). */
  suppress(canonical: string, reason: string, source: string, atMs: number): Promise<boolean>;
  /** `sent`: any ledger row in intent/sent/unknown for the address, or an external send. */
  lookup(canonicals: string[]): Promise<{ suppressed: Map<string, AddressFact>; sent: Set<string> }>;
  recordExternalSend(canonical: string, source: string, atMs: number): Promise<boolean>;
}

/** The address book of one transaction's repositories. */
export type AddressBookOf = (repos: Repos) => AddressBook;

export function legacyAddressBook(state: StateStore, sentLog: SentLog): AddressBookOf {
  const facts = createAddressFacts(state, sentLog);
  const book: AddressBook = {
    suppression: (canonical) => facts.suppression(canonical),
    suppress: (canonical, reason, source, atMs) => facts.suppress(canonical, reason, source, atMs),
    async lookup(canonicals) {
      const found = await facts.lookup(canonicals);
      const suppressed = new Map<string, AddressFact>();
      for (const canonical of found.suppressed.keys()) {
        const fact = await facts.suppression(canonical);
        if (fact) suppressed.set(canonical, fact);
      }
      return { suppressed, sent: found.sent };
    },
    async recordExternalSend(canonical, source, atMs) {
      const before = await facts.lookup([canonical]);
      await facts.recordSent(canonical, source, atMs);
      return !before.sent.has(canonical);
    },
  };
  return () => book;
}
