/**
 * Every failure a handler throws becomes one JSON answer `{code, message}` here, with its status
 * from the error's kind (runtime/errors.ts): invalid 400, not_found 404, refused and conflict 409,
 * unavailable 503 `dependency_unavailable` (never naming where the dependency lives). A bug is a
 * 500 carrying the correlation id, never a stack trace.
 */
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { errorMessage, isUserError, unavailableDependency, type ErrorKind } from '../runtime/errors.js';
import { HttpError } from './http.js';
import type { JsonReply } from './types.js';

export const HTTP_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  refused: 409,
  conflict: 409,
  unavailable: 503,
};

function unavailable(dependency: string): JsonReply {
  return {
    status: 503,
    body: {
      code: 'dependency_unavailable',
      message: `${dependency === 'a dependency' ? 'a dependency' : dependency} is unavailable; retry later`,
      dependency,
    },
    headers: { 'retry-after': '5' },
  };
}

export function errorReply(error: unknown, correlationId: string, logger?: Logger): JsonReply {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: { ...error.details, code: error.code, message: error.message },
      headers: error.headers,
    };
  }
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    return {
      status: 400,
      body: { code: 'invalid_request', message: `${where}${issue?.message ?? 'invalid input'}` },
    };
  }
  if (isUserError(error)) {
    if (error.kind === 'unavailable' && !error.code.endsWith('_unavailable')) {
      // This host cannot serve (e.g. `records_not_shared`): say why; another host may.
      const message = error.nextStep ? `${error.message}. ${error.nextStep}` : error.message;
      return { status: 503, body: { code: error.code, message }, headers: { 'retry-after': '30' } };
    }
    if (error.kind === 'unavailable') {
      logger?.warn(
        { correlation_id: correlationId, code: error.code, err: error.message },
        'dependency unavailable',
      );
      return unavailable(error.code.replace(/_unavailable$/, '') || 'a dependency');
    }
    const message = error.nextStep ? `${error.message}. ${error.nextStep}` : error.message;
    return { status: HTTP_STATUS[error.kind], body: { ...error.details, code: error.code, message } };
  }
  // A raw driver failure that means an outage (mapped in one place: runtime/errors.ts).
  const dependency = unavailableDependency(error);
  if (dependency) {
    logger?.warn({ correlation_id: correlationId, err: errorMessage(error) }, 'dependency unavailable');
    return unavailable(dependency);
  }
  logger?.error({ correlation_id: correlationId, err: errorMessage(error) }, 'request failed');
  return {
    status: 500,
    body: { code: 'internal_error', message: `internal error (correlation id ${correlationId})` },
  };
}
