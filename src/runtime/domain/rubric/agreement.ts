/**
 * Agreement between the rubric and a reference judgement (the golden set's expected outcome, or a
 * reviewer's decision), per category and per rule, with the ids behind every number so the HoS can
 * open the drafts. Pure.
 */
import { RULE_CATALOG, type RuleEffect } from './rules/catalog.js';
import { CATEGORIES, type Category, type Finding } from './types.js';

export interface Judged {
  id: string;
  /** The reference: categories a reviewer would reject the draft for (empty = approve). */
  expected: readonly Category[];
  /** What the rubric said. */
  findings: readonly Pick<Finding, 'rule' | 'category' | 'severity'>[];
}

export interface CategoryAgreement {
  category: Category;
  /** Items the reference rejects for this category. */
  expected: number;
  /** The rubric reported the category too. */
  caught: string[];
  /** The reference rejects for it; the rubric did not report it. */
  missed: string[];
  /** The rubric reported it; the reference does not reject for it. */
  false_alarms: string[];
  /** Items where rubric and reference agree on this category / all items (1 for none). */
  agreement: number;
}

export interface RuleAgreement {
  rule: string;
  category: Category;
  effect: RuleEffect;
  /** Items the rule reported a finding on. */
  fired: number;
  /** ... where the reference rejects for the rule's category. */
  agreed: string[];
  /** ... where it does not (for a failing rule: a false alarm). */
  disagreed: string[];
  /** agreed / fired; null when the rule never fired. */
  agreement: number | null;
}

export interface Agreement {
  categories: CategoryAgreement[];
  /** Rules that fired at least once, in catalog order. */
  rules: RuleAgreement[];
}

const failing = (finding: Pick<Finding, 'severity'>) =>
  finding.severity === 'critical' || finding.severity === 'major';

const ratio = (part: number, whole: number) =>
  whole === 0 ? 1 : Math.round((part / whole) * 10_000) / 10_000;

export function measureAgreement(items: readonly Judged[]): Agreement {
  const categories = CATEGORIES.map((category): CategoryAgreement => {
    const caught: string[] = [];
    const missed: string[] = [];
    const falseAlarms: string[] = [];
    let expected = 0;
    for (const item of items) {
      const wants = item.expected.includes(category);
      const reports = item.findings.some((finding) => failing(finding) && finding.category === category);
      if (wants) expected += 1;
      if (wants && reports) caught.push(item.id);
      else if (wants) missed.push(item.id);
      else if (reports) falseAlarms.push(item.id);
    }
    return {
      category,
      expected,
      caught,
      missed,
      false_alarms: falseAlarms,
      agreement: ratio(items.length - missed.length - falseAlarms.length, items.length),
    };
  });
  const rules: RuleAgreement[] = [];
  for (const definition of RULE_CATALOG) {
    const agreed: string[] = [];
    const disagreed: string[] = [];
    let effect: RuleEffect = definition.effect;
    for (const item of items) {
      const finding = item.findings.find((candidate) => candidate.rule === definition.id);
      if (!finding) continue;
      effect = failing(finding) ? 'fail' : 'advise';
      (item.expected.includes(definition.category) ? agreed : disagreed).push(item.id);
    }
    const fired = agreed.length + disagreed.length;
    if (fired === 0) continue;
    rules.push({
      rule: definition.id,
      category: definition.category,
      effect,
      fired,
      agreed,
      disagreed,
      agreement: fired === 0 ? null : ratio(agreed.length, fired),
    });
  }
  return { categories, rules };
}
