/**
 * Leads in the record (SPEC 6.2): one row per person, keyed by canonical email, from RB2B visitors
 * and Clay rows. A later row enriches an earlier one in ONE upsert statement (atomic on both
 * dialects, so concurrent webhooks for one person on any hosts all land): non-empty fields win,
 * missing ones never erase what is known, and the source joins the list of sources.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Executor, RepoContext } from '../context.js';

export const LEAD_SOURCES = ['rb2b', 'clay'] as const;
export type LeadSource = (typeof LEAD_SOURCES)[number];

export const LEAD_FIELDS = [
  'first_name',
  'last_name',
  'company',
  'title',
  'segment',
  'tier',
  'linkedin_url',
  'website',
] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

export interface LeadsTable {
  canonical_email: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  title: string | null;
  segment: string | null;
  tier: string | null;
  linkedin_url: string | null;
  website: string | null;
  /** Comma-separated, in order of first appearance. */
  sources: string;
  first_seen_at: string;
  updated_at: string;
}

export type LeadFacts = { email: string } & Partial<Record<LeadField, string | undefined>>;

export interface LeadRow extends Partial<Record<LeadField, string>> {
  email: string;
  canonical_email: string;
  sources: LeadSource[];
  first_seen_at: string;
  updated_at: string;
}

export interface LeadPage {
  leads: LeadRow[];
  /** Cursor (a canonical email) for the next page, or null at the end. */
  next: string | null;
}

const rowSchema = z.object({
  canonical_email: z.string(),
  email: z.string(),
  ...Object.fromEntries(LEAD_FIELDS.map((field) => [field, z.string().nullable()])),
  sources: z.string(),
  first_seen_at: z.string(),
  updated_at: z.string(),
});

function toLead(raw: unknown): LeadRow {
  const row = rowSchema.parse(raw) as unknown as LeadsTable;
  const lead: LeadRow = {
    email: row.email,
    canonical_email: row.canonical_email,
    sources: row.sources
      .split(',')
      .filter((source): source is LeadSource => (LEAD_SOURCES as readonly string[]).includes(source)),
    first_seen_at: row.first_seen_at,
    updated_at: row.updated_at,
  };
  for (const field of LEAD_FIELDS) {
    const value = row[field];
    if (value !== null) lead[field] = value;
  }
  return lead;
}

export function createLeadsRepo(exec: Executor, ctx: RepoContext) {
  return {
    /** Create or enrich the lead `canonical`; answers the row as stored. */
    async upsert(canonical: string, facts: LeadFacts, source: LeadSource): Promise<LeadRow> {
      const stamp = new Date(ctx.now()).toISOString();
      const values: LeadsTable = {
        canonical_email: canonical,
        email: facts.email,
        first_name: null,
        last_name: null,
        company: null,
        title: null,
        segment: null,
        tier: null,
        linkedin_url: null,
        website: null,
        sources: source,
        first_seen_at: stamp,
        updated_at: stamp,
      };
      for (const field of LEAD_FIELDS) {
        const value = facts[field];
        if (value !== undefined && value !== '') values[field] = value;
      }
      const enriched = Object.fromEntries(
        LEAD_FIELDS.map((field) => [
          field,
          sql<string | null>`coalesce(excluded.${sql.ref(field)}, leads.${sql.ref(field)})`,
        ]),
      );
      const row = await exec
        .insertInto('leads')
        .values(values)
        .onConflict((oc) =>
          oc.column('canonical_email').doUpdateSet({
            ...enriched,
            email: sql<string>`excluded.email`,
            sources: sql<string>`case when (',' || leads.sources || ',') like ('%,' || excluded.sources || ',%') then leads.sources else leads.sources || ',' || excluded.sources end`,
            updated_at: sql<string>`excluded.updated_at`,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toLead(row);
    },

    async get(canonical: string): Promise<LeadRow | undefined> {
      const row = await exec
        .selectFrom('leads')
        .selectAll()
        .where('canonical_email', '=', canonical)
        .executeTakeFirst();
      return row === undefined ? undefined : toLead(row);
    },

    /** By canonical email, `limit` per page (1-500, default 100). */
    async list(options: { limit?: number; after?: string } = {}): Promise<LeadPage> {
      const limit = Math.min(Math.max(Math.floor(options.limit ?? 100), 1), 500);
      let query = exec.selectFrom('leads').selectAll();
      if (options.after !== undefined) query = query.where('canonical_email', '>', options.after);
      const rows = await query
        .orderBy('canonical_email', 'asc')
        .limit(limit + 1)
        .execute();
      const more = rows.length > limit;
      const leads = (more ? rows.slice(0, limit) : rows).map(toLead);
      return { leads, next: more ? (leads[leads.length - 1]?.canonical_email ?? null) : null };
    },

    async count(): Promise<number> {
      const row = await exec
        .selectFrom('leads')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
export type LeadsRepo = ReturnType<typeof createLeadsRepo>;
