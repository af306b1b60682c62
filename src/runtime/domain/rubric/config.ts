/**
 * The HoS rubric configuration (`golden-set/rubric.json`), validated with zod. A rubric.json may be
 * partial: each top-level section it names replaces the matching section of the built-in defaults
 * (objects are merged key by key one level deep; lists and segments replace). Unknown keys are
 * refused so a typo cannot silently switch a rule off.
 */
import { z } from 'zod';
import { CATEGORIES } from './types.js';

const phrases = () => z.array(z.string().trim().min(1));
const count = () => z.number().int().min(0);

const segmentSchema = z
  .object({
    label: z.string().min(1),
    /** Title fragments of the personas this segment sells to ("vp", "head of", "founder"). */
    personas: phrases(),
    /** Language that is wrong for this segment (enterprise words to a five-person shop, and so on). */
    avoid_phrases: phrases(),
    /** Overrides `length.body_max_words` for this segment. */
    body_max_words: z.number().int().min(1).optional(),
  })
  .strict();

export const rubricConfigSchema = z
  .object({
    version: z.literal(1),
    rejection_taxonomy: z
      .array(z.string().trim().min(1))
      .refine((list) => CATEGORIES.every((category) => list.includes(category)), {
        message: `must contain the rubric categories ${CATEGORIES.join(', ')} (more may be added)`,
      }),
    length: z
      .object({
        subject_max_chars: z.number().int().min(1),
        body_min_words: count(),
        body_max_words: z.number().int().min(1),
      })
      .strict()
      .refine((l) => l.body_min_words <= l.body_max_words, { message: 'body_min_words > body_max_words' }),
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
        pressure_phrases: phrases(),
      })
      .strict(),
    negative_constraints: z
      .object({
        guarantee_phrases: phrases(),
        banned_phrases: phrases(),
      })
      .strict(),
    personalization: z
      .object({
        /** Regular expressions (source text) of unresolved template tokens. */
        token_patterns: z.array(z.string().min(1)),
        generic_greetings: phrases(),
        require_first_name: z.boolean(),
        require_company: z.boolean(),
        /** Suffixes ignored when looking for the company name ("Acme Corp" is mentioned as "Acme"). */
        company_suffixes: phrases(),
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
        /** Claims that need a source ("award-winning", "#1", "trusted by"). */
        claim_phrases: phrases(),
        /** The sender's own names and generic business vocabulary: never a claim about the prospect. */
        known_terms: phrases(),
        /** Capitalised words that are not names (greetings, weekdays, months). */
        ignore_words: phrases(),
        /** Units that make a number a duration or a time; exempt inside the call to action. */
        cta_time_units: phrases(),
      })
      .strict(),
    segments: z.record(z.string().min(1), segmentSchema),
  })
  .strict();

export type RubricConfig = z.output<typeof rubricConfigSchema>;
export type SegmentStandard = z.output<typeof segmentSchema>;

export const DEFAULT_RUBRIC_CONFIG: RubricConfig = {
  version: 1,
  rejection_taxonomy: [...CATEGORIES],
  length: { subject_max_chars: 70, body_min_words: 35, body_max_words: 150 },
  tone: {
    max_exclamation_run: 1,
    max_exclamations: 1,
    shouting_min_letters: 3,
    max_shouted_words: 0,
    pressure_phrases: [
      'act now',
      'act fast',
      'last chance',
      'limited time',
      'limited-time',
      'only a few spots left',
      'spots left',
      'expires today',
      'expires tonight',
      'ends today',
      "don't miss out",
      'do not miss out',
      "before it's too late",
      'urgent',
      'final notice',
      'respond today',
      'this offer won’t last',
      "this offer won't last",
    ],
  },
  negative_constraints: {
    guarantee_phrases: [
      'guarantee',
      'guarantees',
      'guaranteed',
      'we promise',
      'i promise',
      'promise you',
      'risk-free',
      'risk free',
      'no risk',
      'zero risk',
      'money-back',
      'money back',
      '100% safe',
      'will definitely',
    ],
    banned_phrases: [
      'click here',
      'free money',
      'no strings attached',
      'cash bonus',
      'get rich',
      'double your revenue',
      'triple your pipeline',
      '10x your pipeline',
      'unlimited leads',
      'hipaa certified',
      'gdpr certified',
      'fda approved',
      'sec approved',
      'as seen on',
      'this is not spam',
      'dear friend',
    ],
  },
  personalization: {
    token_patterns: [
      '\\{\\{[^{}]*\\}\\}',
      '\\{[A-Za-z_][A-Za-z0-9_ ]*\\}',
      '\\[[A-Z][A-Za-z0-9_ ]*\\]',
      '<\\s*[A-Za-z_]+\\s*>',
      '%[A-Z_]{3,}%',
    ],
    generic_greetings: [
      'hi there',
      'hello there',
      'hey there',
      'dear sir',
      'dear madam',
      'dear sir or madam',
      'to whom it may concern',
      'hi friend',
      'dear customer',
      'dear valued',
      'hello sir',
    ],
    require_first_name: true,
    require_company: true,
    company_suffixes: [
      'inc',
      'inc.',
      'corp',
      'corp.',
      'corporation',
      'llc',
      'ltd',
      'ltd.',
      'gmbh',
      'co',
      'co.',
      'plc',
      'group',
    ],
  },
  call_to_action: {
    phrases: [
      'would you be open to',
      'are you open to',
      'open to a',
      'worth a quick',
      'worth a chat',
      'worth a call',
      'worth exploring',
      'would it make sense',
      'does it make sense to',
      'can we',
      'could we',
      'shall we',
      'are you free',
      'do you have time',
      'have time for',
      'grab time',
      'book a',
      'book time',
      'schedule a',
      'set up a call',
      'hop on a call',
      'jump on a call',
      'up for a',
      'reply with',
      'just reply',
      'want me to send',
      'should i send',
      'happy to send',
      'would you like to see',
      'want to see',
      'free for a',
      'calendly.com',
      'cal.com',
    ],
    ask_nouns: ['call', 'chat', 'meeting', 'demo', 'walkthrough', 'conversation', 'session', 'intro'],
    min: 1,
    max: 1,
  },
  groundedness: {
    claim_phrases: [
      '#1',
      'number one',
      'industry-leading',
      'industry leading',
      'market-leading',
      'market leader',
      'leading provider',
      'best-in-class',
      'best in class',
      'award-winning',
      'world-class',
      'trusted by',
      'fastest',
      'most popular',
      'proven to',
    ],
    known_terms: [
      'Quorra',
      'Quorra Forecast',
      'Quorra Inbox',
      'Maya',
      'CRM',
      'ROI',
      'API',
      'SaaS',
      'B2B',
      'AI',
      'CEO',
      'CFO',
      'COO',
      'CTO',
      'CRO',
      'CMO',
      'VP',
      'SVP',
      'SDR',
      'SDRs',
      'BDR',
      'BDRs',
      'AE',
      'AEs',
      'RevOps',
      'GTM',
      'ARR',
      'MRR',
      'KPI',
      'KPIs',
      'QBR',
      'QBRs',
      'PS',
      'FYI',
      'SOC',
      'SSO',
      'HIPAA',
      'GDPR',
      'CCPA',
      'ISO',
      'EU',
      'US',
      'UK',
    ],
    ignore_words: [
      'I',
      'Hi',
      'Hello',
      'Hey',
      'Dear',
      'Sir',
      'Madam',
      'Mr',
      'Mrs',
      'Ms',
      'Dr',
      'Thanks',
      'Thank',
      'Best',
      'Cheers',
      'Regards',
      'Monday',
      'Tuesday',
      'Wednesday',
      'Thursday',
      'Friday',
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
      'Inc',
      'Corp',
      'LLC',
      'Ltd',
    ],
    cta_time_units: ['minute', 'minutes', 'min', 'mins', 'hour', 'hours', 'am', 'pm'],
  },
  segments: {
    smb: {
      label: 'Small business (1-50 employees)',
      personas: [
        'founder',
        'co-founder',
        'ceo',
        'owner',
        'president',
        'general manager',
        'head of sales',
        'sales manager',
      ],
      avoid_phrases: [
        'enterprise-grade',
        'procurement',
        'security review',
        'rfp',
        'implementation partner',
        'global rollout',
      ],
      body_max_words: 120,
    },
    'mid-market': {
      label: 'Mid-market (51-1,000 employees)',
      personas: [
        'vp',
        'vice president',
        'director',
        'head of',
        'revops',
        'revenue operations',
        'sales operations',
        'cro',
        'chief revenue officer',
      ],
      avoid_phrases: ['solopreneur', 'side hustle', 'one-person', 'mom-and-pop'],
    },
    enterprise: {
      label: 'Enterprise (1,000+ employees)',
      personas: ['vp', 'svp', 'evp', 'vice president', 'chief', 'cro', 'cfo', 'cio', 'head of', 'director'],
      avoid_phrases: ['cheap', 'no contract', 'swipe a card', 'solopreneur', 'side hustle', 'quick hack'],
      body_max_words: 140,
    },
    agency: {
      label: 'Agencies (sell to their clients)',
      personas: [
        'founder',
        'co-founder',
        'managing director',
        'partner',
        'owner',
        'head of growth',
        'head of client services',
        'agency director',
      ],
      avoid_phrases: ['your in-house sales team', 'your engineering team', 'your product roadmap'],
      body_max_words: 130,
    },
  },
};

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
    const mergeable = key !== 'segments' && isPlainObject(base) && isPlainObject(value);
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
