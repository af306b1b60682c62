/**
 * Expected problems (bad input, missing files, refused actions, outages) are `UserError`s. They are
 * surface-neutral: a `kind` says what sort of failure it is, and each surface maps it once — the
 * server to an HTTP status (server/error-status.ts), the CLI to an exit code (`exitCodeFor`). The
 * words for the next step belong to the surface too (a command in the CLI, a key in the console):
 * see cli/hints.ts and screens/hints.ts. Anything else reaching a surface is a bug.
 */
export type ExitCode = 0 | 1 | 2;

/**
 * - `invalid`: bad input or configuration (HTTP 400, exit 2)
 * - `not_found`: the thing named does not exist (404, exit 1)
 * - `refused`: a rule refused the action (409, exit 1)
 * - `conflict`: it changed underneath; retrying after a refresh may work (409, exit 1)
 * - `unavailable`: a dependency (store, Redis) is down; retry later (503, exit 1)
 */
export const ERROR_KINDS = ['invalid', 'not_found', 'refused', 'conflict', 'unavailable'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** The CLI's exit code for a kind of failure. */
export function exitCodeFor(kind: ErrorKind): ExitCode {
  return kind === 'invalid' ? 2 : 1;
}

function kindOf(code: string, exitCode: ExitCode | undefined): ErrorKind {
  if (/(^|_)not_found$/.test(code)) return 'not_found';
  if (code === 'conflict') return 'conflict';
  if (/(^|_)unavailable$/.test(code)) return 'unavailable';
  return exitCode === 1 ? 'refused' : 'invalid';
}

export interface UserErrorOptions {
  /** What sort of failure (default: from `code` and `exitCode`). */
  kind?: ErrorKind;
  /** 2 = usage or configuration error (default), 1 = a check failed or an action was refused. */
  exitCode?: ExitCode;
  /** What the operator should do next. */
  nextStep?: string;
  /** Machine-readable code for JSON answers. */
  code?: string;
  cause?: unknown;
}

export class UserError extends Error {
  readonly kind: ErrorKind;
  readonly exitCode: ExitCode;
  /** A surface-neutral next step (no command names, no keys); surfaces may word their own. */
  readonly nextStep: string | undefined;
  readonly code: string;
  /** Data a surface may show beside the message (JSON-safe; an HTTP answer adds it to its body). */
  details?: Record<string, unknown>;

  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.code = options.code ?? 'user_error';
    this.kind = options.kind ?? kindOf(this.code, options.exitCode);
    this.exitCode = options.exitCode ?? exitCodeFor(this.kind);
    this.nextStep = options.nextStep;
  }
}

/**
 * A dependency (the record, Redis) cannot be reached. The message says which, never where (no URL):
 * it reaches HTTP clients as 503 `dependency_unavailable`.
 */
export class DependencyUnavailableError extends UserError {
  constructor(
    readonly dependency: string,
    message: string,
    cause?: unknown,
  ) {
    super(message, { kind: 'unavailable', exitCode: 1, code: `${dependency}_unavailable`, cause });
    this.name = 'DependencyUnavailableError';
  }
}

const PG_UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown: the server is stopping or restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '53300', // too_many_connections
  '08000', // connection_exception
  '08001', // sqlclient_unable_to_establish_sqlconnection
  '08003', // connection_does_not_exist
  '08004', // sqlserver_rejected_establishment_of_sqlconnection
  '08006', // connection_failure
]);
const SOCKET_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/;

/**
 * The one place that says whether a raw driver failure means a dependency is down (an outage, 503
 * `dependency_unavailable`, retry later) rather than a bug: which one (`record`, `redis`), `a
 * dependency` when the error does not say, undefined when it is not an outage.
 */
export function unavailableDependency(error: unknown): string | undefined {
  if (error instanceof DependencyUnavailableError) return error.dependency;
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (
    error.name === 'SqliteError' &&
    typeof code === 'string' &&
    /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY)/.test(code)
  )
    return 'record';
  if (typeof code === 'string' && PG_UNAVAILABLE_CODES.has(code)) return 'record';
  if (
    /^Connection terminated|^Client has encountered a connection error|^timeout exceeded when trying to connect/.test(
      error.message,
    )
  )
    return 'record';
  if (
    error.name === 'MaxRetriesPerRequestError' ||
    /^Connection is closed|^Stream isn't writeable/.test(error.message)
  )
    return 'redis';
  if (typeof code === 'string' && SOCKET_CODES.test(code)) return 'a dependency';
  return undefined;
}

/**
 * A failure of the PostgreSQL record that means it cannot be reached, as a DependencyUnavailableError
 * naming the record (never its address); anything else is returned as it was.
 */
export function asRecordUnavailable(error: unknown): unknown {
  const dependency = unavailableDependency(error);
  if (dependency === undefined || dependency === 'redis' || error instanceof DependencyUnavailableError)
    return error;
  const code = (error as { code?: unknown }).code;
  const reason = typeof code === 'string' ? code : 'connection lost';
  return new DependencyUnavailableError('record', `the record (PostgreSQL) is unavailable: ${reason}`, error);
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
