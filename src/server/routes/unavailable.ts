/** The answer of a route whose service is not part of this build yet. */
import { HttpError } from '../http.js';

export function notAvailable(what: string): HttpError {
  return new HttpError(503, 'not_available', `${what} is not available in this build yet`);
}

/** The method `name` of `service` bound to it, or a 503 `not_available`. */
export function requireMethod<T extends object, K extends keyof T>(
  service: T | undefined,
  name: K,
  what: string,
): NonNullable<T[K]> {
  const method = service?.[name];
  if (typeof method !== 'function') throw notAvailable(what);
  return (method as (...args: unknown[]) => unknown).bind(service) as NonNullable<T[K]>;
}
