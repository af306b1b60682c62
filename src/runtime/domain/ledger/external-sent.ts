/**
 * Addresses contacted outside CAIO (a GHL or other CRM export) for `caio ledger import-sent`. Pure:
 * file text in, addresses and bad rows (by line number) out. CSV needs a header with an email column
 * (`email`, `Email Address`, `contact_email`, ...); JSONL needs an email field on each object.
 */
import { canonicalEmail, isPlausibleEmail } from '../canonical-email.js';

export interface ExternalSentRow {
  line: number;
  email: string;
  canonical_email: string;
}

export interface ExternalSentParse {
  format: 'csv' | 'jsonl';
  rows: ExternalSentRow[];
  errors: { line: number; reason: string }[];
  /** Rows whose address appeared earlier in the same file. */
  repeated: number;
}

const EMAIL_KEYS = [
  'email',
  'email_address',
  'emailaddress',
  'contact_email',
  'work_email',
  'business_email',
];
const normalizeKey = (key: string) =>
  key
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** Which header (or object key) holds the email: a known name first, else the only one containing "email". */
export function emailColumn(keys: readonly string[]): number {
  const normalized = keys.map(normalizeKey);
  for (const wanted of EMAIL_KEYS) {
    const index = normalized.indexOf(wanted);
    if (index !== -1) return index;
  }
  const loose = normalized.flatMap((key, index) => (key.includes('email') ? [index] : []));
  return loose.length === 1 ? (loose[0] as number) : -1;
}

/** One CSV record per call; handles quotes, doubled quotes and quoted newlines. */
export function* csvRecords(text: string): Generator<{ line: number; fields: string[] }> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      any = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (any || field !== '') yield { line: start, fields };
      fields = [];
      field = '';
      any = false;
      line++;
      start = line;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || field !== '') {
    fields.push(field);
    yield { line: start, fields };
  }
}

export function parseExternalSent(text: string): ExternalSentParse {
  const body = text.replace(/^\uFEFF/, '');
  const first = body.trimStart()[0];
  const result: ExternalSentParse = {
    format: first === '{' ? 'jsonl' : 'csv',
    rows: [],
    errors: [],
    repeated: 0,
  };
  const seen = new Set<string>();
  const accept = (line: number, raw: unknown) => {
    const email = typeof raw === 'string' ? raw.trim() : '';
    if (email === '') return result.errors.push({ line, reason: 'no email on this row' });
    if (!isPlausibleEmail(email))
      return result.errors.push({ line, reason: `"${email.slice(0, 80)}" is not an email address` });
    const canonical = canonicalEmail(email);
    if (seen.has(canonical)) {
      result.repeated += 1;
      return;
    }
    seen.add(canonical);
    result.rows.push({ line, email, canonical_email: canonical });
  };
  if (result.format === 'jsonl') {
    body.split(/\r?\n/).forEach((lineText, index) => {
      if (lineText.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(lineText);
      } catch {
        result.errors.push({ line: index + 1, reason: 'not valid JSON' });
        return;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        result.errors.push({ line: index + 1, reason: 'not a JSON object' });
        return;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      const column = emailColumn(keys);
      accept(index + 1, column === -1 ? undefined : record[keys[column] as string]);
    });
    return result;
  }
  let column = -1;
  let header = true;
  for (const { line, fields } of csvRecords(body)) {
    if (header) {
      header = false;
      column = emailColumn(fields);
      if (column === -1) {
        result.errors.push({
          line,
          reason: `no email column in the header (${fields.slice(0, 8).join(', ')}); name one "email"`,
        });
        return result;
      }
      continue;
    }
    accept(line, fields[column]);
  }
  return result;
}
