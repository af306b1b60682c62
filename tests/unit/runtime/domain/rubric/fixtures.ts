import {
  DEFAULT_RUBRIC_CONFIG,
  evaluateDraft,
  type RubricConfig,
  type RubricInput,
  type RubricResult,
} from '../../../../../src/runtime/domain/rubric/index.js';

export const GOOD_BODY = `Hi Dana,

Saw Brightwave is hiring 6 SDRs in Austin. Ramping that many reps at once usually means managers spend their week listening to calls instead of coaching the ones that matter.

Quorra flags the calls worth a manager's time, so new reps get feedback within a day rather than at the end of the month.

Would you be open to a 20-minute call next Tuesday to see how it would fit your team?

Best,
Maya`;

/** A draft that passes every rule; each test changes one thing. */
export function goodInput(overrides: Partial<RubricInput> = {}): RubricInput {
  return {
    segment: 'mid-market',
    lead: {
      email: 'dana.kim@brightwave.io',
      first_name: 'Dana',
      last_name: 'Kim',
      company: 'Brightwave',
      title: 'VP of Sales',
      segment: 'mid-market',
      tier: 'tier-2',
    },
    context: [
      {
        ref: 'rb2b:visit:8812',
        text: 'Visited the pricing page twice this week. Brightwave is hiring 6 SDRs in Austin.',
      },
    ],
    draft: { subject: 'Ramping 6 new SDRs at Brightwave', body: GOOD_BODY },
    ...overrides,
  };
}

export function withBody(body: string, overrides: Partial<RubricInput> = {}): RubricInput {
  const base = goodInput(overrides);
  return { ...base, draft: { ...base.draft, body } };
}

/** Replace `from` in the good body with `to` (the test fails loudly if `from` is not there). */
export function editBody(from: string, to: string, overrides: Partial<RubricInput> = {}): RubricInput {
  if (!GOOD_BODY.includes(from)) throw new Error(`fixture body has no "${from}"`);
  return withBody(GOOD_BODY.replace(from, to), overrides);
}

export function score(input: RubricInput, config: RubricConfig = DEFAULT_RUBRIC_CONFIG): RubricResult {
  return evaluateDraft(input, config);
}

export function rules(result: RubricResult): string[] {
  return result.findings.map((finding) => finding.rule);
}
