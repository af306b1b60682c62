/**
 * The draft record of SPEC 7 and the intake line format, as zod schemas. Stored drafts are validated
 * again when read back from a store (Redis values are just strings).
 */
import { z } from 'zod';
import { isPlausibleEmail } from '../canonical-email.js';

export const DRAFT_STATUSES = [
  'pending',
  'approved',
  'rejected',
  'batched',
  'sent',
  'failed',
  'suppressed',
  'duplicate',
] as const;
export type DraftStatus = (typeof DRAFT_STATUSES)[number];

export const MOTIONS = ['outbound', 'inbound'] as const;
export type Motion = (typeof MOTIONS)[number];

export const DEFAULT_REJECTION_TAXONOMY = [
  'tone',
  'personalization',
  'accuracy',
  'compliance',
  'targeting',
] as const;

export const SUPPRESSION_REASONS = ['bounced', 'unsubscribed', 'replied', 'interested'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export const FindingSchema = z.object({
  rule: z.string(),
  category: z.enum(['tone', 'personalization', 'accuracy', 'compliance', 'targeting']),
  // 'advice' never fails a draft; 'minor' is its older name, still read from stored drafts.
  severity: z.enum(['critical', 'major', 'advice', 'minor']),
  message: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

const optionalText = z.string().trim().max(500).optional();

export const LeadSchema = z.object({
  email: z
    .string()
    .trim()
    .max(320)
    .refine(isPlausibleEmail, { message: 'lead.email is not an email address' }),
  first_name: optionalText,
  last_name: optionalText,
  company: optionalText,
  title: optionalText,
  segment: optionalText,
  tier: optionalText,
});
export type Lead = z.infer<typeof LeadSchema>;

export const ContextRefSchema = z.object({ ref: z.string().min(1), text: z.string() });
export type ContextRef = z.infer<typeof ContextRefSchema>;

/** One line of `caio queue import` / one body of `POST /api/queue`. */
export const DraftInputSchema = z.object({
  id: z
    .string()
    .trim()
    .min(1)
    .max(120)
    .regex(/^[A-Za-z0-9._:-]+$/, { message: 'id may only contain letters, digits and . _ : -' })
    .optional(),
  motion: z.enum(MOTIONS).optional(),
  lead: LeadSchema,
  subject: z.string().trim().min(1, { message: 'subject is empty' }).max(300),
  body: z.string().min(1, { message: 'body is empty' }).max(20_000),
  context: z.array(ContextRefSchema).max(100).optional(),
});
export type DraftInput = z.infer<typeof DraftInputSchema>;

export const DraftSourceSchema = z.enum(['import', 'api', 'event']);
export type DraftSource = z.infer<typeof DraftSourceSchema>;

const iso = z.string();

export const DraftSchema = z.object({
  id: z.string(),
  motion: z.enum(MOTIONS),
  source: DraftSourceSchema,
  lead: LeadSchema,
  canonical_email: z.string(),
  subject: z.string(),
  body: z.string(),
  /** SHA-256 of the body, computed at intake (older records: computed when needed). */
  body_sha256: z.string().optional(),
  context: z.array(ContextRefSchema),
  findings: z.array(FindingSchema),
  created_at: iso,
  status: z.enum(DRAFT_STATUSES),
  decided_by: z.string().nullable(),
  decided_at: iso.nullable(),
  rejection: z.object({ category: z.string(), note: z.string().nullable() }).nullable(),
  duplicate_of: z.string().nullable(),
  suppression: z.object({ reason: z.string(), source: z.string(), at: iso }).nullable(),
  batch_id: z.string().nullable(),
  sent_at: iso.nullable(),
  error: z.string().nullable(),
  escalated_at: iso.nullable(),
  updated_at: iso,
});
export type Draft = z.infer<typeof DraftSchema>;

/** The fields a Gatekeeper preview needs: validating only these keeps a 10,000-draft preview fast. */
export const SelectableDraftSchema = DraftSchema.pick({
  id: true,
  motion: true,
  status: true,
  lead: true,
  canonical_email: true,
  subject: true,
  body: true,
  body_sha256: true,
  created_at: true,
});
export type SelectableDraft = z.infer<typeof SelectableDraftSchema>;

/** Statuses that hold an address: a new draft for the same person is a duplicate. */
export const ACTIVE_STATUSES: readonly DraftStatus[] = ['pending', 'approved', 'batched', 'sent'];

export function isActive(status: DraftStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** Readable zod issues: `lead.email: lead.email is not an email address; subject: Required`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 4)
    .map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message))
        return `${path || 'value'} is required`;
      return path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
