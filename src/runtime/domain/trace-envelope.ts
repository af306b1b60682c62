/**
 * Trace envelopes (SPEC 5): one JSON line per tool call or operation. Pure: building an envelope,
 * summarising inputs and outputs with secrets redacted, parsing a line back, and the retention rule.
 * The file handling (append, lock, prune) lives in `services/traces.ts`.
 */
import { z } from 'zod';
import { redact } from '../mask.js';

export const TRACE_STATUSES = ['success', 'error', 'blocked', 'skipped'] as const;
export type TraceStatus = (typeof TRACE_STATUSES)[number];

/** The longest summary kept in an envelope; longer ones end in `…(N chars)`. */
export const SUMMARY_MAX_CHARS = 500;

export const traceEnvelopeSchema = z.object({
  correlation_id: z.string().min(1),
  case_id: z.string().nullable(),
  agent: z.string().min(1),
  tool_name: z.string().min(1),
  tool_input_summary: z.string(),
  tool_output_summary: z.string(),
  retrieved_context_refs: z.array(z.string()),
  /** One of TRACE_STATUSES when written by caio; any non-empty word is accepted on read. */
  status: z.string().min(1),
  duration_ms: z.number().nonnegative(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  ts: z.iso.datetime(),
});

export type TraceEnvelope = z.infer<typeof traceEnvelopeSchema>;

/** What a caller gives; everything else has a default. */
export interface TraceEnvelopeInput {
  tool_name: string;
  status: TraceStatus;
  correlation_id?: string | undefined;
  case_id?: string | null | undefined;
  agent?: string | undefined;
  /** Raw input: summarised and redacted here. */
  input?: unknown;
  /** Raw output: summarised and redacted here. */
  output?: unknown;
  retrieved_context_refs?: readonly string[] | undefined;
  duration_ms?: number | undefined;
  error_code?: string | null | undefined;
  error_message?: string | null | undefined;
}

export const DEFAULT_AGENT = 'caio-runtime';

/** Object keys whose values are never written, whatever they hold. */
const SENSITIVE_KEY =
  /pass(word)?|secret|token|api[-_]?key|authorization|cookie|signing[-_]?key|event[-_]?key|credential|private[-_]?key/i;

/** Secret-shaped text, redacted even when the value is not a configured secret. */
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 ***'],
  [/\bsignkey-[a-z0-9]+-[0-9a-f]{8,}/gi, 'signkey-***'],
  [/\bwhsec_[A-Za-z0-9+/=]{8,}/g, 'whsec_***'],
  [/\b(rediss?|https?):\/\/([^:/@\s]*):([^@\s]+)@/gi, '$1://$2:***@'],
  [/([?&](?:token|secret|key|password)=)[^&\s"]+/gi, '$1***'],
];

/** Anything any of SECRET_PATTERNS could match contains one of these. */
const SECRET_SHAPED = /bearer|basic|signkey-|whsec_|:\/\/|[?&](?:token|secret|key|password)=/i;

function scrub(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'function' || typeof value === 'symbol') return undefined;
    return value;
  }
  if (depth > 6) return '[…]';
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => scrub(item, depth + 1));
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return scrub(withJson.toJSON(), depth + 1);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      SENSITIVE_KEY.test(key) && item !== null && item !== undefined && item !== ''
        ? '***'
        : scrub(item, depth + 1);
  }
  return out;
}

/** Redact configured secrets and secret-shaped text from free text. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = redact(text, secrets);
  // One cheap test first: most summaries hold nothing secret-shaped at all.
  if (!SECRET_SHAPED.test(out)) return out;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A short, secret-free text for an input or output: strings as they are, anything else as JSON with
 * sensitive keys masked; then configured secrets and secret-shaped text are redacted and the result
 * is cut at `maxChars`.
 */
export function summarize(
  value: unknown,
  secrets: readonly string[] = [],
  maxChars = SUMMARY_MAX_CHARS,
): string {
  if (value === undefined) return '';
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(scrub(value, 0)) ?? '';
    } catch {
      text = String(value);
    }
  }
  text = redactText(text, secrets);
  return text.length > maxChars ? `${text.slice(0, maxChars)}…(${text.length} chars)` : text;
}

/** Build a complete envelope. `correlationId` is used when the input has none. */
export function buildEnvelope(
  input: TraceEnvelopeInput,
  defaults: {
    correlationId: string;
    caseId?: string | null;
    agent?: string;
    now: number;
    secrets?: readonly string[];
  },
): TraceEnvelope {
  const secrets = defaults.secrets ?? [];
  const errorMessage = input.error_message ?? null;
  return {
    correlation_id: input.correlation_id ?? defaults.correlationId,
    case_id: input.case_id ?? defaults.caseId ?? null,
    agent: input.agent ?? defaults.agent ?? DEFAULT_AGENT,
    tool_name: input.tool_name,
    tool_input_summary: summarize(input.input, secrets),
    tool_output_summary: summarize(input.output, secrets),
    retrieved_context_refs: [...(input.retrieved_context_refs ?? [])],
    status: input.status,
    duration_ms: Math.max(0, Math.round((input.duration_ms ?? 0) * 100) / 100),
    error_code: input.error_code ?? null,
    error_message: errorMessage === null ? null : summarize(errorMessage, secrets),
    ts: new Date(defaults.now).toISOString(),
  };
}

export type ParsedLine = { ok: true; envelope: TraceEnvelope } | { ok: false; reason: string };

export function parseEnvelopeLine(line: string): ParsedLine {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = traceEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      reason: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    };
  }
  return { ok: true, envelope: parsed.data };
}

/** Envelopes with `ts` before this instant are past retention. */
export function retentionCutoff(days: number, now: number): number {
  return now - days * 86_400_000;
}

/**
 * Whether a line survives pruning. Only a well-formed envelope older than the cutoff is dropped; a
 * line that cannot be read is kept (its age is unknown, and pruning must never lose data it does not
 * understand) and counted as malformed.
 */
export function keepLine(line: string, cutoff: number): { keep: boolean; malformed: boolean } {
  const parsed = parseEnvelopeLine(line);
  if (!parsed.ok) return { keep: true, malformed: true };
  return { keep: Date.parse(parsed.envelope.ts) >= cutoff, malformed: false };
}
