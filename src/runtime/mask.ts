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

/** Replace every occurrence of the given secrets inside free text (log lines, error messages). */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) out = out.split(secret).join(maskSecret(secret));
  }
  return out;
}
