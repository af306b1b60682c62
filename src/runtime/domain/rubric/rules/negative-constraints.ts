/**
 * Negative constraints (-> compliance): promises of outcomes ("guaranteed", "risk-free") and the
 * HoS's banned list. Either one blocks the draft.
 */
import type { CompiledRubric, PreparedDraft } from '../compile.js';
import { findPhrases, quoteList } from '../text.js';
import type { Finding } from '../types.js';

export function checkGuarantees(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const found = findPhrases(rubric.guarantees, draft.text);
  if (found.length === 0) return [];
  return [
    {
      rule: 'compliance.guarantee',
      category: 'compliance',
      severity: 'critical',
      message: `Promises an outcome: ${quoteList(found)}; describe what the product does, never guarantee a result`,
    },
  ];
}

export function checkBannedPhrases(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const found = findPhrases(rubric.banned, draft.text);
  if (found.length === 0) return [];
  return [
    {
      rule: 'compliance.banned_phrase',
      category: 'compliance',
      severity: 'critical',
      message: `Banned phrase${found.length > 1 ? 's' : ''} ${quoteList(found)} (rubric.json negative_constraints.banned_phrases)`,
    },
  ];
}
