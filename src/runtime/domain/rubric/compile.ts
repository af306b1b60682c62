/**
 * A rubric compiled once from its configuration (every phrase list becomes one regular expression),
 * and a draft prepared once for all rules (sentences, calls to action, what the sources support).
 */
import type { RubricConfig, SegmentStandard } from './config.js';
import { numberMentions, type NumberMention } from './numbers.js';
import { normalize, phraseMatcher, sentences, stripLinks, wordKey, words, hasPhrase } from './text.js';
import type { RubricInput } from './types.js';

export interface CompiledSegment {
  key: string;
  standard: SegmentStandard;
  personas: RegExp | undefined;
  avoid: RegExp | undefined;
}

export interface CompiledRubric {
  config: RubricConfig;
  pressure: RegExp | undefined;
  guarantees: RegExp | undefined;
  banned: RegExp | undefined;
  greetings: RegExp | undefined;
  callToAction: RegExp | undefined;
  askNouns: RegExp | undefined;
  claims: RegExp | undefined;
  tokens: RegExp[];
  /** Word keys of the sender's own names and generic business vocabulary. */
  knownWords: ReadonlySet<string>;
  ignoreWords: ReadonlySet<string>;
  timeUnits: ReadonlySet<string>;
  companySuffixes: ReadonlySet<string>;
  segments: ReadonlyMap<string, CompiledSegment>;
}

export function compileRubric(config: RubricConfig): CompiledRubric {
  const keys = (list: readonly string[]) => new Set(list.flatMap((term) => words(term).map(wordKey)));
  return {
    config,
    pressure: phraseMatcher(config.tone.pressure_phrases),
    guarantees: phraseMatcher(config.negative_constraints.guarantee_phrases),
    banned: phraseMatcher(config.negative_constraints.banned_phrases),
    greetings: phraseMatcher(config.personalization.generic_greetings),
    callToAction: phraseMatcher(config.call_to_action.phrases),
    askNouns: phraseMatcher(config.call_to_action.ask_nouns),
    claims: phraseMatcher(config.groundedness.claim_phrases),
    tokens: config.personalization.token_patterns.map((source) => new RegExp(source, 'g')),
    knownWords: keys(config.groundedness.known_terms),
    ignoreWords: keys(config.groundedness.ignore_words),
    timeUnits: new Set(config.groundedness.cta_time_units.map((unit) => unit.toLowerCase())),
    companySuffixes: new Set(config.personalization.company_suffixes.map(wordKey)),
    segments: new Map(
      Object.entries(config.segments).map(([key, standard]) => [
        key,
        {
          key,
          standard,
          personas: phraseMatcher(standard.personas),
          avoid: phraseMatcher(standard.avoid_phrases),
        },
      ]),
    ),
  };
}

export interface PreparedDraft {
  input: RubricInput;
  subject: string;
  body: string;
  /** Subject and body, for rules that read both. */
  text: string;
  /** `text` without its unresolved template tokens (they are reported once, by their own rule). */
  prose: string;
  /** The body's word keys, space-separated and space-padded, for whole-word lookups. */
  bodyKeys: string;
  /** The same for subject and body. */
  textKeys: string;
  /** Sentences of the subject and the body, links and addresses removed (for names and numbers). */
  plainSentences: { text: string; callToAction: boolean }[];
  /** Sentences of the body that ask for something. */
  callsToAction: string[];
  /** Everything the lead record and the context refs say, normalised. */
  sourceText: string;
  sourceWords: ReadonlySet<string>;
  sourceNumbers: NumberMention[];
  /** The segment the draft is judged against: `input.segment`, else `lead.segment`. */
  segment: string | undefined;
}

export function prepareDraft(input: RubricInput, rubric: CompiledRubric): PreparedDraft {
  const subject = input.draft.subject;
  const body = input.draft.body;
  const { lead } = input;
  const sources = [
    lead.email,
    lead.first_name,
    lead.last_name,
    lead.company,
    lead.title,
    lead.segment,
    lead.tier,
    ...input.context.map((ref) => ref.text),
  ].filter((value): value is string => typeof value === 'string' && value !== '');
  const sourceRaw = sources.join('\n');

  const withoutTokens = (value: string) =>
    rubric.tokens.reduce((out, pattern) => out.replace(pattern, ' '), value);
  const asks = new Map<string, boolean>();
  const isAsk = (sentence: string) => {
    let ask = asks.get(sentence);
    if (ask === undefined) {
      ask =
        hasPhrase(rubric.callToAction, sentence) ||
        (sentence.endsWith('?') && hasPhrase(rubric.askNouns, sentence));
      asks.set(sentence, ask);
    }
    return ask;
  };
  const callsToAction = sentences(body).filter(isAsk);
  const proseSubject = withoutTokens(subject);
  const proseBody = withoutTokens(body);
  const plainSentences = [...sentences(proseSubject), ...sentences(proseBody)].map((sentence) => ({
    text: stripLinks(sentence),
    callToAction: isAsk(sentence),
  }));
  const bodyKeys = words(body).map(wordKey).join(' ');

  return {
    input,
    subject,
    body,
    text: `${subject}\n${body}`,
    prose: `${proseSubject}\n${proseBody}`,
    bodyKeys: ` ${bodyKeys} `,
    textKeys: ` ${words(subject).map(wordKey).join(' ')} ${bodyKeys} `,
    plainSentences,
    callsToAction,
    sourceText: normalize(sourceRaw),
    sourceWords: new Set(words(sourceRaw).map(wordKey)),
    sourceNumbers: numberMentions(sourceRaw, rubric.timeUnits),
    segment: nonEmpty(input.segment) ?? nonEmpty(lead.segment),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
