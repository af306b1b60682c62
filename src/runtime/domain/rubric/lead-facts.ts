/**
 * What the context refs say about this lead (not about the sender's product), reduced to pairs of
 * content words and numbers, so personalisation can tell whether a draft uses a specific fact
 * ("your second showroom", "a 4-person team") rather than generic copy.
 */
import type { CompiledRubric } from './compile.js';
import { numberMentions, type NumberMention } from './numbers.js';
import type { RubricInput } from './types.js';

export interface LeadFacts {
  /** "word word" pairs of consecutive content words, at least one of them not generic. */
  pairs: ReadonlySet<string>;
  numbers: NumberMention[];
  /** The lead has context refs about itself. */
  present: boolean;
}

const STOPWORDS = new Set(
  `a about above after again all also am an and any are as at be been before being below between both but by can
  could did do does doing down during each few for from further had has have having he her here hers him his how i
  if in into is it its itself just me more most my no nor not now of off on once only or other our ours out over own
  same she should so some such than that the their theirs them then there these they this those through to too under
  until up very was we were what when where which while who whom why will with would you your yours yourself week
  weeks month months year years day days today yesterday recently just still now new via per one two three`.split(
    /\s+/,
  ),
);

/** Words every sales email uses: a pair made only of these is not a fact about the lead. */
const GENERIC = new Set(
  `sale sales team teams call calls rep reps manager managers coaching coach company business customer customers
  deal deals pipeline revenue quota product page visit visited visitor looking look hiring hire growth grow`.split(
    /\s+/,
  ),
);

function contentWords(text: string, rubric: CompiledRubric): string[] {
  return rubric.normalizer
    .text(text)
    .split(' ')
    .filter((word) => word !== '' && !STOPWORDS.has(word) && !/^[%$#&€£]$/.test(word))
    .map((word) =>
      word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word,
    );
}

/** Consecutive content-word pairs of a text, at least one word of each pair not generic. */
export function factPairs(text: string, rubric: CompiledRubric): Set<string> {
  const found = new Set<string>();
  const list = contentWords(text, rubric);
  for (let index = 1; index < list.length; index += 1) {
    const left = list[index - 1] as string;
    const right = list[index] as string;
    if (GENERIC.has(left) && GENERIC.has(right)) continue;
    found.add(`${left} ${right}`);
  }
  return found;
}

export function leadFacts(input: RubricInput, rubric: CompiledRubric): LeadFacts {
  const refs = input.context.filter(
    (ref) => !rubric.senderRefPrefixes.some((prefix) => ref.ref.toLowerCase().startsWith(prefix)),
  );
  const text = refs.map((ref) => ref.text).join('\n');
  return {
    pairs: factPairs(text, rubric),
    numbers: numberMentions(text, rubric.timeUnits),
    present: refs.length > 0,
  };
}
