/**
 * Calibration (SPEC 9, "agreement with reviewers is the point"): the rubric as configured now,
 * compared with what reviewers decided in the queue. Approved drafts it would fail and rejected
 * drafts it would pass are the evidence for tuning rubric.json; every number carries the draft ids
 * behind it. Pure: the caller hands in the decided drafts.
 */
import type { Rubric } from './evaluate.js';
import { isBlocking } from './evaluate.js';
import { measureAgreement, type CategoryAgreement } from './agreement.js';
import { RULE_CATALOG, type RuleEffect } from './rules/catalog.js';
import { CATEGORIES, type Category, type ContextRef, type RubricLead } from './types.js';

/** The fields of a queue draft calibration reads (structural: any queue record with these fits). */
export interface QueueDecisionRecord {
  id: string;
  status: string;
  lead: RubricLead;
  context: readonly ContextRef[];
  subject: string;
  body: string;
  decided_at: string | null;
  decided_by: string | null;
  rejection: { category: string; note?: string | null } | null;
}

export interface Decision {
  id: string;
  decision: 'approved' | 'rejected';
  /** The rejection category (rejected drafts); may be outside the rubric's five. */
  category: string | null;
  decided_at: string;
  decided_by: string | null;
  record: QueueDecisionRecord;
}

const NEVER_DECIDED = new Set(['pending', 'duplicate']);

/**
 * A reviewer's decision on a queue draft, or null when nobody decided it. An approved draft stays
 * approved once it is batched, sent or failed; a rejection carries its category.
 */
export function decisionOf(record: QueueDecisionRecord): Decision | null {
  if (record.decided_at === null || NEVER_DECIDED.has(record.status)) return null;
  if (record.status === 'rejected' || record.rejection !== null) {
    return {
      id: record.id,
      decision: 'rejected',
      category: record.rejection?.category ?? null,
      decided_at: record.decided_at,
      decided_by: record.decided_by,
      record,
    };
  }
  return {
    id: record.id,
    decision: 'approved',
    category: null,
    decided_at: record.decided_at,
    decided_by: record.decided_by,
    record,
  };
}

export interface DraftDisagreement {
  id: string;
  /** What the reviewer decided: "approved" or the rejection category. */
  reviewer: string;
  /** The rubric's verdict and failing categories today. */
  verdict: 'pass' | 'fail';
  categories: Category[];
  /** Failing rules (for approved drafts), else every rule that reported something. */
  rules: string[];
}

export interface RuleCalibration {
  rule: string;
  category: Category;
  effect: RuleEffect;
  fired: number;
  /** Drafts reviewers rejected for this rule's category: the rule agrees. */
  on_rejected_same_category: string[];
  /** Drafts reviewers rejected for another reason. */
  on_rejected_other: string[];
  /** Drafts reviewers approved: for a failing rule, each one is a disagreement. */
  on_approved: string[];
  /** on_rejected_same_category / fired; null when the rule never fired. */
  agreement: number | null;
}

export interface CalibrationReport {
  since: string | null;
  decided: number;
  approved: number;
  rejected: number;
  /** Drafts where the rubric's verdict matches the decision (approve = pass, reject = fail). */
  verdict_agreement: number;
  agreeing: number;
  approved_would_fail: DraftDisagreement[];
  rejected_would_pass: DraftDisagreement[];
  /** Rejected drafts whose rubric category (one of the five) the rubric did not report. */
  rejected_category_missed: DraftDisagreement[];
  categories: CategoryAgreement[];
  /** Every rule that fired on a decided draft, in catalog order. */
  rules: RuleCalibration[];
  /** Rejections under categories the rubric does not produce (a custom taxonomy entry). */
  other_rejections: { id: string; category: string }[];
}

const ratio = (part: number, whole: number) =>
  whole === 0 ? 1 : Math.round((part / whole) * 10_000) / 10_000;

const isRubricCategory = (category: string | null): category is Category =>
  category !== null && (CATEGORIES as readonly string[]).includes(category);

export function calibrate(
  decisions: readonly Decision[],
  rubric: Rubric,
  options: { since?: string | undefined } = {},
): CalibrationReport {
  const since = options.since ?? null;
  const chosen = decisions
    .filter((decision) => since === null || decision.decided_at >= since)
    .sort((a, b) =>
      a.decided_at < b.decided_at ? -1 : a.decided_at > b.decided_at ? 1 : a.id < b.id ? -1 : 1,
    );
  const approvedWouldFail: DraftDisagreement[] = [];
  const rejectedWouldPass: DraftDisagreement[] = [];
  const categoryMissed: DraftDisagreement[] = [];
  const other: { id: string; category: string }[] = [];
  const judged = [];
  const byRule = new Map<
    string,
    { effect: RuleEffect; same: string[]; other: string[]; approved: string[] }
  >();
  let agreeing = 0;
  for (const decision of chosen) {
    const { record } = decision;
    const result = rubric.evaluate({
      segment: record.lead.segment,
      lead: record.lead,
      context: [...record.context],
      draft: { subject: record.subject, body: record.body },
    });
    const expected: Category[] = isRubricCategory(decision.category) ? [decision.category] : [];
    if (decision.decision === 'rejected' && !isRubricCategory(decision.category)) {
      other.push({ id: decision.id, category: decision.category ?? '(none)' });
    }
    const reviewer =
      decision.decision === 'approved' ? 'approved' : `rejected: ${decision.category ?? '(no category)'}`;
    const failingRules = result.findings.filter(isBlocking).map((finding) => finding.rule);
    const describe = (rules: string[]): DraftDisagreement => ({
      id: decision.id,
      reviewer,
      verdict: result.verdict,
      categories: result.categories,
      rules,
    });
    const agrees = (decision.decision === 'approved') === (result.verdict === 'pass');
    if (agrees) agreeing += 1;
    if (decision.decision === 'approved' && result.verdict === 'fail')
      approvedWouldFail.push(describe(failingRules));
    if (decision.decision === 'rejected' && result.verdict === 'pass') {
      rejectedWouldPass.push(describe(result.findings.map((finding) => finding.rule)));
    }
    if (expected.length > 0 && !result.categories.includes(expected[0] as Category)) {
      categoryMissed.push(describe(result.findings.map((finding) => finding.rule)));
    }
    for (const finding of result.findings) {
      const entry = byRule.get(finding.rule) ?? {
        effect: isBlocking(finding) ? 'fail' : 'advise',
        same: [],
        other: [],
        approved: [],
      };
      if (decision.decision === 'approved') entry.approved.push(decision.id);
      else if (expected.includes(finding.category)) entry.same.push(decision.id);
      else entry.other.push(decision.id);
      byRule.set(finding.rule, entry);
    }
    judged.push({ id: decision.id, expected, findings: result.findings });
  }
  const rules: RuleCalibration[] = [];
  for (const definition of RULE_CATALOG) {
    const entry = byRule.get(definition.id);
    if (!entry) continue;
    const fired = entry.same.length + entry.other.length + entry.approved.length;
    rules.push({
      rule: definition.id,
      category: definition.category,
      effect: entry.effect,
      fired,
      on_rejected_same_category: entry.same,
      on_rejected_other: entry.other,
      on_approved: entry.approved,
      agreement: fired === 0 ? null : ratio(entry.same.length, fired),
    });
  }
  const rejected = chosen.filter((decision) => decision.decision === 'rejected').length;
  return {
    since,
    decided: chosen.length,
    approved: chosen.length - rejected,
    rejected,
    verdict_agreement: ratio(agreeing, chosen.length),
    agreeing,
    approved_would_fail: approvedWouldFail,
    rejected_would_pass: rejectedWouldPass,
    rejected_category_missed: categoryMissed,
    categories: measureAgreement(judged).categories,
    rules,
    other_rejections: other,
  };
}
