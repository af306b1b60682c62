import { Text } from 'ink';

type Tab = { id: string; title: string };

/** Tab labels that fit `width`: full titles, else three letters, else numbers only. */
export function tabLabels(tabs: readonly Tab[], width: number): string[] {
  const variants = [
    tabs.map((t, i) => ` ${i + 1} ${t.title} `),
    tabs.map((t, i) => ` ${i + 1} ${t.title.slice(0, 3)} `),
    tabs.map((_, i) => ` ${i + 1} `),
  ];
  return variants.find((labels) => labels.join('').length <= width) ?? (variants[2] as string[]);
}

/**
 * One line of screen tabs with the active one inverted; never wraps. `right` (the remote runtime and
 * its connection) takes the end of the line; the tabs shorten first.
 */
export function TabBar({
  tabs,
  active,
  width,
  right,
  rightColor,
}: {
  tabs: readonly Tab[];
  active: string;
  width: number;
  right?: string | undefined;
  rightColor?: string | undefined;
}) {
  const side = right ? right.slice(0, Math.max(0, Math.floor(width / 2))) : '';
  const labels = tabLabels(tabs, width - side.length - (side ? 1 : 0));
  const used = labels.join('').length;
  return (
    <Text wrap="truncate">
      {tabs.map((tab, i) => (
        <Text key={tab.id} inverse={tab.id === active} bold={tab.id === active}>
          {labels[i]}
        </Text>
      ))}
      {side ? (
        <Text color={rightColor}>{' '.repeat(Math.max(1, width - used - side.length)) + side}</Text>
      ) : null}
    </Text>
  );
}
