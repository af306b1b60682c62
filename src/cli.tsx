#!/usr/bin/env node
/**
 * The process edge: argv and signals in, exit code out. The only place that ends the process.
 */
import { main } from './cli/main.js';

// A reader that goes away (`caio queue list | head`) is not an error: stop writing, keep the exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// A signal asks the command to stop (serve drains, an import stops reading). A command that does not
// stop within STOP_GRACE_MS, or a second signal, ends the process: `timeout caio …` and Ctrl-C twice
// always work, even on a command stuck waiting for a dependency.
const STOP_GRACE_MS = 20_000;
const controller = new AbortController();
const stop = (signal: NodeJS.Signals) => {
  const code = signal === 'SIGINT' ? 130 : 143;
  if (controller.signal.aborted) process.exit(code);
  controller.abort();
  setTimeout(() => {
    process.stderr.write(`caio: still stopping ${STOP_GRACE_MS / 1000} s after ${signal}; exiting\n`);
    process.exit(code);
  }, STOP_GRACE_MS).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// bin/caio renames --env-file (Node 20 would consume it); undo that here.
const argv = process.argv
  .slice(2)
  .map((arg) => (arg.startsWith('--caio-env-file') ? arg.replace('--caio-env-file', '--env-file') : arg));

const code = await main({
  argv,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stopSignal: controller.signal,
});
process.exitCode = code;
// A command must close what it opened; if a stray handle lingers, do not hang the shell.
setTimeout(() => process.exit(code), 1500).unref();
