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

/**
 * The record's `addresses` repository, joined with the legacy sent log and state store for as long as
 * the dispatcher still writes there: reads take the union, writes go to both. Once dispatch records
 * into the record's ledger, wire `(repos) => repos.addresses` instead.
 */
export function recordAddressBook(legacy: AddressBookOf): AddressBookOf {
  return (repos) => {
    const record = repos.addresses;
    const old = legacy(repos);
    return {
      async suppression(canonical) {
        return (await record.suppression(canonical)) ?? (await old.suppression(canonical));
      },
      async suppress(canonical, reason, source, atMs) {
        const added = await record.suppress(canonical, reason, source, atMs);
        await old.suppress(canonical, reason, source, atMs);
        return added;
      },
      async lookup(canonicals) {
        const [a, b] = [await record.lookup(canonicals), await old.lookup(canonicals)];
        for (const [canonical, fact] of b.suppressed)
          if (!a.suppressed.has(canonical)) a.suppressed.set(canonical, fact);
        for (const canonical of b.sent) a.sent.add(canonical);
        return a;
      },
      async recordExternalSend(canonical, source, atMs) {
        const added = await record.recordExternalSend(canonical, source, atMs);
        await old.recordExternalSend(canonical, source, atMs);
        return added;
      },
    };
  };
}
