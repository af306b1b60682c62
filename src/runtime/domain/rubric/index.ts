/**
 * The deterministic HoS rubric (SPEC 9). Pure: no I/O. The queue scores every draft on entry with
 * `evaluateDraft`; the replay gate checks the rubric against the golden set.
 */
export { CATEGORIES, SEVERITIES } from './types.js';
export type {
  Category,
  ContextRef,
  Finding,
  RubricInput,
  RubricLead,
  RubricResult,
  Severity,
} from './types.js';
export { DEFAULT_RUBRIC_CONFIG, parseRubricConfig, rubricConfigSchema } from './config.js';
export type { RubricConfig, RubricConfigIssue, SegmentStandard } from './config.js';
export { createRubric, evaluateDraft, isBlocking, RULES, toFindings, verdictOf } from './evaluate.js';
export type { Rubric } from './evaluate.js';
export { caseInput, goldenCaseSchema } from './golden-case.js';
export type { GoldenCase } from './golden-case.js';
export { CRITICAL_CATEGORIES, formatPercent, judgeCase, replayCases, summarizeReplay } from './replay.js';
export type { CaseJudgement, CriticalFailure, Outcome, ReplayFailure, ReplaySummary } from './replay.js';
export { RULE_CATALOG, RULE_EFFECTS, RULE_IDS, ruleDefinition } from './rules/catalog.js';
export type { RuleDefinition, RuleEffect } from './rules/catalog.js';
export { measureAgreement } from './agreement.js';
export type { Agreement, CategoryAgreement, Judged, RuleAgreement } from './agreement.js';
export { calibrate, decisionOf } from './calibrate.js';
export type {
  CalibrationReport,
  Decision,
  DraftDisagreement,
  QueueDecisionRecord,
  RuleCalibration,
} from './calibrate.js';
