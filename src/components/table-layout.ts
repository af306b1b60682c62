/**
 * Pure layout of the virtualised table: which rows are visible, how wide each column is (measured on
 * the visible window only, so 10,000 rows cost what 20 do), and each visible line as one padded string.
 */

export interface Column<T> {
  header: string;
  value: (row: T) => string;
  /** Fixed width; otherwise measured from the header and the visible cells. */
  width?: number;
  min?: number;
  max?: number;
  /** Takes the width left over (at most one flexible column; default: the last column). */
  flex?: boolean;
  align?: 'left' | 'right';
}

export const COLUMN_GAP = 1;
/** The mark gutter in front of every line: "● " when marked. */
export const GUTTER = 2;

export function textWidth(text: string): number {
  return [...text].length;
}

/** Fit text into exactly `width` cells: truncated with an ellipsis, padded with spaces. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const clean = text.replace(/[\r\n\t]+/g, ' ');
  const chars = [...clean];
  if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
  const pad = ' '.repeat(width - chars.length);
  return align === 'right' ? pad + clean : clean + pad;
}

export function visibleWindow<T>(rows: readonly T[], offset: number, height: number): readonly T[] {
  return rows.slice(Math.max(0, offset), Math.max(0, offset) + Math.max(0, height));
}

/** Column widths for `totalWidth` terminal cells, measured on `visible` rows only. */
export function columnWidths<T>(
  columns: readonly Column<T>[],
  visible: readonly T[],
  totalWidth: number,
): number[] {
  const explicit = columns.findIndex((c) => c.flex);
  const flexIndex = explicit >= 0 ? explicit : columns.length - 1;
  const widths = columns.map((column, index) => {
    if (column.width !== undefined) return column.width;
    if (index === flexIndex) return 0;
    let widest = textWidth(column.header);
    for (const row of visible) widest = Math.max(widest, textWidth(column.value(row)));
    return Math.min(Math.max(widest, column.min ?? 1), column.max ?? Number.POSITIVE_INFINITY);
  });
  const flexible = flexIndex >= 0 && columns[flexIndex]?.width === undefined;
  const gaps = COLUMN_GAP * Math.max(0, columns.length - 1);
  const flexMin = flexible ? (columns[flexIndex]?.min ?? 4) : 0;
  // Too narrow: shrink the widest measured columns (never below their min, or 3) before the last
  // column falls off the edge.
  let overflow =
    GUTTER + gaps + flexMin + widths.reduce((sum, w, i) => (i === flexIndex ? sum : sum + w), 0) - totalWidth;
  while (overflow > 0) {
    let widest = -1;
    columns.forEach((column, i) => {
      if (column.width !== undefined || i === flexIndex) return;
      const floor = Math.max(column.min ?? 3, 3);
      if ((widths[i] ?? 0) > floor && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    });
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
    overflow -= 1;
  }
  if (flexible) {
    const used = widths.reduce((sum, w, i) => (i === flexIndex ? sum : sum + w), 0);
    widths[flexIndex] = Math.max(flexMin, totalWidth - GUTTER - used - gaps);
  }
  return widths;
}

function joinCells(cells: readonly string[], totalWidth: number): string {
  return fit(cells.join(' '.repeat(COLUMN_GAP)), Math.max(0, totalWidth - GUTTER));
}

export function headerLine<T>(
  columns: readonly Column<T>[],
  widths: readonly number[],
  totalWidth: number,
): string {
  return (
    ' '.repeat(GUTTER) +
    joinCells(
      columns.map((c, i) => fit(c.header, widths[i] ?? 0, c.align)),
      totalWidth,
    )
  );
}

export function rowLine<T>(
  columns: readonly Column<T>[],
  widths: readonly number[],
  row: T,
  marked: boolean,
  totalWidth: number,
): string {
  const cells = columns.map((c, i) => fit(c.value(row), widths[i] ?? 0, c.align));
  return (marked ? '● ' : '  ') + joinCells(cells, totalWidth);
}
