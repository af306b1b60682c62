import { Text } from 'ink';
import { fit } from './table-layout.js';

export interface Hint {
  keys: string;
  description: string;
  mutating: boolean;
  /** The acting role may not use it (remote console). */
  denied?: boolean;
}

/** The bottom line: the keys of this screen, from the keymap. Read-only hides nothing but says so. */
export function helpBarText(hints: readonly Hint[], readonly: boolean, width: number): string {
  const parts = hints.map(
    (h) => `${h.keys} ${h.description}${(readonly && h.mutating) || h.denied ? ' (off)' : ''}`,
  );
  return fit((readonly ? '[read-only] ' : '') + parts.join('  '), width);
}

export function HelpBar({
  hints,
  readonly,
  width,
}: {
  hints: readonly Hint[];
  readonly: boolean;
  width: number;
}) {
  return (
    <Text dimColor wrap="truncate">
      {helpBarText(hints, readonly, width)}
    </Text>
  );
}
