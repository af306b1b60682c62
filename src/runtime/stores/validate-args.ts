/**
 * Argument checks shared by both stores, so a bad call fails the same way on Redis and SQLite
 * (a programming error: a TypeError, not a UserError).
 */
export function requirePositiveInt(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${name} must be a positive integer (got ${String(value)})`);
  }
}

export function requireInt(value: number, name: string): void {
  if (!Number.isSafeInteger(value)) throw new TypeError(`${name} must be an integer (got ${String(value)})`);
}

export function requireKey(value: string, name: string): void {
  if (typeof value !== 'string' || value.length === 0)
    throw new TypeError(`${name} must be a non-empty string`);
}

/** JSON text of a value; `undefined` (and functions) cannot be stored. */
export function encodeJson(value: unknown, what: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`${what} must be JSON-serialisable (got ${typeof value})`);
  return text;
}
