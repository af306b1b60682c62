/**
 * The console in a real terminal: a detached tmux session of a given size on a private tmux server,
 * read with `capture-pane` and polled for content (never fixed sleeps). Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { CAIO_BIN, cleanEnv } from './cli.js';

export const HAS_TMUX = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;

export interface Terminal {
  socket: string;
  /** Keys as tmux names them ('Enter', 'Escape', 'PageDown') or literal text. */
  send(...keys: string[]): void;
  /** Literal text (no key-name lookup: "Enter" types E-n-t-e-r). */
  type(text: string): void;
  pane(): string;
  waitFor(match: string | ((pane: string) => boolean), what?: string, timeoutMs?: number): Promise<string>;
  kill(): void;
}

function tmux(socket: string, ...args: string[]): string {
  const result = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

let sessions = 0;

/** `caio <args>` in a `cols`x`rows` tmux session; the shell stays after caio exits (EXIT=code). */
export function openTerminal(
  dir: string,
  args: string[],
  options: { cols: number; rows: number; env: Record<string, string> },
): Terminal {
  sessions += 1;
  const socket = `caio-e2e-${process.pid}-${sessions}-${Date.now()}`;
  const env = cleanEnv({ TERM: 'xterm-256color', ...options.env });
  const exports = Object.entries(env)
    .map(([key, value]) => `${key}='${value.replace(/'/g, "'\\''")}'`)
    .join(' ');
  const command = `cd '${dir}' && env -i ${exports} '${CAIO_BIN}' ${args.join(' ')}; echo "EXIT=$?"; sleep 600`;
  tmux(
    socket,
    'new-session',
    '-d',
    '-s',
    'caio',
    '-x',
    String(options.cols),
    '-y',
    String(options.rows),
    command,
  );
  const pane = () => tmux(socket, 'capture-pane', '-p', '-t', 'caio');
  return {
    socket,
    send: (...keys) => void tmux(socket, 'send-keys', '-t', 'caio', ...keys),
    type: (text) => void tmux(socket, 'send-keys', '-t', 'caio', '-l', text),
    pane,
    async waitFor(match, what, timeoutMs = 20_000) {
      const test = typeof match === 'string' ? (p: string) => p.includes(match) : match;
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        last = pane();
        if (test(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`Timed out waiting for ${what ?? JSON.stringify(match)}; the pane shows:\n${last}`);
    },
    kill: () => void spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' }),
  };
}
