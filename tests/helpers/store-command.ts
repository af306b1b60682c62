/**
 * Run a command module in-process with captured stdout/stderr (the CLI edge without spawning).
 */
import { Writable } from 'node:stream';
import type { CommandContext, CommandModule } from '../../src/cli/command.js';

export interface CapturedRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

export async function runCommand(
  module: CommandModule,
  argv: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CapturedRun> {
  const out = sink();
  const err = sink();
  const ctx: CommandContext = {
    argv,
    stdout: out.stream,
    stderr: err.stream,
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
    stopSignal: new AbortController().signal,
  };
  const code = await module.run(ctx);
  return { code, stdout: out.text(), stderr: err.text() };
}
