/**
 * The app shell as a pure reducer: which screen shows, which overlay (palette, help) has the keys,
 * the status-line message, the refresh token and whether we are quitting.
 */
import type { Tone } from './console-context.js';
import { SCREENS, paletteMatches, resolveCommand, type KeyEvent, type ScreenId } from './keymap.js';
import { editText, type EditKey } from './text-input.js';

export type Overlay = 'none' | 'palette' | 'help';

export interface ShellState {
  screen: ScreenId;
  overlay: Overlay;
  paletteQuery: string;
  paletteIndex: number;
  helpQuery: string;
  message: { text: string; tone: Tone } | undefined;
  refreshToken: number;
  quitting: boolean;
  /** A side effect the Shell runs once (`:pipeline`); cleared with `actionDone`. */
  pendingAction: 'pipeline' | undefined;
}

export type ShellAction =
  /** A keystroke: edits the open overlay, or runs the global command bound to it. */
  | { type: 'key'; input: string; key: EditKey }
  | { type: 'command'; command: string }
  | { type: 'paletteQuery'; query: string }
  | { type: 'paletteMove'; delta: number }
  | { type: 'paletteAccept' }
  | { type: 'helpQuery'; query: string }
  | { type: 'closeOverlay' }
  | { type: 'notify'; text: string; tone: Tone }
  | { type: 'clearMessage' }
  | { type: 'actionDone' };

export function initialShellState(screen: ScreenId = 'overview'): ShellState {
  return {
    screen,
    overlay: 'none',
    paletteQuery: '',
    paletteIndex: 0,
    helpQuery: '',
    message: undefined,
    refreshToken: 0,
    quitting: false,
    pendingAction: undefined,
  };
}

function step(screen: ScreenId, delta: number): ScreenId {
  const index = SCREENS.indexOf(screen);
  return SCREENS[(index + delta + SCREENS.length) % SCREENS.length] ?? screen;
}

/** Global commands (keymap scope `global`, and palette entries). */
function runCommand(state: ShellState, command: string): ShellState {
  const closed = { ...state, overlay: 'none' as const };
  if (command.startsWith('screen.')) {
    const screen = command.slice('screen.'.length) as ScreenId;
    return SCREENS.includes(screen) ? { ...closed, screen } : state;
  }
  switch (command) {
    case 'app.nextScreen':
      return { ...closed, screen: step(state.screen, 1) };
    case 'app.prevScreen':
      return { ...closed, screen: step(state.screen, -1) };
    case 'app.palette':
      return { ...state, overlay: 'palette', paletteQuery: '', paletteIndex: 0 };
    case 'app.help':
      return { ...state, overlay: 'help', helpQuery: '' };
    case 'app.refresh':
      return {
        ...closed,
        refreshToken: state.refreshToken + 1,
        message: { text: 'Refreshing…', tone: undefined },
      };
    case 'app.quit':
      return { ...closed, quitting: true };
    case 'app.pipeline':
      return state.pendingAction
        ? { ...closed, message: { text: 'The pipeline is already running…', tone: 'yellow' } }
        : {
            ...closed,
            pendingAction: 'pipeline',
            message: { text: 'Running the pipeline…', tone: undefined },
          };
    default:
      return state;
  }
}

function onKey(state: ShellState, input: string, key: EditKey): ShellState {
  switch (state.overlay) {
    case 'palette': {
      if (key.upArrow || key.downArrow)
        return shellReducer(state, { type: 'paletteMove', delta: key.upArrow ? -1 : 1 });
      const edit = editText(state.paletteQuery, input, key);
      if (edit.done === 'cancel') return { ...state, overlay: 'none' };
      if (edit.done === 'accept') return shellReducer(state, { type: 'paletteAccept' });
      return edit.value === state.paletteQuery
        ? state
        : { ...state, paletteQuery: edit.value, paletteIndex: 0 };
    }
    case 'help': {
      const edit = editText(state.helpQuery, input, key);
      if (edit.done) return { ...state, overlay: 'none' };
      return edit.value === state.helpQuery ? state : { ...state, helpQuery: edit.value };
    }
    case 'none': {
      const binding = resolveCommand(input, key as KeyEvent, ['global']);
      return binding ? runCommand(state, binding.command) : state;
    }
  }
}

export function shellReducer(state: ShellState, action: ShellAction): ShellState {
  switch (action.type) {
    case 'key':
      return onKey(state, action.input, action.key);
    case 'command':
      return runCommand(state, action.command);
    case 'paletteQuery':
      return { ...state, paletteQuery: action.query, paletteIndex: 0 };
    case 'paletteMove': {
      const count = paletteMatches(state.paletteQuery).length;
      if (count === 0) return state;
      return { ...state, paletteIndex: (state.paletteIndex + action.delta + count) % count };
    }
    case 'paletteAccept': {
      const match = paletteMatches(state.paletteQuery)[state.paletteIndex];
      if (!match) {
        return {
          ...state,
          overlay: 'none',
          message: {
            text: `Unknown command ":${state.paletteQuery}" (press : and look at the list)`,
            tone: 'yellow',
          },
        };
      }
      return runCommand({ ...state, overlay: 'none' }, match.command);
    }
    case 'helpQuery':
      return { ...state, helpQuery: action.query };
    case 'closeOverlay':
      return { ...state, overlay: 'none' };
    case 'notify':
      return { ...state, message: { text: action.text, tone: action.tone } };
    case 'actionDone':
      return { ...state, pendingAction: undefined };
    case 'clearMessage':
      return state.message ? { ...state, message: undefined } : state;
  }
}
