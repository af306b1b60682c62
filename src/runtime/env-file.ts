/**
 * A small, lossless env-file model: parse keeps every line (comments, blanks, unknown keys) so that
 * `caio bootstrap` can rewrite values in place and leave everything else byte for byte.
 */
import { UserError } from './errors.js';

export type EnvLine =
  | { kind: 'blank'; raw: string }
  | { kind: 'comment'; raw: string }
  | { kind: 'entry'; raw: string; key: string; value: string; exported: boolean };

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseEnvFile(text: string, fileName = 'env file'): EnvLine[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((raw, index) => parseLine(raw, index + 1, fileName));
}

function parseLine(raw: string, lineNumber: number, fileName: string): EnvLine {
  const trimmed = raw.trim();
  if (trimmed === '') return { kind: 'blank', raw };
  if (trimmed.startsWith('#')) return { kind: 'comment', raw };
  let body = trimmed;
  let exported = false;
  if (body.startsWith('export ')) {
    exported = true;
    body = body.slice('export '.length).trimStart();
  }
  const eq = body.indexOf('=');
  const key = eq === -1 ? body : body.slice(0, eq).trim();
  if (eq === -1 || !KEY.test(key)) {
    throw new UserError(`${fileName}:${lineNumber}: cannot parse "${truncate(raw)}"`, {
      nextStep: 'Each line must be KEY=value, a comment starting with #, or blank.',
      code: 'env_file_syntax',
    });
  }
  const value = parseValue(body.slice(eq + 1).trim(), lineNumber, fileName);
  return { kind: 'entry', raw, key, value, exported };
}

function parseValue(rest: string, lineNumber: number, fileName: string): string {
  const quote = rest[0];
  if (quote === '"' || quote === "'") {
    const end = rest.indexOf(quote, 1);
    if (end === -1) {
      throw new UserError(`${fileName}:${lineNumber}: unterminated ${quote} quote`, {
        nextStep: `Close the quote on line ${lineNumber}.`,
        code: 'env_file_syntax',
      });
    }
    const inner = rest.slice(1, end);
    return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\"/g, '"') : inner;
  }
  // Unquoted: an inline comment starts at " #".
  const hash = rest.search(/\s#/);
  return (hash === -1 ? rest : rest.slice(0, hash)).trim();
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export function envEntries(lines: readonly EnvLine[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) if (line.kind === 'entry') out[line.key] = line.value;
  return out;
}

/** Quote a value only when it needs it, so that rewritten files stay readable. */
export function formatEnvValue(value: string): string {
  if (value === '' || /^[A-Za-z0-9_./:@,+\-=*%~]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Set keys: an existing entry keeps its position (and `export`), a new key is appended. Returns the
 * new lines and the keys whose value actually changed.
 */
export function setEnvValues(
  lines: readonly EnvLine[],
  values: Record<string, string>,
): { lines: EnvLine[]; changed: string[] } {
  const out: EnvLine[] = [];
  const seen = new Set<string>();
  const changed: string[] = [];
  for (const line of lines) {
    if (line.kind !== 'entry' || !(line.key in values)) {
      out.push(line);
      continue;
    }
    const next = values[line.key] as string;
    seen.add(line.key);
    if (line.value === next) {
      out.push(line);
      continue;
    }
    changed.push(line.key);
    const raw = `${line.exported ? 'export ' : ''}${line.key}=${formatEnvValue(next)}`;
    out.push({ ...line, raw, value: next });
  }
  for (const [key, value] of Object.entries(values)) {
    if (seen.has(key)) continue;
    changed.push(key);
    out.push({ kind: 'entry', raw: `${key}=${formatEnvValue(value)}`, key, value, exported: false });
  }
  return { lines: out, changed };
}

export function serializeEnvFile(lines: readonly EnvLine[]): string {
  return lines.map((line) => line.raw).join('\n') + '\n';
}
