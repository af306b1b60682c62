/**
 * The rubric: a fixed list of rules run in a fixed order over a prepared draft. Pure and
 * deterministic: the same input and configuration always give the same result, byte for byte.
 */
import { compileRubric, prepareDraft, type CompiledRubric, type PreparedDraft } from './compile.js';
import type { RubricConfig } from './config.js';
import { checkClaims, checkNames, checkNumbers } from './rules/groundedness.js';
import { checkBannedPhrases, checkGuarantees } from './rules/negative-constraints.js';
import {
  checkCompany,
  checkFirstName,
  checkGreeting,
  checkSpecific,
  checkTokens,
} from './rules/personalization.js';
import type { Hit } from './rules/hit.js';
import { checkSegment } from './rules/targeting.js';
import {
  checkCallToAction,
  checkExclamations,
  checkLength,
  checkPressure,
  checkShouting,
} from './rules/tone.js';
import { CATEGORIES, type Category, type Finding, type RubricInput, type RubricResult } from './types.js';

export type Rule = (draft: PreparedDraft, rubric: CompiledRubric) => Hit[];

/** Every rule, in the order findings are reported. */
export const RULES: readonly Rule[] = [
  checkNumbers,
  checkNames,
  checkClaims,
  checkGuarantees,
  checkBannedPhrases,
  checkTokens,
  checkGreeting,
  checkSpecific,
  checkFirstName,
  checkCompany,
  checkLength,
  checkShouting,
  checkExclamations,
  checkPressure,
  checkCallToAction,
  checkSegment,
];

/** Critical and major findings fail the draft; `advice` (and the legacy `minor`) never does. */
export function isBlocking(finding: Pick<Finding, 'severity'>): boolean {
  return finding.severity === 'critical' || finding.severity === 'major';
}

/** A rule's hit as a finding, with the category and severity of its catalog entry and rubric.json. */
export function toFindings(hits: readonly Hit[], rubric: CompiledRubric): Finding[] {
  const findings: Finding[] = [];
  for (const hit of hits) {
    const entry = rubric.effects.get(hit.rule);
    if (!entry || entry.effect === 'off') continue;
    const severity = entry.effect === 'advise' ? 'advice' : entry.definition.critical ? 'critical' : 'major';
    findings.push({ rule: hit.rule, category: entry.definition.category, severity, message: hit.message });
  }
  return findings;
}

export function verdictOf(findings: readonly Finding[]): RubricResult {
  const blocking = new Set<Category>(findings.filter(isBlocking).map((finding) => finding.category));
  const categories = CATEGORIES.filter((category) => blocking.has(category));
  return { verdict: categories.length > 0 ? 'fail' : 'pass', categories, findings: [...findings] };
}

export interface Rubric {
  config: RubricConfig;
  evaluate(input: RubricInput): RubricResult;
}

/** Compile once, evaluate many (the replay gate and the queue's bulk import use this). */
export function createRubric(config: RubricConfig): Rubric {
  const compiled = compileRubric(config);
  return {
    config,
    evaluate(input) {
      const draft = prepareDraft(input, compiled);
      return verdictOf(
        toFindings(
          RULES.flatMap((rule) => rule(draft, compiled)),
          compiled,
        ),
      );
    },
  };
}

/** Score one draft (compiles the configuration on every call; use `createRubric` in loops). */
export function evaluateDraft(input: RubricInput, rubric: RubricConfig): RubricResult {
  return createRubric(rubric).evaluate(input);
}
