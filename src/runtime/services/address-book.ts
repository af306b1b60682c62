/**
 * What the queue asks about an address — suppressed, or already sent to — in the shape of the record's
 * `addresses` repository (the gatekeeper family's). The queue calls it with the repositories of its own
 * transaction, so an intake decision and the facts it read commit together.
 */
import type { Repos } from '../stores/record/record.js';

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

/** The record's `addresses` repository of the same transaction. */
export const recordAddressBook: AddressBookOf = (repos) => repos.addresses;
