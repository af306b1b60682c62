/**
 * Pattern families: how the rubric matches an idea rather than one exact string. Text and patterns
 * are normalised the same way (lowercase, straight apostrophes, contractions expanded, dashes and
 * punctuation as spaces, British spellings folded onto American ones), then each pattern becomes one
 * regular expression over the normalised words. The pattern language (documented in rubric.json):
 *
 * - words separated by spaces; between two words a space, a hyphen or nothing all match
 *   ("risk free" matches "risk-free", "risk free" and "riskfree");
 * - `a|b|c` is one word slot with alternatives ("spots|slots|seats left");
 * - a trailing `*` matches any ending ("guarant*" matches guarantee, guaranteed, guarantees);
 * - `...` stands for up to three words of anything ("or ... money back");
 * - `A ~N B` matches two word slots in either order with at most N words between them
 *   ("hipaa|gdpr ~3 certified|certification" matches "HIPAA certified" and "certified for HIPAA");
 * - a leading `!` makes an exception: text it matches is ignored ("!no hurry" next to "hurry").
 *
 * Pure and deterministic; every regular expression is built once per compiled rubric.
 */

const CONTRACTIONS: readonly [RegExp, string][] = [
  [/\bwon't\b/g, 'will not'],
  [/\bcan't\b/g, 'can not'],
  [/\bshan't\b/g, 'shall not'],
  [/\bain't\b/g, 'is not'],
  [/n't\b/g, ' not'],
  [/'ll\b/g, ' will'],
  [/'re\b/g, ' are'],
  [/'ve\b/g, ' have'],
  [/'m\b/g, ' am'],
  [/'d\b/g, ' would'],
  [/\b(it|that|there|here|what|who|where|how|he|she)'s\b/g, '$1 is'],
  [/\blet's\b/g, 'let us'],
  [/'s\b/g, ''],
  [/'/g, ''],
];

/** British -> American endings; applied to text and patterns alike, so over-folding is harmless. */
const ENDINGS: readonly [RegExp, string][] = [
  [/^(\w{2,})is(e|es|ed|ing|er|ers|ation|ations)$/, '$1iz$2'],
  [/^(\w{3,})our(s|ed|ing|ite|ites|able)?$/, '$1or$2'],
  [/^(\w{2,})tre(s)?$/, '$1ter$2'],
  [/^(\w{2,})lled$/, '$1led'],
  [/^(\w{2,})lling$/, '$1ling'],
  [/^(\w{2,})ogue(s)?$/, '$1og$2'],
];

const TOKEN = /[\p{L}\p{N}]+|[%$#&€£]/gu;
const APOSTROPHE = /['’‘ʼ`]/;

export interface Normalizer {
  /** Normalised words of a text, joined by single spaces (no leading or trailing space). */
  text(value: string): string;
  /** One word, folded the same way. */
  word(value: string): string;
}

/** `variants` maps a spelling (or misspelling) onto the canonical word: {"guarentee": "guarantee"}. */
export function createNormalizer(variants: Readonly<Record<string, string>> = {}): Normalizer {
  const map = new Map(Object.entries(variants).map(([from, to]) => [from.toLowerCase(), to.toLowerCase()]));
  const cache = new Map<string, string>();
  const word = (raw: string): string => {
    let folded = cache.get(raw);
    if (folded !== undefined) return folded;
    folded = map.get(raw) ?? raw;
    if (folded === raw && /^[a-z]+$/.test(raw)) {
      for (const [pattern, replacement] of ENDINGS) {
        if (pattern.test(raw)) {
          folded = raw.replace(pattern, replacement);
          break;
        }
      }
    }
    if (cache.size < 50_000) cache.set(raw, folded);
    return folded;
  };
  return {
    word,
    text(value) {
      let lowered = value.toLowerCase();
      if (APOSTROPHE.test(lowered)) {
        lowered = lowered.replace(/[’‘ʼ`]/g, "'");
        for (const [pattern, replacement] of CONTRACTIONS) lowered = lowered.replace(pattern, replacement);
      }
      const tokens = lowered.match(TOKEN) ?? [];
      return tokens.map(word).join(' ');
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One word slot (`a|b*`) as a regular expression source, each alternative normalised. */
function slotSource(slot: string, normalizer: Normalizer): string {
  const alternatives = slot
    .split('|')
    .map((alternative) => {
      const prefix = alternative.endsWith('*');
      const core = prefix ? alternative.slice(0, -1) : alternative;
      // An alternative may itself normalise to several words ("co-founder" -> "co founder").
      const normalised = normalizer.text(core).split(' ').filter(Boolean);
      if (normalised.length === 0) return undefined;
      const body = normalised.map(escapeRegExp).join(' ?');
      return prefix ? `${body}[\\p{L}\\p{N}]*` : body;
    })
    .filter((alternative): alternative is string => alternative !== undefined);
  if (alternatives.length === 0) return '';
  return alternatives.length === 1 ? (alternatives[0] as string) : `(?:${alternatives.join('|')})`;
}

const GAP = '(?: [^ ]+){0,3}';

/** The regular expression source of one pattern (see the module comment for the language). */
export function patternSource(pattern: string, normalizer: Normalizer): string | undefined {
  const near = /^(.+?)\s+~(\d+)\s+(.+)$/.exec(pattern.trim());
  if (near) {
    const left = slotSource(near[1] as string, normalizer);
    const right = slotSource(near[3] as string, normalizer);
    const within = Number(near[2]);
    if (left === '' || right === '') return undefined;
    const gap = `(?: [^ ]+){0,${within}} `;
    return `(?:${left}${gap}${right}|${right}${gap}${left})`;
  }
  const parts: string[] = [];
  let previousWasGap = true;
  for (const slot of pattern.trim().split(/\s+/)) {
    if (slot === '...') {
      parts.push(GAP);
      previousWasGap = true;
      continue;
    }
    const source = slotSource(slot, normalizer);
    if (source === '') continue;
    // Between two words: a space or nothing (hyphens are already spaces after normalisation).
    parts.push(
      parts.length === 0 || previousWasGap ? (parts.length === 0 ? source : ` ${source}`) : ` ?${source}`,
    );
    previousWasGap = false;
  }
  if (parts.length === 0) return undefined;
  return parts.join('');
}

/**
 * A compiled pattern list. Patterns written with a leading "!" are exceptions: wording that contains a
 * listed pattern but means the opposite ("no hurry", "I can't guarantee"); text they match is ignored.
 */
export interface PatternSet {
  matcher: RegExp;
  exceptions: RegExp | undefined;
}

function alternation(patterns: readonly string[], normalizer: Normalizer): RegExp | undefined {
  const sources = [...new Set(patterns)]
    .map((pattern) => patternSource(pattern, normalizer))
    .filter((source): source is string => source !== undefined && source !== '');
  if (sources.length === 0) return undefined;
  // Normalised text is words joined by single spaces; matched padded with a space on each side, a
  // pattern starts after a space and ends before one. A literal leading space lets the engine skip
  // to the next word boundary quickly (much faster than a look-behind at every position).
  return new RegExp(` (?:${sources.join('|')})(?= )`, 'gu');
}

/** One regular expression for a list of patterns (and one for its "!" exceptions). */
export function compilePatterns(patterns: readonly string[], normalizer: Normalizer): PatternSet | undefined {
  const matcher = alternation(
    patterns.filter((pattern) => !pattern.startsWith('!')),
    normalizer,
  );
  if (!matcher) return undefined;
  const exceptions = alternation(
    patterns.filter((pattern) => pattern.startsWith('!')).map((pattern) => pattern.slice(1)),
    normalizer,
  );
  return { matcher, exceptions };
}

/** The padded text with every exception blanked out (same length, no letters left to match). */
function prepared(set: PatternSet, normalised: string): string {
  const padded = ` ${normalised} `;
  return set.exceptions
    ? padded.replace(set.exceptions, (found) => ` ${'_'.repeat(found.length - 1)}`)
    : padded;
}

/** Every distinct match of `matcher` in already-normalised text, in order of first appearance. */
export function findMatches(set: PatternSet | undefined, normalised: string): string[] {
  if (!set) return [];
  const found: string[] = [];
  for (const match of prepared(set, normalised).matchAll(set.matcher)) {
    const phrase = match[0].slice(1);
    if (!found.includes(phrase)) found.push(phrase);
  }
  return found;
}

export function matches(set: PatternSet | undefined, normalised: string): boolean {
  if (!set) return false;
  set.matcher.lastIndex = 0;
  const found = set.matcher.test(prepared(set, normalised));
  set.matcher.lastIndex = 0;
  return found;
}
