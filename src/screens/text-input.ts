import type { KeyEvent } from './keymap.js';

export type EditResult = { value: string; done?: 'accept' | 'cancel' };
export type EditKey = KeyEvent & { backspace?: boolean; delete?: boolean };

/** One keystroke applied to a one-line text field: printable input appends, Backspace deletes. */
export function editText(value: string, input: string, key: EditKey): EditResult {
  if (key.escape) return { value, done: 'cancel' };
  if (key.return) return { value, done: 'accept' };
  if (key.backspace || key.delete) return { value: [...value].slice(0, -1).join('') };
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return { value };
  if (input === '' || [...input].some((c) => c < ' ')) return { value };
  return { value: value + input };
}

/**
 * Ink hands a chunk of plain text (fast typing, a paste, tmux send-keys) to useInput as one input.
 * Split it into single keystrokes so each acts in order; special keys pass through unchanged.
 */
export function splitChunk(input: string, key: EditKey): [string, EditKey][] {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || key.escape || key.return || key.tab) return [[input, key]];
  return chars.map((char) => CONTROL_KEYS[char] ?? [char, {}]);
}

/** Control characters inside a chunk, as the keys Ink would have reported alone. */
const CONTROL_KEYS: Record<string, [string, EditKey]> = {
  '\r': ['', { return: true }],
  '\n': ['', { return: true }],
  '\t': ['', { tab: true }],
  '\u007f': ['', { backspace: true }],
  '\b': ['', { backspace: true }],
};
