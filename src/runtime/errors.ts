/**
 * Expected problems (bad input, missing files, refused actions) are `UserError`s: they carry the exit
 * code and the next step for the operator. Anything else reaching the CLI top level is a bug.
 */
export type ExitCode = 0 | 1 | 2;

export interface UserErrorOptions {
  /** 2 = usage or configuration error (default), 1 = a check failed or an action was refused. */
  exitCode?: ExitCode;
  /** What the operator should do next. */
  nextStep?: string;
  /** Machine-readable code for JSON answers. */
  code?: string;
  cause?: unknown;
}

export class UserError extends Error {
  readonly exitCode: ExitCode;
  readonly nextStep: string | undefined;
  readonly code: string;

  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 2;
    this.nextStep = options.nextStep;
    this.code = options.code ?? 'user_error';
  }
}

/** A usage error: unknown flag, missing argument. Always exit 2. */
export class UsageError extends UserError {
  constructor(message: string, nextStep?: string) {
    super(message, { exitCode: 2, code: 'usage', ...(nextStep ? { nextStep } : {}) });
    this.name = 'UsageError';
  }
}

/** An action refused by a rule (wrong hash, capacity reached): exit 1. */
export class RefusedError extends UserError {
  constructor(message: string, code: string, nextStep?: string) {
    super(message, { exitCode: 1, code, ...(nextStep ? { nextStep } : {}) });
    this.name = 'RefusedError';
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** Exhaustiveness guard for switch statements over unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
