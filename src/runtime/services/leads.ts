/**
 * Leads from RB2B visitors and Clay rows (SPEC 6.2): one record per person, keyed by canonical email,
 * in the record's `leads` table. A later row enriches an earlier one: non-empty fields win, empty
 * ones never erase what is known. One atomic upsert per row, so two webhooks for the same person at
 * once (on any hosts) both land.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { canonicalEmail } from '../domain/canonical-email.js';
import { LeadSchema, describeIssues } from '../domain/queue/draft.js';
import type { RecordStore } from '../stores/record/record.js';
import {
  LEAD_SOURCES,
  type LeadPage,
  type LeadRow,
  type LeadSource,
} from '../stores/record/tables/intake-leads.js';

export { LEAD_SOURCES };
export type { LeadPage, LeadSource };

export const LeadInputSchema = LeadSchema.extend({
  linkedin_url: z.string().trim().max(500).optional(),
  website: z.string().trim().max(500).optional(),
});
export type LeadInput = z.input<typeof LeadInputSchema>;
export type StoredLead = LeadRow;

export interface LeadDeps {
  record: RecordStore;
}

export async function upsertLead(deps: LeadDeps, lead: LeadInput, source: LeadSource): Promise<StoredLead> {
  const parsed = LeadInputSchema.safeParse(lead);
  if (!parsed.success) {
    throw new UserError(`Invalid lead: ${describeIssues(parsed.error)}`, {
      exitCode: 1,
      code: 'invalid_lead',
    });
  }
  return deps.record.leads.upsert(canonicalEmail(parsed.data.email), parsed.data, source);
}

export function createLeadService(deps: LeadDeps) {
  return {
    upsertLead: (lead: LeadInput, source: LeadSource) => upsertLead(deps, lead, source),
    get: (email: string): Promise<StoredLead | undefined> => deps.record.leads.get(canonicalEmail(email)),
    /** A page of leads by canonical email (`after` = the `next` of the previous page). */
    list: (options: { limit?: number; after?: string } = {}): Promise<LeadPage> =>
      deps.record.leads.list(options),
  };
}

export type LeadService = ReturnType<typeof createLeadService>;
