/**
 * Leads from RB2B visitors and Clay rows (SPEC 6.2): one record per person, keyed by canonical email,
 * in the `leads` collection of the state store. A later row enriches an earlier one: non-empty fields
 * win, empty ones never erase what is known. Written with compare-and-set, so two webhooks for the
 * same person at once both land.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { canonicalEmail } from '../domain/canonical-email.js';
import { LeadSchema, describeIssues } from '../domain/queue/draft.js';
import type { StateStore } from '../stores/state-store.js';

export const LEADS = 'leads';
export const LEAD_SOURCES = ['rb2b', 'clay'] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

export const LeadInputSchema = LeadSchema.extend({
  linkedin_url: z.string().trim().max(500).optional(),
  website: z.string().trim().max(500).optional(),
});
export type LeadInput = z.input<typeof LeadInputSchema>;

export const StoredLeadSchema = LeadInputSchema.extend({
  canonical_email: z.string(),
  sources: z.array(z.enum(LEAD_SOURCES)),
  first_seen_at: z.string(),
  updated_at: z.string(),
});
export type StoredLead = z.infer<typeof StoredLeadSchema>;

export interface LeadDeps {
  state: StateStore;
  now?: () => number;
}

export async function upsertLead(deps: LeadDeps, lead: LeadInput, source: LeadSource): Promise<StoredLead> {
  const parsed = LeadInputSchema.safeParse(lead);
  if (!parsed.success) {
    throw new UserError(`Invalid lead: ${describeIssues(parsed.error)}`, {
      exitCode: 1,
      code: 'invalid_lead',
    });
  }
  const input = parsed.data;
  const key = canonicalEmail(input.email);
  const stamp = new Date((deps.now ?? Date.now)()).toISOString();
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const record = await deps.state.getRecord(LEADS, key);
    const existing = record ? StoredLeadSchema.safeParse(record.value) : undefined;
    const base: StoredLead = existing?.success
      ? existing.data
      : { email: input.email, canonical_email: key, sources: [], first_seen_at: stamp, updated_at: stamp };
    const filled = Object.fromEntries(
      Object.entries(input).filter(([, value]) => value !== undefined && value !== ''),
    );
    const next: StoredLead = {
      ...base,
      ...filled,
      canonical_email: key,
      sources: base.sources.includes(source) ? base.sources : [...base.sources, source],
      updated_at: stamp,
    };
    const cas = await deps.state.compareAndSet(LEADS, key, record?.version ?? 0, next);
    if (cas.ok) return next;
  }
  throw new UserError(`Could not store lead ${key}: too many concurrent updates`, {
    exitCode: 1,
    code: 'conflict',
  });
}

export function createLeadService(deps: LeadDeps) {
  return {
    upsertLead: (lead: LeadInput, source: LeadSource) => upsertLead(deps, lead, source),
    async get(email: string): Promise<StoredLead | undefined> {
      const record = await deps.state.getRecord(LEADS, canonicalEmail(email));
      const parsed = record ? StoredLeadSchema.safeParse(record.value) : undefined;
      return parsed?.success ? parsed.data : undefined;
    },
    async list(): Promise<StoredLead[]> {
      const records = await deps.state.listRecords(LEADS);
      return records.flatMap((r) => {
        const parsed = StoredLeadSchema.safeParse(r.value);
        return parsed.success ? [parsed.data] : [];
      });
    },
  };
}

export type LeadService = ReturnType<typeof createLeadService>;
