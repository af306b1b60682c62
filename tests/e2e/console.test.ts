/**
 * The console in a real terminal (tmux, 80x24): start `caio`, open the queue with the palette, load
 * the sample drafts, approve one with `a`, see it in the store with `caio queue list`, quit with `q`
 * and find the terminal clean (alternate screen left, exit code 0). Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CAIO_BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';

const SAMPLES = fileURLToPath(new URL('../../samples/drafts.jsonl', import.meta.url));
const TMUX = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const describeTmux = TMUX ? describe : describe.skip;
const tempDir = useTempDir();
const sockets: string[] = [];

afterEach(() => {
  for (const socket of sockets.splice(0))
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
});

function tmux(socket: string, ...args: string[]): string {
  const result = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

async function waitForPane(
  socket: string,
  match: (pane: string) => boolean,
  what: string,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  let pane = '';
  while (Date.now() < deadline) {
    pane = tmux(socket, 'capture-pane', '-p', '-t', 'caio');
    if (match(pane)) return pane;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Timed out waiting for ${what}; the pane shows:\n${pane}`);
}

/** `caio <args>` in a detached 80x24 tmux session of its own (a private tmux server socket). */
function startConsole(dir: string, args: string[]): string {
  const socket = `caio-e2e-${process.pid}-${sockets.length}-${Date.now()}`;
  sockets.push(socket);
  const env = cleanEnv({ HIVE_DIR: join(dir, 'hive'), TERM: 'xterm-256color' });
  const exports = Object.entries(env)
    .map(([key, value]) => `${key}='${value.replace(/'/g, "'\\''")}'`)
    .join(' ');
  // The shell stays after caio exits so the test can read the exit code and the restored screen.
  const command = `cd '${dir}' && env -i ${exports} '${CAIO_BIN}' ${args.join(' ')}; echo "EXIT=$?"; sleep 600`;
  tmux(socket, 'new-session', '-d', '-s', 'caio', '-x', '80', '-y', '24', command);
  return socket;
}

describe('caio console without a terminal', () => {
  it('says it needs one and points to caio status (exit 2)', async () => {
    const result = await runCli([], { cwd: tempDir(), env: { HIVE_DIR: 'hive' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('caio console needs an interactive terminal');
    expect(result.stderr).toContain(
      'Next: Run it in a terminal, or use `caio status` (--json) for a one-shot report.',
    );
  });
});

describeTmux('caio console in tmux', () => {
  it('opens the queue, approves with a (visible in the store), quits cleanly with q', async () => {
    const dir = tempDir();
    const socket = startConsole(dir, ['--port', '0']);

    await waitForPane(socket, (p) => p.includes('Health checked') && p.includes('Readiness'), 'the overview');
    const overview = tmux(socket, 'capture-pane', '-p', '-t', 'caio');
    expect(overview).toContain('Redis             healthy  embedded');
    expect(overview).toContain('Inngest');

    tmux(socket, 'send-keys', '-t', 'caio', ':');
    await waitForPane(socket, (p) => p.includes(':█'), 'the palette');
    tmux(socket, 'send-keys', '-t', 'caio', 'queue', 'Enter');
    await waitForPane(socket, (p) => p.includes('The approval queue is empty.'), 'the first-run queue');
    tmux(socket, 'send-keys', '-t', 'caio', 'L');
    await waitForPane(socket, (p) => /Loaded \d+ sample drafts/.test(p), 'the samples');
    const queue = await waitForPane(socket, (p) => p.includes('STATUS    LEAD'), 'the queue table');
    const firstLead = /^\s+pending\s+(\S+@\S+)/m.exec(queue)?.[1];
    expect(firstLead).toBeDefined();

    tmux(socket, 'send-keys', '-t', 'caio', 'a');
    await waitForPane(socket, (p) => p.includes(`Approved ${firstLead}`), 'the approval');

    const listed = await runCli(['queue', 'list', '--status', 'approved', '--json'], {
      cwd: dir,
      env: { HIVE_DIR: join(dir, 'hive') },
    });
    expect(listed.code).toBe(0);
    const approved = JSON.parse(listed.stdout) as { lead: { email: string }; decided_by: string }[];
    expect(approved.map((d) => d.lead.email)).toEqual([firstLead]);
    // One identity with the CLI: no CAIO_OPERATOR here, so the OS user (not "console:USER").
    expect(approved[0]?.decided_by).toBe(userInfo().username);

    tmux(socket, 'send-keys', '-t', 'caio', 'q');
    const after = await waitForPane(socket, (p) => p.includes('EXIT='), 'the console to exit');
    expect(after).toContain('EXIT=0');
    expect(after).not.toContain('Overview');
    expect(after).not.toContain('STATUS');
  });
});

describeTmux('caio console --readonly in tmux', () => {
  it('refuses a with the reason and changes nothing', async () => {
    const dir = tempDir();
    const seeded = await runCli(['queue', 'import', SAMPLES], {
      cwd: dir,
      env: { HIVE_DIR: join(dir, 'hive') },
    });
    expect(seeded.code).toBe(0);
    const socket = startConsole(dir, ['--readonly', '--port', '0', '--screen', 'queue']);
    await waitForPane(socket, (p) => p.includes('STATUS    LEAD'), 'the queue table');
    tmux(socket, 'send-keys', '-t', 'caio', 'a');
    await waitForPane(
      socket,
      (p) => p.includes('Read-only: a (approve) is disabled; restart without --readonly to act'),
      'the refusal',
    );
    const listed = await runCli(['queue', 'list', '--status', 'approved', '--json'], {
      cwd: dir,
      env: { HIVE_DIR: join(dir, 'hive') },
    });
    expect(JSON.parse(listed.stdout)).toEqual([]);
    tmux(socket, 'send-keys', '-t', 'caio', 'q');
    expect(await waitForPane(socket, (p) => p.includes('EXIT='), 'the exit')).toContain('EXIT=0');
  });
});
