/**
 * Numeric claims: every number in a draft (counts, money, percentages, multipliers, durations,
 * dates) is read into a comparable value so "$40k" in a draft is supported by "$40,000" in a context
 * ref, and "40%" by "40 percent".
 */

export type NumberKind = 'plain' | 'percent' | 'money' | 'multiplier' | 'time';

export interface NumberMention {
  /** The text as written, e.g. "$2.5M". */
  text: string;
  value: number;
  /** `time`: a duration, a clock time or a calendar date (logistics when it is about the call). */
  kind: NumberKind;
  /** Where the mention starts in the text. */
  index: number;
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
/** Clock times and calendar dates: "2pm", "11:30am", "14:00", "March 12", "12th March", "the 14th", "12/03". */
const CLOCK_OR_DATE = new RegExp(
  [
    `(?<![\\p{L}\\p{N}.,:/])\\d{1,2}(?::\\d{2})?\\s?(?:[ap]\\.?m\\.?)(?![\\p{L}\\p{N}])`,
    `(?<![\\p{L}\\p{N}.,:/])\\d{1,2}:\\d{2}(?![\\p{N}])`,
    `(?<![\\p{L}])${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?(?![\\p{L}\\p{N}])`,
    `(?<![\\p{L}\\p{N}])\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?![\\p{L}])`,
    `(?<![\\p{L}\\p{N}])\\d{1,2}(?:st|nd|rd|th)(?![\\p{L}\\p{N}])`,
    `(?<![\\p{L}\\p{N}/])\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?(?![\\p{N}/])`,
  ].join('|'),
  'gu',
);

const SCALES: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mm: 1e6,
  million: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
};

// Not preceded by a letter, digit or separator: "Q3", "B2B", "#1", "v2.1" are not numbers here.
const NUMBER =
  /(?<![\p{L}\p{N}.,#/:-])([$€£])?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s?(%|percent|pct|x|×|k|thousand|mm|m|million|bn|b|billion)(?![\p{L}\p{N}]))?(?:\s?(usd|dollars|eur|euros|gbp|pounds)(?![\p{L}\p{N}]))?(?:[\s-]?(minutes?|mins?|hours?|hrs?|am|pm|days?|weeks?|months?|years?)(?![\p{L}\p{N}]))?/giu;

const DIGIT = /\d/;

/** Every number in the text. `timeUnits` lists the units that make it a duration or clock time. */
export function numberMentions(text: string, timeUnits: ReadonlySet<string>): NumberMention[] {
  const out: NumberMention[] = [];
  if (!DIGIT.test(text)) return out;
  let rest = text;
  {
    for (const match of text.matchAll(CLOCK_OR_DATE)) {
      const digits = match[0].match(/\d+/)?.[0] ?? '0';
      out.push({ text: match[0].trim(), value: Number(digits), kind: 'time', index: match.index });
    }
    rest = text.replace(CLOCK_OR_DATE, (found) => ' '.repeat(found.length));
  }
  for (const match of rest.matchAll(NUMBER)) {
    const [whole, currency, integer = '0', fraction, suffix, currencyWord, unit] = match;
    const base = Number(`${integer.replace(/,/g, '')}${fraction ? `.${fraction}` : ''}`);
    const suffixKey = suffix?.toLowerCase();
    let kind: NumberKind = 'plain';
    let value = base;
    if (suffixKey === '%' || suffixKey === 'percent' || suffixKey === 'pct') kind = 'percent';
    else if (suffixKey === 'x' || suffixKey === '×') kind = 'multiplier';
    else if (suffixKey !== undefined) value = base * (SCALES[suffixKey] ?? 1);
    if (currency !== undefined || currencyWord !== undefined) kind = kind === 'plain' ? 'money' : kind;
    if (kind === 'plain' && unit !== undefined && timeUnits.has(unit.toLowerCase())) kind = 'time';
    out.push({ text: whole.trim(), value: round(value), kind, index: match.index });
  }
  return out.sort((a, b) => a.index - b.index);
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * A draft number is supported when a source has the same value of the same kind; a plain number
 * ("your 120 reps") is supported by the same value in any form.
 */
export function isSupported(mention: NumberMention, sources: readonly NumberMention[]): boolean {
  return sources.some(
    (source) =>
      source.value === mention.value &&
      (source.kind === mention.kind ||
        mention.kind === 'plain' ||
        (mention.kind === 'time' && source.kind === 'plain')),
  );
}
