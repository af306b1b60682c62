/**
 * Addresses contacted outside CAIO (SPEC 13, GHL-sent exclusion): each becomes a suppression with the
 * reason `already_sent_external`, so the Gatekeeper preview excludes it under that reason, a new
 * draft for it enters the queue `suppressed`, and the pipeline skips it. Drafts already in the queue
 * keep their status (the reviewer's work is not undone); the preview is what keeps them unsent. Idempotent: a second import of the same file
 * records nothing new. Storage comes through `SentLedger` (today the queue's suppression path).
 */
import { canonicalEmail } from '../domain/canonical-email.js';
import { parseExternalSent, type ExternalSentParse } from '../domain/ledger/external-sent.js';

export const EXTERNAL_REASON = 'already_sent_external';

/** An address CAIO (or Instantly, per its `email_sent` webhook) already mailed: excluded as sent. */
export const SENT_BY_CAIO = 'already_sent';

export interface SentLedger {
  /**
   * What is already known about these addresses: a suppression reason, else `already_sent` when it
   * was mailed through CAIO (a GHL export lists CAIO's own sends too: they are not "outside CAIO");
   * an address with nothing known is absent.
   */
  statusOf(canonicals: readonly string[]): Promise<Map<string, string>>;
  /** Record the address as contacted outside CAIO. */
  recordExternal(canonical: string, source: string): Promise<void>;
}

type AuditAppend = {
  append(entry: { actor: string; action: string; subject: string; details?: unknown }): Promise<unknown>;
};

export interface ExternalSendsDeps {
  ledger: SentLedger;
  audit?: AuditAppend | undefined;
  /**
   * Runs an import's writes in one transaction whose ledger and audit are given to `fn`, so the
   * suppressions and their audit row commit together (the record's `transaction`).
   */
  transaction?: <T>(fn: (tx: { ledger: SentLedger; audit: AuditAppend }) => Promise<T>) => Promise<T>;
}

export interface ImportSentReport {
  source: string;
  format: ExternalSentParse['format'] | 'api';
  rows: number;
  /** Newly recorded as contacted outside CAIO. */
  added: number;
  /** Recorded before (a rerun). */
  known: number;
  /** Already excluded for another reason (bounce, unsubscribe, reply, already sent through CAIO). */
  already_excluded: number;
  repeated_in_file: number;
  errors: { line: number; reason: string }[];
  dry_run: boolean;
}

export function createExternalSends(deps: ExternalSendsDeps) {
  async function record(
    parsed: Pick<ExternalSentParse, 'rows' | 'errors' | 'repeated'> & { format: ImportSentReport['format'] },
    source: string,
    actor: string,
    dryRun: boolean,
  ): Promise<ImportSentReport> {
    const report: ImportSentReport = {
      source,
      format: parsed.format,
      rows: parsed.rows.length,
      added: 0,
      known: 0,
      already_excluded: 0,
      repeated_in_file: parsed.repeated,
      errors: parsed.errors,
      dry_run: dryRun,
    };
    const apply = async ({ ledger, audit }: { ledger: SentLedger; audit?: AuditAppend | undefined }) => {
      const known = await ledger.statusOf(parsed.rows.map((row) => row.canonical_email));
      for (const row of parsed.rows) {
        const before = known.get(row.canonical_email);
        if (before === EXTERNAL_REASON) report.known += 1;
        else if (before !== undefined) report.already_excluded += 1;
        else {
          report.added += 1;
          if (!dryRun) await ledger.recordExternal(row.canonical_email, source);
        }
      }
      if (dryRun || report.added === 0) return;
      await audit?.append({
        actor,
        action: 'ledger.import_sent',
        subject: `external:${source}`,
        details: {
          added: report.added,
          known: report.known,
          rows: report.rows,
          errors: report.errors.length,
        },
      });
    };
    if (deps.transaction && !dryRun) await deps.transaction(apply);
    else await apply(deps);
    return report;
  }

  return {
    /** CSV or JSONL export text. */
    importText: (text: string, source: string, actor: string, options: { dryRun?: boolean } = {}) =>
      record(parseExternalSent(text), source, actor, Boolean(options.dryRun)),
    /** Addresses from an API (GHL live fetch). */
    importAddresses: (
      emails: readonly string[],
      source: string,
      actor: string,
      options: { dryRun?: boolean } = {},
    ) => {
      const seen = new Set<string>();
      const rows = emails.flatMap((email, index) => {
        const canonical = canonicalEmail(email);
        if (seen.has(canonical)) return [];
        seen.add(canonical);
        return [{ line: index + 1, email, canonical_email: canonical }];
      });
      return record(
        { format: 'api', rows, errors: [], repeated: emails.length - rows.length },
        source,
        actor,
        Boolean(options.dryRun),
      );
    },
  };
}

export type ExternalSends = ReturnType<typeof createExternalSends>;

/** Today's storage: a suppression in the sent log and the shared store (AddressFacts). */
export function sentLedgerOver(
  facts: {
    lookup(
      canonicals: readonly string[],
    ): Promise<{ suppressed: ReadonlyMap<string, { reason: string }>; sent: ReadonlySet<string> }>;
    suppress(canonical: string, reason: string, source: string, at: number): Promise<boolean>;
  },
  now: () => number = Date.now,
): SentLedger {
  return {
    statusOf: async (canonicals) => {
      const found = await facts.lookup(canonicals);
      const status = new Map<string, string>();
      for (const canonical of found.sent) status.set(canonical, SENT_BY_CAIO);
      for (const [canonical, suppression] of found.suppressed) status.set(canonical, suppression.reason);
      return status;
    },
    recordExternal: async (canonical, source) => {
      await facts.suppress(canonical, EXTERNAL_REASON, source, now());
    },
  };
}

/** External sends over the record: each import's suppressions and its audit row in one transaction. */
export function externalSendsOverRecord(
  record: {
    addresses: Parameters<typeof sentLedgerOver>[0];
    audit: AuditAppend;
    transaction<T>(
      fn: (tx: { addresses: Parameters<typeof sentLedgerOver>[0]; audit: AuditAppend }) => Promise<T>,
    ): Promise<T>;
  },
  now: () => number = Date.now,
): ExternalSends {
  return createExternalSends({
    ledger: sentLedgerOver(record.addresses, now),
    audit: record.audit,
    transaction: (fn) =>
      record.transaction((tx) => fn({ ledger: sentLedgerOver(tx.addresses, now), audit: tx.audit })),
  });
}
