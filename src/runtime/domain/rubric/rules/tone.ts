/**
 * Tone: length (advice in the usual range, failure only at the extremes), shouting (all-capitals words, runs of "!"), pressure phrases, and exactly one
 * call to action (one clear ask; zero leaves the reader nothing to do, two dilute both).
 */
import type { CompiledRubric, PreparedDraft } from '../compile.js';
import { quoteList, wordKey, words } from '../text.js';
import { findMatches } from '../patterns.js';
import type { Hit } from './hit.js';

export function checkLength(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const { length } = rubric.config;
  const hits: Hit[] = [];
  const subject = draft.subject.trim();
  if (subject === '') {
    hits.push({ rule: 'tone.subject_missing', message: 'Empty subject line' });
  } else if (subject.length > length.subject_max_chars) {
    hits.push({
      rule: 'tone.subject_length',
      message: `Subject is ${subject.length} characters (usually at most ${length.subject_max_chars})`,
    });
  }
  const segmentMax = draft.segment ? rubric.segments.get(draft.segment)?.standard.body_max_words : undefined;
  const max = Math.min(segmentMax ?? length.body_max_words, length.body_hard_max_words);
  const count = draft.bodyWordCount;
  if (count < length.body_hard_min_words || count > length.body_hard_max_words) {
    hits.push({
      rule: 'tone.body_length_extreme',
      message: `Body is ${count} words: ${count < length.body_hard_min_words ? `under ${length.body_hard_min_words} words is too thin to send` : `over ${length.body_hard_max_words} words is too long for a cold email`}`,
    });
  } else if (count < length.body_min_words || count > max) {
    hits.push({
      rule: 'tone.body_length',
      message: `Body is ${count} words (${length.body_min_words}-${max} is usual${segmentMax ? ` for ${draft.segment}` : ''})`,
    });
  }
  return hits;
}

/** No two capitals in a row: nothing can be shouted. */
const TWO_CAPITALS = /\p{Lu}\p{Lu}/u;
const ALL_CAPS = /^[\p{Lu}\p{N}'’&]+$/u;
const LETTER = /\p{L}/gu;

export function checkShouting(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const { tone } = rubric.config;
  const shouted: string[] = [];
  for (const word of TWO_CAPITALS.test(draft.prose) ? words(draft.prose) : []) {
    if (word.length < tone.shouting_min_letters || !ALL_CAPS.test(word)) continue;
    if ((word.match(LETTER)?.length ?? 0) < tone.shouting_min_letters) continue;
    const key = wordKey(word);
    if (rubric.knownWords.has(key) || draft.sourceWords.has(key)) continue;
    if (!shouted.includes(word)) shouted.push(word);
  }
  if (shouted.length <= tone.max_shouted_words) return [];
  return [
    {
      rule: 'tone.shouting',
      message: `Shouting in capitals: ${quoteList(shouted)} (an acronym belongs in groundedness.known_terms)`,
    },
  ];
}

export function checkExclamations(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const { tone } = rubric.config;
  const longestRun = Math.max(0, ...(draft.text.match(/!+/g) ?? []).map((run) => run.length));
  const total = (draft.text.match(/!/g) ?? []).length;
  if (longestRun > tone.max_exclamation_run) {
    return [
      {
        rule: 'tone.exclamation',
        message: `"${'!'.repeat(longestRun)}": one exclamation mark at most`,
      },
    ];
  }
  if (total > tone.max_exclamations) {
    return [
      {
        rule: 'tone.exclamation',
        message: `${total} exclamation marks (max ${tone.max_exclamations})`,
      },
    ];
  }
  return [];
}

export function checkPressure(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const found = findMatches(rubric.pressure, draft.normalized);
  if (found.length === 0) return [];
  return [
    {
      rule: 'tone.pressure',
      message: `Pressure language ${quoteList(found)}: give a reason to talk, not a deadline`,
    },
  ];
}

export function checkCallToAction(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const { min, max } = rubric.config.call_to_action;
  const count = draft.callsToAction.length;
  if (count >= min && count <= max) return [];
  const message =
    count === 0
      ? 'No call to action: end with one clear ask (e.g. "Would you be open to a 20-minute call?")'
      : `${count} calls to action (${quoteList(draft.callsToAction.map(shorten))}): ask for one thing`;
  return [{ rule: 'tone.call_to_action', message }];
}

function shorten(sentence: string): string {
  return sentence.length > 60 ? `${sentence.slice(0, 57)}...` : sentence;
}
