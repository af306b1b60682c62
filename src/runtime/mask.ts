/**
 * Secrets are never printed whole. A masked value shows a short prefix (enough to tell two keys apart)
 * and the length: `sign…(72 chars)`. Short values show nothing but their length.
 */
export function maskSecret(value: string | undefined): string {
  if (value === undefined || value === '') return '(unset)';
  if (value.length < 16) return `***(${value.length} chars)`;
  return `${value.slice(0, 4)}…(${value.length} chars)`;
}

/** Mask the password and any secret-looking query parameter of a URL (e.g. redis://:pw@host). */
export function maskUrl(value: string | undefined): string {
  if (value === undefined || value === '') return '(unset)';
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/token|secret|key|password/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return maskSecret(value);
  }
}

let cachedFor: readonly (string | undefined)[] | undefined;
let cachedPattern: RegExp | null = null;

/** One pattern matching any of the secrets (longest first), rebuilt only when the list changes. */
function secretPattern(secrets: readonly (string | undefined)[]): RegExp | null {
  if (secrets === cachedFor) return cachedPattern;
  const usable = [...new Set(secrets.filter((s): s is string => Boolean(s) && (s as string).length >= 6))];
  usable.sort((a, b) => b.length - a.length);
  cachedFor = secrets;
  cachedPattern =
    usable.length === 0
      ? null
      : new RegExp(usable.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return cachedPattern;
}

/** Replace every occurrence of the given secrets inside free text (log lines, error messages). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  const pattern = secretPattern(secrets);
  if (!pattern) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, (found) => maskSecret(found));
}
