/**
 * A golden case (`golden-set/cases/<id>.json`, SPEC 9): a realistic draft and the verdict and
 * categories the HoS expects from the rubric.
 */
import { z } from 'zod';
import { CATEGORIES } from './types.js';
import type { RubricInput } from './types.js';

const optionalText = z.string().optional();

export const goldenCaseSchema = z.object({
  id: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      'letters, digits, ".", "_" and "-" only (it is also the file name)',
    ),
  segment: z.string().trim().min(1),
  lead: z.object({
    email: z.string().trim().min(3),
    first_name: optionalText,
    last_name: optionalText,
    company: optionalText,
    title: optionalText,
    segment: optionalText,
    tier: optionalText,
  }),
  context: z.array(z.object({ ref: z.string().min(1), text: z.string() })).default([]),
  draft: z.object({ subject: z.string(), body: z.string() }),
  expected: z.object({
    verdict: z.enum(['pass', 'fail']),
    categories: z.array(z.enum(CATEGORIES)),
  }),
  /** Why the case exists (optional, for reviewers). */
  notes: optionalText,
});

export type GoldenCase = z.output<typeof goldenCaseSchema>;

export function caseInput(golden: GoldenCase): RubricInput {
  return { segment: golden.segment, lead: golden.lead, context: golden.context, draft: golden.draft };
}
