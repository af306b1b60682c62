/** Draft fixtures for queue/gatekeeper tests. */
import { canonicalEmail } from '../../../src/runtime/domain/canonical-email.js';
import type { Draft, DraftInput } from '../../../src/runtime/domain/queue/draft.js';

export function makeDraft(overrides: Partial<Draft> & { id: string }): Draft {
  const email = overrides.lead?.email ?? `${overrides.id}@example.com`;
  return {
    motion: 'outbound',
    source: 'import',
    lead: { email, first_name: 'Ada', company: 'Acme' },
    canonical_email: canonicalEmail(email),
    subject: `Hello ${overrides.id}`,
    body: `Body of ${overrides.id}`,
    context: [],
    findings: [],
    created_at: '2026-01-05T10:00:00.000Z',
    status: 'pending',
    decided_by: null,
    decided_at: null,
    rejection: null,
    duplicate_of: null,
    suppression: null,
    batch_id: null,
    sent_at: null,
    error: null,
    escalated_at: null,
    updated_at: '2026-01-05T10:00:00.000Z',
    ...overrides,
  };
}

export function draftInput(n: number, overrides: Partial<DraftInput> = {}): DraftInput {
  return {
    id: `d${String(n).padStart(5, '0')}`,
    motion: 'outbound',
    lead: { email: `lead${n}@company${n % 97}.example`, first_name: 'Sam', company: `Company ${n % 97}` },
    subject: `Quick question ${n}`,
    body: `Hi Sam,\n\nDraft number ${n}.\n\nBest,\nCAIO`,
    ...overrides,
  };
}

export function jsonl(inputs: readonly unknown[]): string {
  return `${inputs.map((input) => JSON.stringify(input)).join('\n')}\n`;
}
