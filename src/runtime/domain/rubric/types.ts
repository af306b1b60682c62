/**
 * The rubric's public shapes (SPEC 9): what a draft looks like to the rubric, and what it answers.
 * Shared by the queue (scoring on entry), the replay gate and the golden set.
 */

/** The default rejection taxonomy; findings always carry one of these. */
export const CATEGORIES = ['tone', 'personalization', 'accuracy', 'compliance', 'targeting'] as const;
export type Category = (typeof CATEGORIES)[number];

/**
 * `critical` and `major` findings fail a draft; `advice` is shown to the reviewer and never fails it.
 * (`minor`, the older name for advice, may still be read from stored drafts.)
 */
export const SEVERITIES = ['critical', 'major', 'advice'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface RubricLead {
  email: string;
  first_name?: string | undefined;
  last_name?: string | undefined;
  company?: string | undefined;
  title?: string | undefined;
  segment?: string | undefined;
  tier?: string | undefined;
}

export interface ContextRef {
  ref: string;
  text: string;
}

export interface RubricInput {
  /** The campaign segment the draft was written for; falls back to `lead.segment`. */
  segment?: string | undefined;
  lead: RubricLead;
  context: ContextRef[];
  draft: { subject: string; body: string };
}

export interface Finding {
  /** Stable rule id, e.g. `groundedness.number`. */
  rule: string;
  category: Category;
  severity: Severity;
  message: string;
}

export interface RubricResult {
  verdict: 'pass' | 'fail';
  /** Categories of the failing (critical or major) findings, in taxonomy order. */
  categories: Category[];
  /** Every finding, failing or advice, in rule order. */
  findings: Finding[];
}
