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

/** One line of screen tabs with the active one inverted; never wraps. */
export function TabBar({ tabs, active, width }: { tabs: readonly Tab[]; active: string; width: number }) {
  const labels = tabLabels(tabs, width);
  return (
    <Text wrap="truncate">
      {tabs.map((tab, i) => (
        <Text key={tab.id} inverse={tab.id === active} bold={tab.id === active}>
          {labels[i]}
        </Text>
      ))}
    </Text>
  );
}
