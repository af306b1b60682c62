import type { Readable, Writable } from 'node:stream';
import type { ExitCode } from '../runtime/errors.js';

/** What every command receives: its own argv (after the command name) and the process edges. */
export interface CommandContext {
  argv: string[];
  /** Standard input (confirmations such as `echo yes | caio pipeline run`); absent in some tests. */
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Resolves when the operator asks to stop (SIGINT/SIGTERM); long-running commands await it. */
  stopSignal: AbortSignal;
}

export interface CommandModule {
  run(ctx: CommandContext): Promise<ExitCode>;
}

export interface CommandEntry {
  name: string;
  /** One-line summary for `caio --help`. */
  summary: string;
  /** Synopsis shown in `caio --help`. */
  usage: string;
  load: () => Promise<CommandModule>;
}
