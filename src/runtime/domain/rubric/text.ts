/**
 * Small, deterministic text helpers shared by the rubric rules: sentences, words, phrase matching.
 * Everything here is pure; regular expressions are built once per compiled rubric, never per call.
 */

const URL_OR_EMAIL =
  /\b(?:https?:\/\/|www\.)\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\b[\w-]+(?:\.[\w-]+)*\.(?:com|io|ai|co|net|org|app)\/\S*/gi;

/** Replace links and email addresses with a space: they are neither names nor numbers to ground. */
export function stripLinks(text: string): string {
  return text.replace(URL_OR_EMAIL, ' ');
}

/** Lowercase, straight apostrophes, single spaces. */
export function normalize(text: string): string {
  return text.toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ').trim();
}

/** Sentences of a text: each line, split after . ! ? followed by whitespace. */
export function sentences(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    for (const part of line.split(/(?<=[.!?])\s+(?=\S)/)) {
      const trimmed = part.trim();
      if (trimmed !== '') out.push(trimmed);
    }
  }
  return out;
}

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’&]*/gu;
// The same for text without letters beyond ASCII (most drafts): a plain character class is faster.
const ASCII_WORD = /[A-Za-z0-9][A-Za-z0-9'’&]*/g;
const NON_ASCII_LETTER = /[^ -~\s’]/;

/** Words of a text (hyphens and punctuation split words; apostrophes do not). */
export function words(text: string): string[] {
  return text.match(NON_ASCII_LETTER.test(text) ? WORD : ASCII_WORD) ?? [];
}

/** A word as it is compared: lowercase, straight apostrophe, no possessive `'s`. */
export function wordKey(word: string): string {
  if (!word.includes("'") && !word.includes('’')) return word.toLowerCase();
  return word.toLowerCase().replace(/[’‘]/g, "'").replace(/'s$/, '').replace(/'$/, '');
}

export function countWords(text: string): number {
  return words(text).length;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One case-insensitive regular expression matching any of the phrases as whole words (a phrase
 * never matches inside a longer word: "no risk" does not match "no risky"). Curly apostrophes in
 * the text match straight ones in the phrase. `undefined` when the list is empty.
 */
export function phraseMatcher(phrases: readonly string[]): RegExp | undefined {
  const alternatives = [...new Set(phrases.map((p) => normalize(p)).filter(Boolean))]
    .sort((a, b) => b.length - a.length)
    .map((p) => escapeRegExp(p).replace(/'/g, "['’]").replace(/ /g, '\\s+'));
  if (alternatives.length === 0) return undefined;
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
}

/** Every distinct phrase of `matcher` found in `text`, lowercased, in order of first appearance. */
export function findPhrases(matcher: RegExp | undefined, text: string): string[] {
  if (!matcher) return [];
  const found: string[] = [];
  for (const match of text.matchAll(matcher)) {
    const phrase = normalize(match[0]);
    if (!found.includes(phrase)) found.push(phrase);
  }
  return found;
}

export function hasPhrase(matcher: RegExp | undefined, text: string): boolean {
  if (!matcher) return false;
  matcher.lastIndex = 0;
  const found = matcher.test(text);
  matcher.lastIndex = 0;
  return found;
}

/** Space-padded word keys (see `PreparedDraft.textKeys`) contain `phrase` as whole words. */
export function containsWords(keys: string, phrase: string): boolean {
  const needle = words(phrase).map(wordKey).join(' ');
  return needle !== '' && keys.includes(` ${needle} `);
}

export function quoteList(items: readonly string[]): string {
  return items.map((item) => `"${item}"`).join(', ');
}
