/**
 * `caio golden add --from-queue ID`: a rejected draft becomes a golden case whose expectation is the
 * reviewer's judgement (verdict fail, the rejection category). The rubric's current opinion is
 * reported next to it, so the operator sees at once whether the replay gate will now catch it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Draft } from '../domain/queue/draft.js';
import {
  CATEGORIES,
  caseInput,
  createRubric,
  goldenCaseSchema,
  type Category,
  type GoldenCase,
  type RubricResult,
} from '../domain/rubric/index.js';
import { RefusedError, UserError } from '../errors.js';
import type { AuditService } from '../services/audit.js';
import { writeAtomic } from './bootstrap.js';
import { loadRubricConfig } from '../services/rubric-config.js';

export interface GoldenAddInput {
  draft: Draft | undefined;
  draftId: string;
  goldenSetDir: string;
  /** Case id (file name); default `queue-<draft id>`. */
  caseId?: string | undefined;
  /** Needed when the lead record has no segment. */
  segment?: string | undefined;
  actor: string;
  audit?: Pick<AuditService, 'append'> | undefined;
}

export interface GoldenAddResult {
  path: string;
  golden: GoldenCase;
  /** What the rubric says of the case today. */
  rubric: Pick<RubricResult, 'verdict' | 'categories'>;
  /** True when the rubric already agrees with the reviewer. */
  caught: boolean;
}

export function caseFromDraft(draft: Draft, caseId: string, segment: string): GoldenCase {
  const category = draft.rejection?.category;
  if (draft.status !== 'rejected' || !category) {
    throw new RefusedError(
      `Draft ${draft.id} is ${draft.status}, not rejected: only a rejected draft carries the reviewer's verdict`,
      'not_rejected',
      `Reject it first: caio queue reject ${draft.id} --category <category>.`,
    );
  }
  if (!(CATEGORIES as readonly string[]).includes(category)) {
    throw new RefusedError(
      `Draft ${draft.id} was rejected as "${category}", which the rubric does not score`,
      'category_not_scored',
      `Golden cases expect one of: ${CATEGORIES.join(', ')}.`,
    );
  }
  const parsed = goldenCaseSchema.safeParse({
    id: caseId,
    segment,
    lead: { ...draft.lead, email: draft.lead.email },
    context: draft.context,
    draft: { subject: draft.subject, body: draft.body },
    expected: { verdict: 'fail', categories: [category as Category] },
    notes: `From queue draft ${draft.id}, rejected by ${draft.decided_by ?? 'unknown'}${
      draft.rejection?.note ? `: ${draft.rejection.note}` : ''
    }`,
  });
  if (!parsed.success) {
    throw new UserError(
      `Cannot make a golden case from ${draft.id}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      {
        nextStep: 'Pass --id with letters, digits, ".", "_" or "-" only.',
      },
    );
  }
  return parsed.data;
}

export async function addGoldenCase(input: GoldenAddInput): Promise<GoldenAddResult> {
  const { draft } = input;
  if (!draft) {
    throw new RefusedError(
      `No draft ${input.draftId} in the queue`,
      'not_found',
      'List drafts with: caio queue list --status rejected.',
    );
  }
  const caseId = input.caseId ?? `queue-${draft.id.replace(/[^A-Za-z0-9._-]/g, '-')}`;
  const segment = input.segment ?? draft.lead.segment;
  if (!segment) {
    throw new UserError(`Draft ${draft.id} has no lead segment`, {
      nextStep: 'Pass --segment (e.g. smb, mid-market, enterprise, agency).',
    });
  }
  const golden = caseFromDraft(draft, caseId, segment);
  const casesDir = join(input.goldenSetDir, 'cases');
  const path = join(casesDir, `${caseId}.json`);
  if (existsSync(path)) {
    throw new RefusedError(
      `A golden case ${caseId} already exists at ${path}`,
      'case_exists',
      'Pass --id NEW_ID to add it under another name.',
    );
  }
  const verdict = createRubric(loadRubricConfig(input.goldenSetDir)).evaluate(caseInput(golden));
  mkdirSync(casesDir, { recursive: true });
  writeAtomic(path, `${JSON.stringify(golden, null, 2)}\n`, 0o644);
  await input.audit?.append({
    actor: input.actor,
    action: 'golden.add',
    subject: `golden/${caseId}`,
    details: { draft_id: draft.id, category: golden.expected.categories[0], rubric_verdict: verdict.verdict },
  });
  const caught =
    verdict.verdict === 'fail' && golden.expected.categories.every((c) => verdict.categories.includes(c));
  return { path, golden, rubric: { verdict: verdict.verdict, categories: verdict.categories }, caught };
}
