/**
 * The HoS rubric configuration (`golden-set/rubric.json`), validated with zod. A rubric.json may be
 * partial: each top-level section it names replaces the matching section of the built-in defaults
 * (objects are merged key by key one level deep; lists and segments replace). Unknown keys are
 * refused so a typo cannot silently switch a rule off.
 */
import { z } from 'zod';
import { RULE_EFFECTS, RULE_IDS, ruleDefinition } from './rules/catalog.js';
import { CATEGORIES } from './types.js';
import { DEFAULT_RUBRIC_CONFIG } from './default-config.js';

const phrases = () => z.array(z.string().trim().min(1));
const count = () => z.number().int().min(0);

const segmentSchema = z
  .object({
    label: z.string().min(1),
    /** Names of `persona_families` whose titles buy for this segment. */
    persona_families: z.array(z.string().min(1)).default([]),
    /** Extra title patterns for this segment only (same pattern language as the families). */
    personas: phrases().default([]),
    /** Language that is wrong for this segment (enterprise words to a five-person shop, and so on). */
    avoid_phrases: phrases(),
    /** Overrides `length.body_max_words` (the normal upper bound, advice only) for this segment. */
    body_max_words: z.number().int().min(1).optional(),
  })
  .strict();

const personaFamilySchema = z
  .object({
    label: z.string().min(1),
    /** Title patterns ("head of sales|revenue", "vp", "founder"). */
    titles: phrases(),
  })
  .strict();

export const rubricConfigSchema = z
  .object({
    version: z.literal(1),
    /** Free-text notes for the people who maintain the file; the rubric ignores them. */
    about: z.record(z.string(), z.string()).optional(),
    rejection_taxonomy: z
      .array(z.string().trim().min(1))
      .refine((list) => CATEGORIES.every((category) => list.includes(category)), {
        message: `must contain the rubric categories ${CATEGORIES.join(', ')} (more may be added)`,
      }),
    /** Per-rule effect overrides: "fail", "advise" or "off" (locked rules always fail). */
    rules: z.record(z.string(), z.enum(RULE_EFFECTS)).default({}),
    length: z
      .object({
        subject_max_chars: z.number().int().min(1),
        /** The normal range: outside it the rubric advises. */
        body_min_words: count(),
        body_max_words: z.number().int().min(1),
        /** The extremes: outside them the draft fails. */
        body_hard_min_words: count(),
        body_hard_max_words: z.number().int().min(1),
      })
      .strict()
      .refine((l) => l.body_min_words <= l.body_max_words, { message: 'body_min_words > body_max_words' })
      .refine((l) => l.body_hard_min_words <= l.body_min_words, {
        message: 'body_hard_min_words must not exceed body_min_words',
      })
      .refine((l) => l.body_hard_max_words >= l.body_max_words, {
        message: 'body_hard_max_words must be at least body_max_words',
      }),
    tone: z
      .object({
        /** Longest allowed run of "!" ("!!" is shouting). */
        max_exclamation_run: z.number().int().min(1),
        /** Most "!" in one draft. */
        max_exclamations: count(),
        /** An all-capitals word of at least this many letters is shouting, unless it is a known term. */
        shouting_min_letters: z.number().int().min(2),
        /** How many shouted words are tolerated. */
        max_shouted_words: count(),
        /** Patterns of deadlines, scarcity and urgency. */
        pressure_phrases: phrases(),
      })
      .strict(),
    negative_constraints: z
      .object({
        /** Patterns of outcome promises: guarantees, no-risk, money back, "you will hit quota". */
        guarantee_phrases: phrases(),
        /** Patterns of the HoS's banned claims and phrases. */
        banned_phrases: phrases(),
      })
      .strict(),
    /** Spellings folded onto one word before any pattern is matched ("guarentee": "guarantee"). */
    spelling_variants: z.record(z.string().min(1), z.string().min(1)).default({}),
    personalization: z
      .object({
        /** Regular expressions (source text) of unresolved template tokens. */
        token_patterns: z.array(z.string().min(1)),
        generic_greetings: phrases(),
        /** Advise when the body does not use the first name. */
        require_first_name: z.boolean(),
        /** Advise when the draft does not name the company. */
        require_company: z.boolean(),
        /** Suffixes ignored when looking for the company name ("Acme Corp" is mentioned as "Acme"). */
        company_suffixes: phrases(),
        /** Context refs about the sender (product facts, case studies), not about the lead. */
        sender_ref_prefixes: phrases(),
      })
      .strict(),
    call_to_action: z
      .object({
        /** A sentence containing one of these phrases is a call to action. */
        phrases: phrases(),
        /** A question (ends with "?") naming one of these is a call to action too ("Would a short call help?"). */
        ask_nouns: phrases(),
        min: count(),
        max: count(),
      })
      .strict(),
    groundedness: z
      .object({
        /** Patterns of claims that need a source ("award-winning", "#1", "trusted by"). */
        claim_phrases: phrases(),
        /** The sender's own names and generic business vocabulary: never a claim about the prospect. */
        known_terms: phrases(),
        /** Capitalised words that are not names (greetings, weekdays, months). */
        ignore_words: phrases(),
        /** Units that make a number a duration of the proposed call ("a 20-minute call"). */
        cta_time_units: phrases(),
        /** Lines that open the signature ("Best,"): what follows is the sender, never a claim. */
        sign_offs: phrases(),
      })
      .strict(),
    /** Buyer role families, shared by the segments ("sales_leadership": VP, head of sales, ...). */
    persona_families: z.record(z.string().min(1), personaFamilySchema).default({}),
    /** Titles that never buy, whatever family they also match ("intern", "junior"). */
    non_buyer_titles: phrases().default([]),
    segments: z.record(z.string().min(1), segmentSchema),
  })
  .strict()
  .superRefine((config, ctx) => {
    for (const [id, effect] of Object.entries(config.rules)) {
      const definition = ruleDefinition(id);
      if (!definition) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['rules', id],
          message: `unknown rule (known: ${RULE_IDS.join(', ')})`,
        });
      } else if (definition.locked && effect !== 'fail') {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['rules', id],
          message: 'is a critical rule: a fabricated fact or a broken constraint always fails the draft',
        });
      }
    }
    for (const [key, segment] of Object.entries(config.segments)) {
      for (const family of segment.persona_families) {
        if (!(family in config.persona_families)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['segments', key, 'persona_families'],
            message: `unknown persona family "${family}" (defined: ${Object.keys(config.persona_families).join(', ') || 'none'})`,
          });
        }
      }
    }
  });

export type RubricConfig = z.output<typeof rubricConfigSchema>;
export type SegmentStandard = z.output<typeof segmentSchema>;

export { DEFAULT_RUBRIC_CONFIG };

/** Sections a rubric.json replaces whole (maps keyed by name), never merges. */
const REPLACED_SECTIONS = new Set(['segments', 'persona_families', 'spelling_variants', 'rules', 'about']);

export type RubricConfigIssue = { path: string; message: string };

/**
 * Merge a (possibly partial) rubric.json value onto the defaults and validate it. Returns the
 * config, or the list of problems (path + message) for the caller to report.
 */
export function parseRubricConfig(
  raw: unknown,
): { ok: true; config: RubricConfig } | { ok: false; issues: RubricConfigIssue[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: '(root)', message: 'must be a JSON object' }] };
  }
  const merged: Record<string, unknown> = { ...DEFAULT_RUBRIC_CONFIG };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const base = (DEFAULT_RUBRIC_CONFIG as Record<string, unknown>)[key];
    const mergeable = !REPLACED_SECTIONS.has(key) && isPlainObject(base) && isPlainObject(value);
    merged[key] = mergeable ? { ...base, ...value } : value;
  }
  const result = rubricConfigSchema.safeParse(merged);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: issue.path.length > 0 ? issue.path.join('.') : '(root)',
      message: issue.message,
    })),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
