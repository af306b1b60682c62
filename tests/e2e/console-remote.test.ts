/**
 * The remote console journey in a real terminal (tmux), against a spawned `caio serve`: an admin adds
 * maria as a reviewer; maria, from another folder with an empty HIVE_DIR, runs
 * `caio console --remote URL --token T`, sees the server's queue live (a draft the server imports
 * after she attached appears), approves with `a` (the server's audit says maria), is shown `x`
 * (execute) as disabled for her role, and is locked out the moment she is revoked. Nothing is written
 * in her folder. Needs `npm run build` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CAIO_BIN, cleanEnv, runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp.js';
import { HAS_TMUX, openTerminal, type Terminal } from '../helpers/tmux.js';

const SAMPLES = fileURLToPath(new URL('../../samples/drafts.jsonl', import.meta.url));
const describeTmux = HAS_TMUX ? describe : describe.skip;
const tempDir = useTempDir();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const SERVICE_TOKEN = 'tok_remote_e2e_7f3a9c2b7d1e4f60a5b8c9d0e1f2';

function serve(cwd: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(CAIO_BIN, ['serve', '--port', '0', '--host', '127.0.0.1'], {
      cwd,
      env: cleanEnv(env),
    });
    cleanups.push(() => child.kill('SIGTERM'));
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)".*caio serve listening/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

describeTmux('caio console --remote (tmux, spawned caio serve)', () => {
  it('maria reviews the server queue live from an empty folder, as herself, within her role', async () => {
    const serverDir = tempDir();
    const serverEnv = {
      HIVE_DIR: join(serverDir, 'hive'),
      CAIO_MODE: 'development',
      DASHBOARD_AUTH_TOKEN: SERVICE_TOKEN,
      CAIO_OPERATOR: 'admin-ann',
    };
    const caio = (...args: string[]) => runCli(args, { cwd: serverDir, env: serverEnv });
    expect((await caio('queue', 'import', SAMPLES)).code).toBe(0);
    const added = await caio('operators', 'add', 'maria', '--role', 'reviewer', '--json');
    expect(added.code, added.stderr).toBe(0);
    const { token } = JSON.parse(added.stdout) as { token: string };
    const { url } = await serve(serverDir, serverEnv);

    const mariaDir = tempDir();
    const mariaHive = join(mariaDir, 'hive');
    mkdirSync(mariaHive);
    const t: Terminal = openTerminal(
      mariaDir,
      ['console', '--remote', url, '--token', token, '--screen', 'queue'],
      {
        cols: 120,
        rows: 35,
        env: { HIVE_DIR: mariaHive },
      },
    );
    cleanups.push(() => t.kill());
    await t.waitFor('maria (reviewer) @', 'the header with the operator');
    await t.waitFor('live', 'the event stream');
    await t.waitFor('operator maria', 'the queue header');
    await t.waitFor('leo@signalforge.agency', "the server's queue");

    // Live: a draft the server takes in now appears without a key.
    const extra = join(serverDir, 'extra.jsonl');
    writeFileSync(
      extra,
      `${JSON.stringify({
        id: 'late-arrival',
        lead: { email: 'late@arrival.example', first_name: 'Lou', company: 'Arrival', tier: 1 },
        subject: 'A late arrival',
        body: 'Hi Lou,\nA short note about your pipeline.\nWorth a call?',
        context: [{ ref: 'rb2b:visit', text: 'Visited the pricing page' }],
      })}\n`,
    );
    expect((await caio('queue', 'import', extra)).code).toBe(0);
    await t.waitFor((pane) => {
      if (pane.includes('late@arrival.example')) return true;
      t.send('G'); // newest last: the bottom of the list
      return false;
    }, 'the new draft, live');
    t.send('g');
    await t.waitFor('leo@signalforge.agency', 'back at the top');

    // `a` approves the row under the cursor, as maria on the server.
    t.send('a');
    const approved = await t.waitFor((pane) => {
      // A draft with a critical finding asks first.
      if (/y\/n/.test(pane) && !/Approved \S+@\S+/.test(pane)) t.send('y');
      return /Approved \S+@\S+/.test(pane);
    }, 'the approval');
    const email = /Approved (\S+@\S+)/.exec(approved)?.[1] as string;
    const list = await caio('queue', 'list', '--json');
    const drafts = JSON.parse(list.stdout) as {
      lead: { email: string };
      status: string;
      decided_by: string | null;
    }[];
    expect(drafts.find((d) => d.lead.email === email)).toMatchObject({
      status: 'approved',
      decided_by: 'maria',
    });
    const audit = await caio('audit', 'tail', '-n', '20');
    expect(audit.stdout).toMatch(/maria.*queue\.approve|queue\.approve.*maria/);

    // Batches: execute is disabled for a reviewer, and says why.
    t.send('3');
    await t.waitFor('(off)', 'disabled keys in the bar');
    t.send('x');
    await t.waitFor('needs the approver or admin role', 'the reason in the status line');

    // Revoked: locked out at once (her next action is refused), and nothing was written locally.
    expect((await caio('operators', 'revoke', 'maria')).code).toBe(0);
    t.send('2');
    await t.waitFor('refused the token (401)', 'the lock-out on the queue');
    t.send('a');
    await t.waitFor('locked out', 'the header saying so');
    expect(existsSync(join(mariaHive, 'caio.db'))).toBe(false);
    expect(readdirSync(mariaHive)).toEqual([]);
  }, 120_000);
});
