/**
 * Colours that honour NO_COLOR: components ask `useTheme().color('green')` and get `undefined` (the
 * terminal default) when colour is off. Emphasis that is not colour (bold, inverse) stays, so the
 * cursor row is still visible without colour.
 */
import { createContext, useContext, type ReactNode } from 'react';

export type ColorName = 'green' | 'red' | 'yellow' | 'cyan' | 'gray' | 'magenta' | 'blue';

export interface Theme {
  colors: boolean;
  color(name: ColorName): ColorName | undefined;
}

export function makeTheme(colors: boolean): Theme {
  return { colors, color: (name) => (colors ? name : undefined) };
}

/** Colour is on unless NO_COLOR is set (any value) or FORCE_COLOR=0. */
export function colorsFromEnv(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR === undefined && env.FORCE_COLOR !== '0';
}

const ThemeContext = createContext<Theme>(makeTheme(false));

export function ThemeProvider({ theme, children }: { theme: Theme; children: ReactNode }) {
  return <ThemeContext.Provider value={theme}>{children}</ThemeContext.Provider>;
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
