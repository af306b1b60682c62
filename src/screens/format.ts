/** Small, pure formatting helpers shared by the screens (deterministic: UTC, no locale). */
import { consoleNextStep } from './hints.js';

export function clockTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 19)} UTC`;
}

/** "5m", "3h", "2d" since an ISO time. */
export function age(iso: string, now: number): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '?';
  const minutes = Math.max(0, Math.floor((now - then) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h`;
  return `${Math.floor(minutes / 1440)}d`;
}

export function shortHash(hash: string): string {
  return hash.slice(0, 8);
}

/** An error as the operator should read it: the message, and the console's next step when there is one. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const next = consoleNextStep(error);
    return next ? `${error.message} — ${next}` : error.message;
  }
  return String(error);
}

export function latency(ms: number | undefined): string {
  return ms === undefined ? '—' : `${Math.round(ms)} ms`;
}
