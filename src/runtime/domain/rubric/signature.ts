/**
 * The signature block of a draft: the lines after the sign-off ("Best,\nMaya Lindqvist\nQuorra"),
 * or a short name line closing the draft ("Maya"). The sender's own name and role are not claims
 * about the prospect, so groundedness never reads them.
 */
import type { Normalizer } from './patterns.js';

export interface SplitDraft {
  content: string;
  signature: string;
}

const MAX_SIGNATURE_LINES = 5;
const SENTENCE_END = /[.?!]\s*$/;
const POSTSCRIPT = /^\s*p\.?\s?s\.?(?![\p{L}])/iu;

export function splitSignature(
  body: string,
  signOffs: ReadonlySet<string>,
  normalizer: Normalizer,
): SplitDraft {
  const lines = body.split(/\r?\n/);
  const filled = lines.map((line, index) => ({ line, index })).filter(({ line }) => line.trim() !== '');
  if (filled.length < 2) return { content: body, signature: '' };
  const tail = filled.slice(-MAX_SIGNATURE_LINES);
  for (let position = tail.length - 1; position >= 0; position -= 1) {
    const { line, index } = tail[position] as { line: string; index: number };
    if (index === (filled[0] as { index: number }).index) break;
    if (isSignOff(line, signOffs, normalizer)) return cut(lines, index);
  }
  // No sign-off: short closing lines without sentence punctuation are the sender ("— Maya",
  // "Maya Lindqvist", "Head of Partnerships, Quorra"), up to three of them.
  let start: number | undefined;
  for (let position = filled.length - 1; position >= Math.max(1, filled.length - 3); position -= 1) {
    const { line, index } = filled[position] as { line: string; index: number };
    if (!isClosingLine(line)) break;
    start = index;
  }
  return start === undefined ? { content: body, signature: '' } : cut(lines, start);
}

const CONNECTORS = new Set(['of', 'at', 'from', 'and', 'for', 'the', 'to', 'in', 'de', 'van', 'von', 'da']);

/** A name, role or contact line: capitalised words, connectors, numbers, addresses; no sentence. */
function isClosingLine(line: string): boolean {
  const trimmed = line.trim();
  const tokens = trimmed.split(/\s+/);
  if (tokens.length > 8 || SENTENCE_END.test(trimmed) || POSTSCRIPT.test(trimmed)) return false;
  if (!/^[\s—–-]*[\p{Lu}+\d]/u.test(trimmed)) return false;
  return tokens.every((token) => {
    const word = token.replace(/^[^\p{L}\p{N}+]+|[^\p{L}\p{N}]+$/gu, '');
    return word === '' || /^\p{Lu}/u.test(word) || /[\d@]|\.\p{L}/u.test(word) || CONNECTORS.has(word);
  });
}

/** The signature runs from `start` to a postscript ("PS: ..."), which is content again. */
function cut(lines: readonly string[], start: number): SplitDraft {
  const postscript = lines.findIndex((line, index) => index > start && POSTSCRIPT.test(line));
  const end = postscript === -1 ? lines.length : postscript;
  return {
    content: [...lines.slice(0, start), ...lines.slice(end)].join('\n'),
    signature: lines.slice(start, end).join('\n'),
  };
}

/** "Best,", "Kind regards", "Thanks, Maya", "Cheers — Jonas". */
function isSignOff(line: string, signOffs: ReadonlySet<string>, normalizer: Normalizer): boolean {
  const trimmed = line.trim();
  if (trimmed.length > 60 || /[?]/.test(trimmed)) return false;
  const [head = ''] = trimmed.split(/[,—–]|\s-\s/);
  return (
    signOffs.has(normalizer.text(head)) && (head.length === trimmed.length || !SENTENCE_END.test(trimmed))
  );
}
