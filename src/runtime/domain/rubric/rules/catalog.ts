/**
 * Every rule the rubric runs, with what it means for a draft: `fail` findings decide the verdict and
 * the categories; `advise` findings are shown to the reviewer and never fail a draft. rubric.json
 * `rules` may change a rule's effect (or turn it `off`), except the locked rules: a fabricated fact
 * or a broken negative constraint always fails (SPEC 9).
 */
import type { Category } from '../types.js';

export const RULE_EFFECTS = ['fail', 'advise', 'off'] as const;
export type RuleEffect = (typeof RULE_EFFECTS)[number];

export interface RuleDefinition {
  id: string;
  category: Category;
  effect: Exclude<RuleEffect, 'off'>;
  /** A failing finding of this rule is `critical` (else `major`). */
  critical: boolean;
  /** The effect cannot be changed in rubric.json. */
  locked: boolean;
  /** One line for reviewers and `caio rubric calibrate`. */
  summary: string;
}

const rule = (
  id: string,
  category: Category,
  effect: 'fail' | 'advise',
  summary: string,
  options: { critical?: boolean; locked?: boolean } = {},
): RuleDefinition => ({
  id,
  category,
  effect,
  critical: options.critical ?? false,
  locked: options.locked ?? false,
  summary,
});

export const RULE_CATALOG: readonly RuleDefinition[] = [
  rule(
    'groundedness.number',
    'accuracy',
    'fail',
    'money, percentages, counts and dates of events need a source',
    {
      critical: true,
      locked: true,
    },
  ),
  rule('groundedness.name', 'accuracy', 'fail', 'customer, company, product and place names need a source', {
    critical: true,
    locked: true,
  }),
  rule('groundedness.claim', 'accuracy', 'fail', 'marketing claims ("award-winning", "#1") need a source', {
    critical: true,
    locked: true,
  }),
  rule(
    'compliance.guarantee',
    'compliance',
    'fail',
    'never promise an outcome (guarantees, no-risk, money back)',
    {
      critical: true,
      locked: true,
    },
  ),
  rule('compliance.banned_phrase', 'compliance', 'fail', "the HoS's banned claims and phrases", {
    critical: true,
    locked: true,
  }),
  rule(
    'personalization.unresolved_token',
    'personalization',
    'fail',
    'no template token may reach a prospect',
    {
      critical: true,
    },
  ),
  rule(
    'personalization.generic_greeting',
    'personalization',
    'fail',
    '"Hi there" / "Dear Sir" instead of a name',
  ),
  rule(
    'personalization.not_specific',
    'personalization',
    'fail',
    'nothing specific to this lead (name, company or a fact)',
  ),
  rule(
    'personalization.missing_first_name',
    'personalization',
    'advise',
    'the body does not use the first name',
  ),
  rule('personalization.missing_company', 'personalization', 'advise', 'the draft does not name the company'),
  rule('tone.subject_missing', 'tone', 'fail', 'empty subject line'),
  rule('tone.subject_length', 'tone', 'advise', 'long subject line'),
  rule('tone.body_length', 'tone', 'advise', 'body outside the normal length range'),
  rule('tone.body_length_extreme', 'tone', 'fail', 'body too short or too long to send'),
  rule('tone.shouting', 'tone', 'fail', 'words in capitals'),
  rule('tone.exclamation', 'tone', 'fail', 'runs of "!" or too many of them'),
  rule('tone.pressure', 'tone', 'fail', 'deadlines, scarcity and urgency'),
  rule('tone.call_to_action', 'tone', 'fail', 'exactly one ask'),
  rule('targeting.segment_missing', 'targeting', 'advise', 'no segment: standards not checked'),
  rule('targeting.segment_mismatch', 'targeting', 'fail', 'written for another segment than the lead'),
  rule('targeting.unknown_segment', 'targeting', 'fail', 'segment not in rubric.json'),
  rule('targeting.title_missing', 'targeting', 'advise', 'no title: persona not checked'),
  rule('targeting.persona', 'targeting', 'fail', "the title is not one of the segment's buyer role families"),
  rule('targeting.segment_language', 'targeting', 'fail', 'language that is wrong for the segment'),
];

export const RULE_IDS: readonly string[] = RULE_CATALOG.map((definition) => definition.id);

export function ruleDefinition(id: string): RuleDefinition | undefined {
  return RULE_CATALOG.find((definition) => definition.id === id);
}
