/** `caio pipeline run` in-process: terminal progress, and the typed confirmation on a terminal. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/commands/pipeline.js';
import { clayRow, openTestRuntime } from '../../helpers/pipeline-runtime.js';
import { useTempDir } from '../../helpers/temp.js';

function streams(tty: boolean) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { stdout, stderr, stdin, out: () => out, err: () => err };
}

describe('caio pipeline run (in-process)', () => {
  const tempDir = useTempDir();

  it('asks on a terminal in production, then shows progress on the terminal', async () => {
    const hive = tempDir();
    const runtime = await openTestRuntime(hive);
    await clayRow(runtime, { email: 'a@acme.io', first_name: 'Ann', company: 'Acme' });
    await clayRow(runtime, { email: 'b@acme.io', first_name: 'Bob', company: 'Acme' });
    await runtime.close();
    const io = streams(true);
    const code = run({
      argv: ['run', '--mode', 'production'],
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      env: { HIVE_DIR: hive, CAIO_OPERATOR: 'ops' },
      cwd: hive,
      stopSignal: new AbortController().signal,
    });
    // The prompt appears before anything is drafted; the typed answer lets the run go on.
    await waitFor(() => io.err().includes('Type yes to continue: '));
    io.stdin.write('yes\n');
    expect(await code).toBe(0);
    expect(io.err()).toContain('\rDrafting 2/2\n');
    expect(io.out()).toContain('Pipeline (production, source all): 2 drafted from 2 lead(s).');
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
