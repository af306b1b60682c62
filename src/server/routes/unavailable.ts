/** The answer of a route whose service is not part of this build yet. */
import { HttpError } from '../http.js';

export function notAvailable(what: string): HttpError {
  return new HttpError(503, 'not_available', `${what} is not available in this build yet`);
}

/** `service`, or a 503 `not_available` when this runtime was built without it. */
export function requireService<T>(service: T | undefined, what: string): T {
  if (service === undefined) throw notAvailable(what);
  return service;
}
