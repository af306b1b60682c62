import type { Command } from './keymap.js';
import type { EditKey } from './text-input.js';

/** A screen's key handler: returns true when it used the key (the shell then ignores it). */
export type KeyHandler = (input: string, key: EditKey) => boolean;

/**
 * The shell owns the only stdin listener and offers each key to the shown screen first, one
 * character at a time, in order (a chunk of fast typing or a paste arrives as one input). A screen
 * that holds the keys (typing a filter, picking a category, confirming a hash) consumes them all.
 */
export interface ScreenKeys {
  attach(handler: KeyHandler, run?: CommandRunner): () => void;
}

/** Runs a command from the palette (`:reject tone`); false when the screen has no such command. */
export type CommandRunner = (command: Command, arg: string | undefined) => boolean;

/** What the shell hands every screen. */
export interface ScreenProps {
  width: number;
  /** Lines available to the screen. */
  height: number;
  /** No overlay (palette, help) covers the screen. */
  focused: boolean;
  keys: ScreenKeys;
}
