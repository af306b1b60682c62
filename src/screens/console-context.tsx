/**
 * What every screen reads from above: the services, the read-only flag, the terminal size, how often
 * to poll, the refresh token (bumped by `R` / `:refresh`) and `notify` for the status line.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { Scope } from './keymap.js';
import type { ConsoleServices } from './services.js';

/** Periods (ms): health and data polls, countdown clocks, and the tick of the Queue's AGE column. */
export interface ConsoleIntervals {
  health: number;
  data: number;
  clock: number;
  /** The AGE column advances this often (default a minute: its resolution); no read, no query. */
  age?: number;
}

export type Tone = 'green' | 'red' | 'yellow' | undefined;

export interface ConsoleContextValue {
  services: ConsoleServices;
  readonly: boolean;
  intervals: ConsoleIntervals;
  refreshToken: number;
  notify(text: string, tone?: Tone): void;
  /** Per-screen state kept while another screen shows (filter, cursor, marks), by key. */
  memory: Map<string, unknown>;
  /** A screen in a mode of its own (the draft view) shows that mode's keys in the help bar. */
  setBarScopes(scopes: readonly Scope[] | undefined): void;
}

const Context = createContext<ConsoleContextValue | undefined>(undefined);

export function ConsoleProvider({ value, children }: { value: ConsoleContextValue; children: ReactNode }) {
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useConsole(): ConsoleContextValue {
  const value = useContext(Context);
  if (!value) throw new Error('useConsole() outside <ConsoleProvider>');
  return value;
}
