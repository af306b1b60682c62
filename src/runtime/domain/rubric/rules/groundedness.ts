/**
 * Groundedness (-> accuracy): every number, named company, product or place, and every marketing
 * claim in the draft must be supported by the lead record or a context ref. A duration or clock time
 * inside the call to action ("a 20-minute call", "Tuesday at 2pm") is an ask, not a claim.
 */
import type { CompiledRubric, PreparedDraft } from '../compile.js';
import { isSupported, numberMentions } from '../numbers.js';
import { findPhrases, quoteList, wordKey, words } from '../text.js';
import type { Finding } from '../types.js';

export function checkNumbers(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const unsupported: string[] = [];
  for (const sentence of draft.plainSentences) {
    for (const mention of numberMentions(sentence.text, rubric.timeUnits)) {
      if (mention.kind === 'time' && sentence.callToAction) continue;
      if (isSupported(mention, draft.sourceNumbers)) continue;
      if (!unsupported.includes(mention.text)) unsupported.push(mention.text);
    }
  }
  if (unsupported.length === 0) return [];
  return [
    {
      rule: 'groundedness.number',
      category: 'accuracy',
      severity: 'critical',
      message: `Unsupported number${unsupported.length > 1 ? 's' : ''} ${quoteList(unsupported)}: not in the lead record or any context ref`,
    },
  ];
}

const UPPER_FIRST = /^\p{Lu}/u;
const INNER_UPPER = /^.+\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const DIGIT = /\p{N}/u;

/**
 * Capitalised words are names. The first word of a sentence is capitalised anyway, so it counts only
 * when it looks like a name on its own (inner capital or digit: "HubSpot", "G2"). All-capitals words
 * are left to the shouting rule; single letters are ignored.
 */
export function checkNames(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const unsupported: string[] = [];
  for (const sentence of draft.plainSentences) {
    let run: string[] = [];
    const flush = () => {
      const name = run.join(' ');
      if (name !== '' && !unsupported.includes(name)) unsupported.push(name);
      run = [];
    };
    words(sentence.text).forEach((word, index) => {
      const distinctive = (INNER_UPPER.test(word) && LOWER.test(word)) || DIGIT.test(word);
      const isName =
        UPPER_FIRST.test(word) && LOWER.test(word) && word.length > 1 && (index > 0 || distinctive);
      const key = wordKey(word);
      if (
        !isName ||
        rubric.ignoreWords.has(key) ||
        rubric.ignoreWords.has(key.split("'")[0] ?? key) ||
        rubric.knownWords.has(key) ||
        draft.sourceWords.has(key)
      ) {
        flush();
        return;
      }
      run.push(word);
    });
    flush();
  }
  if (unsupported.length === 0) return [];
  return [
    {
      rule: 'groundedness.name',
      category: 'accuracy',
      severity: 'critical',
      message: `Unsupported name${unsupported.length > 1 ? 's' : ''} ${quoteList(unsupported)}: not in the lead record or any context ref`,
    },
  ];
}

export function checkClaims(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const unsupported = findPhrases(rubric.claims, draft.text).filter(
    (phrase) => !draft.sourceText.includes(phrase),
  );
  if (unsupported.length === 0) return [];
  return [
    {
      rule: 'groundedness.claim',
      category: 'accuracy',
      severity: 'critical',
      message: `Unsupported claim${unsupported.length > 1 ? 's' : ''} ${quoteList(unsupported)}: no context ref backs it`,
    },
  ];
}
