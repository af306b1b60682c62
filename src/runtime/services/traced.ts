/**
 * Trace envelopes at service-method boundaries (SPEC 5): `traceMethods` returns the same service with
 * the named methods wrapped in `traces.span`, so each call leaves one envelope (tool name, case id,
 * input and output summaries, status, duration) under the correlation id of whatever started it —
 * the HTTP request's `x-correlation-id`, carried by AsyncLocalStorage. Services stay unaware of it.
 */
import type { SpanMeta, TraceWriter } from './traces.js';

export interface MethodTrace {
  tool: string;
  /** What to summarise of the arguments (default: none; arguments can be large). */
  input?: (...args: never[]) => unknown;
  /** What to summarise of the result (default: none). */
  output?: (result: never) => unknown;
  /** The case this call is about (a draft id, a batch id). */
  caseId?: (...args: never[]) => string | null | undefined;
}

type Methods<T> = { [K in keyof T]?: T[K] extends (...args: never[]) => unknown ? MethodTrace : never };

export type SpanPort = Pick<TraceWriter, 'span'>;

export function traceMethods<T extends object>(
  service: T,
  traces: SpanPort | undefined,
  methods: Methods<T>,
): T {
  if (!traces) return service;
  const wrapped: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(methods) as [string, MethodTrace | undefined][]) {
    const original = (service as Record<string, unknown>)[name];
    if (!spec || typeof original !== 'function') continue;
    wrapped[name] = (...args: never[]) => {
      const meta: SpanMeta<unknown> = {
        input: spec.input ? spec.input(...args) : undefined,
        output: spec.output ? (result) => spec.output?.(result as never) : () => undefined,
      };
      const caseId = spec.caseId?.(...args);
      if (caseId) meta.caseId = caseId;
      return traces.span(
        spec.tool,
        () => (original as (...a: never[]) => unknown).apply(service, args),
        meta,
      );
    };
  }
  return Object.assign(Object.create(Object.getPrototypeOf(service) as object) as T, service, wrapped);
}
