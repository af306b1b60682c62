/**
 * The console: theme + shell at the terminal's size. Stays tiny; the shell switches screens and the
 * screens read their services through hooks.
 */
import { useMemo } from 'react';
import { Shell } from './screens/Shell.js';
import type { ConsoleIntervals } from './screens/console-context.js';
import type { ScreenId } from './screens/keymap.js';
import type { ConsoleServices } from './screens/services.js';
import { useTerminalSize, type TerminalSize } from './screens/use-terminal-size.js';
import { ThemeProvider, makeTheme } from './components/theme.js';

export interface AppProps {
  services: ConsoleServices;
  readonly?: boolean;
  colors?: boolean;
  /** Fixed size (tests, benchmarks); otherwise the terminal's, following resizes. */
  size?: TerminalSize;
  intervals?: ConsoleIntervals;
  initialScreen?: ScreenId;
  /** Called when the operator quits, before the app unmounts. */
  onQuit?: () => void;
}

export const DEFAULT_INTERVALS: ConsoleIntervals = { health: 2000, data: 3000, clock: 1000, age: 60_000 };

export function App({
  services,
  readonly = false,
  colors = true,
  size,
  intervals,
  initialScreen,
  onQuit,
}: AppProps) {
  const { columns, rows } = useTerminalSize(size);
  const theme = useMemo(() => makeTheme(colors), [colors]);
  return (
    <ThemeProvider theme={theme}>
      <Shell
        services={services}
        readonly={readonly}
        width={columns}
        height={rows}
        intervals={intervals ?? DEFAULT_INTERVALS}
        {...(initialScreen ? { initialScreen } : {})}
        {...(onQuit ? { onQuit } : {})}
      />
    </ThemeProvider>
  );
}
