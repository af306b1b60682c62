/**
 * Negative constraints (-> compliance): promises of outcomes and the HoS's banned claims, matched as
 * families of wording (spelling variants, hyphens, word order, synonyms: see patterns.ts), not one
 * exact string each. Either one fails the draft; the rules are locked.
 */
import type { CompiledRubric, PreparedDraft } from '../compile.js';
import { findMatches } from '../patterns.js';
import { quoteList } from '../text.js';
import type { Hit } from './hit.js';

export function checkGuarantees(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const found = findMatches(rubric.guarantees, draft.normalized);
  if (found.length === 0) return [];
  return [
    {
      rule: 'compliance.guarantee',
      message: `Promises an outcome: ${quoteList(found)}; describe what the product does, never guarantee a result`,
    },
  ];
}

export function checkBannedPhrases(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const found = findMatches(rubric.banned, draft.normalized);
  if (found.length === 0) return [];
  return [
    {
      rule: 'compliance.banned_phrase',
      message: `Banned phrase${found.length > 1 ? 's' : ''} ${quoteList(found)} (rubric.json negative_constraints.banned_phrases)`,
    },
  ];
}
