/**
 * Tone: length bounds, shouting (all-capitals words, runs of "!"), pressure phrases, and exactly one
 * call to action (one clear ask; zero leaves the reader nothing to do, two dilute both).
 */
import type { CompiledRubric, PreparedDraft } from '../compile.js';
import { countWords, findPhrases, quoteList, wordKey, words } from '../text.js';
import type { Finding } from '../types.js';

export function checkLength(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const { length } = rubric.config;
  const findings: Finding[] = [];
  const subject = draft.subject.trim();
  if (subject === '') {
    findings.push({
      rule: 'tone.subject_length',
      category: 'tone',
      severity: 'major',
      message: 'Empty subject line',
    });
  } else if (subject.length > length.subject_max_chars) {
    findings.push({
      rule: 'tone.subject_length',
      category: 'tone',
      severity: 'major',
      message: `Subject is ${subject.length} characters (max ${length.subject_max_chars})`,
    });
  }
  const segmentMax = draft.segment ? rubric.segments.get(draft.segment)?.standard.body_max_words : undefined;
  const max = segmentMax ?? length.body_max_words;
  const count = countWords(draft.body);
  if (count < length.body_min_words || count > max) {
    findings.push({
      rule: 'tone.body_length',
      category: 'tone',
      severity: 'major',
      message: `Body is ${count} words (expected ${length.body_min_words}-${max}${segmentMax ? ` for ${draft.segment}` : ''})`,
    });
  }
  return findings;
}

const ALL_CAPS = /^[\p{Lu}\p{N}'’&]+$/u;
const LETTER = /\p{L}/gu;

export function checkShouting(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const { tone } = rubric.config;
  const shouted: string[] = [];
  for (const word of words(draft.prose)) {
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
      category: 'tone',
      severity: 'major',
      message: `Shouting in capitals: ${quoteList(shouted)} (an acronym belongs in groundedness.known_terms)`,
    },
  ];
}

export function checkExclamations(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const { tone } = rubric.config;
  const longestRun = Math.max(0, ...(draft.text.match(/!+/g) ?? []).map((run) => run.length));
  const total = (draft.text.match(/!/g) ?? []).length;
  if (longestRun > tone.max_exclamation_run) {
    return [
      {
        rule: 'tone.exclamation',
        category: 'tone',
        severity: 'major',
        message: `"${'!'.repeat(longestRun)}": one exclamation mark at most`,
      },
    ];
  }
  if (total > tone.max_exclamations) {
    return [
      {
        rule: 'tone.exclamation',
        category: 'tone',
        severity: 'major',
        message: `${total} exclamation marks (max ${tone.max_exclamations})`,
      },
    ];
  }
  return [];
}

export function checkPressure(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const found = findPhrases(rubric.pressure, draft.text);
  if (found.length === 0) return [];
  return [
    {
      rule: 'tone.pressure',
      category: 'tone',
      severity: 'major',
      message: `Pressure language ${quoteList(found)}: give a reason to talk, not a deadline`,
    },
  ];
}

export function checkCallToAction(draft: PreparedDraft, rubric: CompiledRubric): Finding[] {
  const { min, max } = rubric.config.call_to_action;
  const count = draft.callsToAction.length;
  if (count >= min && count <= max) return [];
  const message =
    count === 0
      ? 'No call to action: end with one clear ask (e.g. "Would you be open to a 20-minute call?")'
      : `${count} calls to action (${quoteList(draft.callsToAction.map(shorten))}): ask for one thing`;
  return [{ rule: 'tone.call_to_action', category: 'tone', severity: 'major', message }];
}

function shorten(sentence: string): string {
  return sentence.length > 60 ? `${sentence.slice(0, 57)}...` : sentence;
}
