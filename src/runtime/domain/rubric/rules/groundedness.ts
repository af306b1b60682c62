/**
 * Groundedness (-> accuracy): every claim in the draft must be supported by the lead record or a
 * context ref: money, percentages, counts and multipliers, names of customers, companies, products
 * and places, marketing claims. Logistics are not claims: the length, day, date or time of the
 * proposed call ("a 15-minute call", "Tuesday at 2pm", "the 14th"), and the sender's signature.
 */
import {
  mentionsScheduling,
  type CompiledRubric,
  type PreparedDraft,
  type PreparedSentence,
} from '../compile.js';
import { isSupported, numberMentions, type NumberMention } from '../numbers.js';
import { findMatches } from '../patterns.js';
import { hasPhrase, quoteList, wordKey, words } from '../text.js';
import type { Hit } from './hit.js';

/** A duration, clock time or date about the proposed call, not a claim. */
function isLogistics(mention: NumberMention, sentence: PreparedSentence, rubric: CompiledRubric): boolean {
  if (mention.kind !== 'time') return false;
  if (sentence.callToAction || mentionsScheduling(sentence.text)) return true;
  // "a 20-minute intro call": the duration names the meeting it measures.
  const after = sentence.text.slice(
    mention.index + mention.text.length,
    mention.index + mention.text.length + 40,
  );
  return hasPhrase(rubric.askNouns, words(after).slice(0, 2).join(' '));
}

export function checkNumbers(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const unsupported: string[] = [];
  for (const sentence of draft.plainSentences) {
    for (const mention of numberMentions(sentence.text, rubric.timeUnits)) {
      if (isLogistics(mention, sentence, rubric)) continue;
      if (isSupported(mention, draft.sourceNumbers)) continue;
      if (!unsupported.includes(mention.text)) unsupported.push(mention.text);
    }
  }
  if (unsupported.length === 0) return [];
  return [
    {
      rule: 'groundedness.number',
      message: `Unsupported number${unsupported.length > 1 ? 's' : ''} ${quoteList(unsupported)}: not in the lead record or any context ref`,
    },
  ];
}

const UPPER_FIRST = /^\p{Lu}/u;
const HAS_UPPER = /\p{Lu}/u;
const INNER_UPPER = /^.+\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const DIGIT = /\p{N}/u;

/**
 * Capitalised words are names. The first word of a sentence is capitalised anyway, so it counts only
 * when it looks like a name on its own (inner capital or digit: "HubSpot", "G2"). All-capitals words
 * are left to the shouting rule; single letters are ignored; the signature is not read.
 */
export function checkNames(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const unsupported: string[] = [];
  for (const sentence of draft.plainSentences) {
    let run: string[] = [];
    const flush = () => {
      const name = run.join(' ');
      if (name !== '' && !unsupported.includes(name)) unsupported.push(name);
      run = [];
    };
    if (!HAS_UPPER.test(sentence.text)) continue;
    words(sentence.text).forEach((word, index) => {
      if (!UPPER_FIRST.test(word) || word.length < 2) {
        flush();
        return;
      }
      const distinctive = (INNER_UPPER.test(word) && LOWER.test(word)) || DIGIT.test(word);
      const isName = LOWER.test(word) && (index > 0 || distinctive);
      const key = wordKey(word);
      const singular = key.length > 3 && key.endsWith('s') ? key.slice(0, -1) : key;
      if (
        !isName ||
        rubric.ignoreWords.has(key) ||
        rubric.ignoreWords.has(key.split("'")[0] ?? key) ||
        rubric.knownWords.has(key) ||
        rubric.knownWords.has(singular) ||
        draft.sourceWords.has(key) ||
        draft.sourceWords.has(singular)
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
      message: `Unsupported name${unsupported.length > 1 ? 's' : ''} ${quoteList(unsupported)}: not in the lead record or any context ref`,
    },
  ];
}

export function checkClaims(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const unsupported = findMatches(rubric.claims, draft.normalized).filter(
    (phrase) => !draft.sourceNormalized.includes(phrase),
  );
  if (unsupported.length === 0) return [];
  return [
    {
      rule: 'groundedness.claim',
      message: `Unsupported claim${unsupported.length > 1 ? 's' : ''} ${quoteList(unsupported)}: no context ref backs it`,
    },
  ];
}
