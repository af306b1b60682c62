import { Box, Text } from 'ink';
import { fit } from './table-layout.js';
import { useTheme, type ColorName } from './theme.js';

export interface DetailLine {
  text: string;
  bold?: boolean;
  tone?: ColorName;
}

/** Greedy word wrap to `width` cells (long words are cut). */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  const w = Math.max(1, width);
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      let rest = word;
      while ([...rest].length > w) {
        if (line !== '') {
          out.push(line);
          line = '';
        }
        out.push([...rest].slice(0, w).join(''));
        rest = [...rest].slice(w).join('');
      }
      if (line === '') line = rest;
      else if ([...line].length + 1 + [...rest].length <= w) line = `${line} ${rest}`;
      else {
        out.push(line);
        line = rest;
      }
    }
    out.push(line);
  }
  return out;
}

/** A bordered-free detail area of exactly `height` lines: the first `height` lines, then "…". */
export function DetailPane({
  lines,
  width,
  height,
}: {
  lines: readonly DetailLine[];
  width: number;
  height: number;
}) {
  const theme = useTheme();
  const clipped = lines.length > height ? [...lines.slice(0, Math.max(0, height - 1)), { text: '…' }] : lines;
  return (
    <Box flexDirection="column" width={width} height={height}>
      {clipped.map((line, i) => (
        <Text key={i} bold={line.bold} color={line.tone ? theme.color(line.tone) : undefined}>
          {fit(line.text, width).trimEnd() || ' '}
        </Text>
      ))}
    </Box>
  );
}
