/**
 * A rubric compiled once from its configuration (every phrase list becomes one regular expression),
 * and a draft prepared once for all rules (sentences, calls to action, the signature, what the
 * sources support).
 */
import type { RubricConfig, SegmentStandard } from './config.js';
import { numberMentions, type NumberMention } from './numbers.js';
import { compilePatterns, createNormalizer, type Normalizer, type PatternSet } from './patterns.js';
import { RULE_CATALOG, type RuleDefinition, type RuleEffect } from './rules/catalog.js';
import { splitSignature } from './signature.js';
import { leadFacts, type LeadFacts } from './lead-facts.js';
import { phraseMatcher, sentences, stripLinks, wordKey, words, hasPhrase } from './text.js';
import type { RubricInput } from './types.js';

export interface CompiledSegment {
  key: string;
  standard: SegmentStandard;
  /** Titles of the segment's persona families and its own personas (normalised-text matcher). */
  personas: PatternSet | undefined;
  avoid: PatternSet | undefined;
}

export interface CompiledRubric {
  config: RubricConfig;
  normalizer: Normalizer;
  /** Each rule's effect after rubric.json `rules`, by rule id. */
  effects: ReadonlyMap<string, { definition: RuleDefinition; effect: RuleEffect }>;
  // Pattern families, matched on normalised text.
  pressure: PatternSet | undefined;
  guarantees: PatternSet | undefined;
  banned: PatternSet | undefined;
  claims: PatternSet | undefined;
  nonBuyers: PatternSet | undefined;
  // Literal phrase lists, matched on the text as written.
  greetings: RegExp | undefined;
  callToAction: RegExp | undefined;
  askNouns: RegExp | undefined;
  signOffs: ReadonlySet<string>;
  tokens: RegExp[];
  /** When every token pattern opens with "{", "[", "<" or "%": a text without them has no token. */
  tokenPrefilter: RegExp | undefined;
  /** Word keys of the sender's own names and generic business vocabulary. */
  knownWords: ReadonlySet<string>;
  ignoreWords: ReadonlySet<string>;
  timeUnits: ReadonlySet<string>;
  companySuffixes: ReadonlySet<string>;
  senderRefPrefixes: readonly string[];
  segments: ReadonlyMap<string, CompiledSegment>;
}

export function compileRubric(config: RubricConfig): CompiledRubric {
  const keys = (list: readonly string[]) => new Set(list.flatMap((term) => words(term).map(wordKey)));
  const normalizer = createNormalizer(config.spelling_variants);
  const patterns = (list: readonly string[]) => compilePatterns(list, normalizer);
  return {
    config,
    normalizer,
    effects: new Map(
      RULE_CATALOG.map((definition) => [
        definition.id,
        {
          definition,
          effect: definition.locked ? definition.effect : (config.rules[definition.id] ?? definition.effect),
        },
      ]),
    ),
    pressure: patterns(config.tone.pressure_phrases),
    guarantees: patterns(config.negative_constraints.guarantee_phrases),
    banned: patterns(config.negative_constraints.banned_phrases),
    claims: patterns(config.groundedness.claim_phrases),
    nonBuyers: patterns(config.non_buyer_titles),
    greetings: phraseMatcher(config.personalization.generic_greetings),
    callToAction: phraseMatcher(config.call_to_action.phrases),
    askNouns: phraseMatcher(config.call_to_action.ask_nouns),
    signOffs: new Set(config.groundedness.sign_offs.map((phrase) => normalizer.text(phrase))),
    tokens: config.personalization.token_patterns.map((source) => new RegExp(source, 'g')),
    tokenPrefilter: config.personalization.token_patterns.every((source) => /^(?:\\[{[]|[<%])/.test(source))
      ? MAY_HAVE_TOKEN
      : undefined,
    knownWords: keys(config.groundedness.known_terms),
    ignoreWords: keys(config.groundedness.ignore_words),
    timeUnits: new Set(config.groundedness.cta_time_units.map((unit) => unit.toLowerCase())),
    companySuffixes: new Set(config.personalization.company_suffixes.map(wordKey)),
    senderRefPrefixes: config.personalization.sender_ref_prefixes.map((prefix) => prefix.toLowerCase()),
    segments: new Map(
      Object.entries(config.segments).map(([key, standard]) => [
        key,
        {
          key,
          standard,
          personas: patterns([
            ...standard.persona_families.flatMap((family) => config.persona_families[family]?.titles ?? []),
            ...standard.personas,
          ]),
          avoid: patterns(standard.avoid_phrases),
        },
      ]),
    ),
  };
}

export interface PreparedSentence {
  text: string;
  callToAction: boolean;
}

export interface PreparedDraft {
  input: RubricInput;
  subject: string;
  body: string;
  /** The body without its signature block (the sender's name and role are not claims). */
  content: string;
  /** Subject and body, for rules that read both. */
  text: string;
  /** Subject and body content (no signature), normalised for pattern families. */
  normalized: string;
  /** `text` without its unresolved template tokens (they are reported once, by their own rule). */
  prose: string;
  /** The body's word keys, space-separated and space-padded, for whole-word lookups. */
  bodyKeys: string;
  /** The same for subject and body. */
  textKeys: string;
  /** Sentences of the subject and the body content, links and addresses removed (for names and numbers). */
  plainSentences: PreparedSentence[];
  /** Sentences of the body that ask for something. */
  callsToAction: string[];
  /** Everything the lead record and the context refs say, normalised for pattern families (computed on first use). */
  readonly sourceNormalized: string;
  /** Word keys and numbers of the lead record and context refs (computed on first use). */
  readonly sourceWords: ReadonlySet<string>;
  readonly sourceNumbers: NumberMention[];
  /** What the context refs about the lead (not the sender) say, for personalisation (computed on first use). */
  readonly facts: LeadFacts;
  /** Number of words of the body. */
  bodyWordCount: number;
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
  const { content } = splitSignature(body, rubric.signOffs, rubric.normalizer);

  const withoutTokens = (value: string) =>
    rubric.tokenPrefilter && !rubric.tokenPrefilter.test(value)
      ? value
      : rubric.tokens.reduce((out, pattern) => out.replace(pattern, ' '), value);
  const asks = new Map<string, boolean>();
  const isAsk = (sentence: string) => {
    let ask = asks.get(sentence);
    if (ask === undefined) {
      ask =
        hasPhrase(rubric.callToAction, sentence) ||
        (sentence.endsWith('?') && (hasPhrase(rubric.askNouns, sentence) || proposesTime(sentence, rubric)));
      asks.set(sentence, ask);
    }
    return ask;
  };
  const callsToAction = sentences(content).filter(isAsk);
  const proseSubject = withoutTokens(subject);
  const proseContent = withoutTokens(content);
  const plainSentences = [...sentences(proseSubject), ...sentences(proseContent)].map((sentence) => ({
    text: MAY_HAVE_LINK.test(sentence) ? stripLinks(sentence) : sentence,
    callToAction: isAsk(sentence),
  }));
  const bodyWords = words(body);
  const bodyKeys = bodyWords.map(wordKey).join(' ');
  let sourceNumbers: NumberMention[] | undefined;
  let sourceWords: ReadonlySet<string> | undefined;
  let sourceNormalized: string | undefined;
  let facts: LeadFacts | undefined;

  return {
    input,
    subject,
    body,
    content,
    text: `${subject}\n${body}`,
    normalized: rubric.normalizer.text(`${subject}\n${content}`),
    prose: `${proseSubject}\n${withoutTokens(body)}`,
    bodyKeys: ` ${bodyKeys} `,
    textKeys: ` ${words(subject).map(wordKey).join(' ')} ${bodyKeys} `,
    plainSentences,
    callsToAction,
    get sourceNormalized() {
      sourceNormalized ??= rubric.normalizer.text(sourceRaw);
      return sourceNormalized;
    },
    get sourceWords() {
      sourceWords ??= new Set(words(sourceRaw).map(wordKey));
      return sourceWords;
    },
    get sourceNumbers() {
      sourceNumbers ??= numberMentions(sourceRaw, rubric.timeUnits);
      return sourceNumbers;
    },
    get facts() {
      facts ??= leadFacts(input, rubric);
      return facts;
    },
    bodyWordCount: bodyWords.length,
    segment: nonEmpty(input.segment) ?? nonEmpty(lead.segment),
  };
}

/** A cheap test before the token patterns: every default token opens with one of these. */
const MAY_HAVE_TOKEN = /[{[<%]/;

/** A cheap test before the link regex: an address or a domain-like word. */
const MAY_HAVE_LINK = /[@/]|www\.|\.[a-z]{2,}/i;

const SCHEDULING =
  /\b(?:next|this|coming)\s+(?:week|month)\b|\btomorrow\b|\b(?:mon|tues|wednes|thurs|fri)day\b/i;

/** A question that names a time for the prospect ("Worth a 30-minute look next week?") is an ask. */
function proposesTime(sentence: string, rubric: CompiledRubric): boolean {
  return (
    SCHEDULING.test(sentence) || numberMentions(sentence, rubric.timeUnits).some((m) => m.kind === 'time')
  );
}

/** A question or statement names the day or week of the proposed call ("next week", "on Tuesday"). */
export function mentionsScheduling(sentence: string): boolean {
  return SCHEDULING.test(sentence);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
