/**
 * The replay gate's judgement (SPEC 9), pure: a case passes when the rubric's verdict and categories
 * equal the expected ones. A groundedness (accuracy) or negative-constraint (compliance) violation
 * the rubric lets through is critical and blocks the build whatever the pass rate.
 */
import { caseInput, type GoldenCase } from './golden-case.js';
import type { Rubric } from './evaluate.js';
import { isBlocking } from './evaluate.js';
import { measureAgreement, type Agreement } from './agreement.js';
import type { Category, Finding, RubricResult } from './types.js';

/** Categories whose miss is critical: a fabricated fact or a broken constraint reaching a customer. */
export const CRITICAL_CATEGORIES: readonly Category[] = ['accuracy', 'compliance'];

export interface Outcome {
  verdict: 'pass' | 'fail';
  categories: Category[];
}

export interface CaseJudgement {
  id: string;
  passed: boolean;
  expected: Outcome;
  actual: Outcome;
  reasons: string[];
  /** Critical categories the case expects and the rubric did not report. */
  missed_critical: Category[];
  /** What the rubric reported (for agreement per rule). */
  findings: Pick<Finding, 'rule' | 'category' | 'severity'>[];
}

export function judgeCase(golden: GoldenCase, result: RubricResult): CaseJudgement {
  const expected: Outcome = {
    verdict: golden.expected.verdict,
    categories: [...new Set(golden.expected.categories)],
  };
  const actual: Outcome = { verdict: result.verdict, categories: result.categories };
  const missing = expected.categories.filter((category) => !actual.categories.includes(category));
  const unexpected = actual.categories.filter((category) => !expected.categories.includes(category));
  const reasons: string[] = [];
  if (expected.verdict !== actual.verdict) {
    reasons.push(`expected verdict ${expected.verdict}, the rubric said ${actual.verdict}`);
  }
  for (const category of missing) reasons.push(`missing category ${category}`);
  for (const category of unexpected) reasons.push(`unexpected category ${category}`);
  const passed = reasons.length === 0;
  if (!passed) {
    for (const finding of result.findings.filter(isBlocking)) {
      reasons.push(`finding ${finding.rule} (${finding.category}): ${finding.message}`);
    }
  }
  const missed_critical =
    expected.verdict === 'fail' ? missing.filter((category) => CRITICAL_CATEGORIES.includes(category)) : [];
  const findings = result.findings.map(({ rule, category, severity }) => ({ rule, category, severity }));
  return { id: golden.id, passed, expected, actual, reasons, missed_critical, findings };
}

export interface ReplayFailure {
  id: string;
  expected: Outcome;
  actual: Outcome;
  reasons: string[];
}

export interface CriticalFailure extends ReplayFailure {
  /** The accuracy/compliance categories the rubric let through. */
  missed: Category[];
}

export interface ReplaySummary {
  total: number;
  passed: number;
  /** passed / total, rounded to 4 decimals (0 for an empty set). */
  pass_rate: number;
  threshold: number;
  block_build: boolean;
  /** Why the build is blocked, one line each (empty when it is not). */
  block_reasons: string[];
  failures: ReplayFailure[];
  critical_failures: CriticalFailure[];
  /** Agreement with the expected outcomes, per category and per rule. */
  agreement: Agreement;
}

export function summarizeReplay(judgements: readonly CaseJudgement[], threshold: number): ReplaySummary {
  const total = judgements.length;
  const passed = judgements.filter((judgement) => judgement.passed).length;
  const rate = total === 0 ? 0 : passed / total;
  const failures = judgements
    .filter((judgement) => !judgement.passed)
    .map(({ id, expected, actual, reasons }) => ({ id, expected, actual, reasons }));
  const critical_failures = judgements
    .filter((judgement) => judgement.missed_critical.length > 0)
    .map(({ id, expected, actual, reasons, missed_critical }) => ({
      id,
      expected,
      actual,
      reasons,
      missed: missed_critical,
    }));
  const block_reasons: string[] = [];
  if (total === 0) block_reasons.push('the golden set has no cases');
  else if (rate < threshold) {
    block_reasons.push(`pass rate ${formatPercent(rate)} is below the threshold ${formatPercent(threshold)}`);
  }
  if (critical_failures.length > 0) {
    block_reasons.push(
      `${critical_failures.length} critical failure${critical_failures.length > 1 ? 's' : ''}: the rubric let through a groundedness or negative-constraint violation (${critical_failures.map((failure) => failure.id).join(', ')})`,
    );
  }
  return {
    total,
    passed,
    pass_rate: Math.round(rate * 10_000) / 10_000,
    threshold,
    block_build: block_reasons.length > 0,
    block_reasons,
    failures,
    critical_failures,
    agreement: measureAgreement(
      judgements.map((judgement) => ({
        id: judgement.id,
        expected: judgement.expected.categories,
        findings: judgement.findings,
      })),
    ),
  };
}

/** Run every case through the rubric and judge it. */
export function replayCases(cases: readonly GoldenCase[], rubric: Rubric, threshold: number): ReplaySummary {
  return summarizeReplay(
    cases.map((golden) => judgeCase(golden, rubric.evaluate(caseInput(golden)))),
    threshold,
  );
}

/** 0.9666 -> "96.7%", 0.95 -> "95%". */
export function formatPercent(rate: number): string {
  const percent = Math.round(rate * 1000) / 10;
  return `${Number.isInteger(percent) ? percent.toFixed(0) : percent.toFixed(1)}%`;
}
