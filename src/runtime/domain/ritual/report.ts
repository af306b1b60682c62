/**
 * Text, Markdown and JSON renderings of the ritual: the `caio release check` checklist and the SPEC 10
 * completion report (its lines match the template exactly). Pure: data in, strings out.
 */
import type { Ritual, TargetEnv } from './model.js';
import { stagingGateSteps, type StepResult, type StepStatus, type Verdict } from './verdict.js';

export interface ReportMeta {
  release_id: string;
  env: TargetEnv;
  redis_required: boolean | undefined;
  inngest_required: boolean | undefined;
  /** When the latest check ran (ISO), if ever. */
  checked_at: string | undefined;
  target: string | undefined;
  /** Production: the same release's stored staging results (its validation and smoke are listed). */
  staging?: ReadonlyMap<string, StepResult> | undefined;
}

/** One check's stored evidence: where it ran, who ran it, when. */
export interface EvidenceLine {
  step_id: string;
  env: TargetEnv;
  outcome: string;
  target: string | null;
  by: string | null;
  at: string | null;
}

/** One manual step's sign-off (or its absence), with the note. */
export interface SignOffLine {
  step_id: string;
  title: string;
  confirmed: boolean;
  by: string | null;
  at: string | null;
  note: string | null;
}

export interface OpenIssue {
  step_id: string;
  outcome: string;
  level: 'required' | 'advisory' | 'no-go';
  message: string;
}

export interface CompletionReport {
  title: 'CAIO Runtime Reliability Checkpoint Complete.';
  release_id: string;
  environment: TargetEnv;
  redis_required: boolean | null;
  inngest_required: boolean | null;
  checked_at: string | null;
  target: string | null;
  checks: { name: string; value: string }[];
  decision: 'GO' | 'NO-GO';
  open_issues: OpenIssue[];
  evidence: EvidenceLine[];
  sign_offs: SignOffLine[];
  steps: StepStatus[];
}

const NOT_CHECKED = 'not checked';

export function buildCompletionReport(
  ritual: Ritual,
  verdict: Verdict,
  results: ReadonlyMap<string, StepResult>,
  meta: ReportMeta,
): CompletionReport {
  const inScope = new Set(verdict.steps.map((step) => step.id));
  const scoped = ritual.steps.filter((step) => inScope.has(step.id));
  const facts = scoped.flatMap((step) => {
    const found = results.get(step.id)?.facts;
    return found ? [found] : [];
  });
  const first = <T>(pick: (f: (typeof facts)[number]) => T | undefined): T | undefined => {
    for (const fact of facts) {
      const value = pick(fact);
      if (value !== undefined) return value;
    }
    return undefined;
  };

  const validateOutcomes = scoped
    .filter((step) => step.check === 'validate')
    .map((step) => verdict.steps.find((status) => status.id === step.id)?.outcome ?? 'pending');
  const validate =
    validateOutcomes.length === 0 || validateOutcomes.every((o) => o === 'pending')
      ? NOT_CHECKED
      : validateOutcomes.includes('fail')
        ? 'FAIL'
        : validateOutcomes.every((o) => o === 'pass')
          ? 'PASS'
          : 'INCONCLUSIVE';
  const ready = first((f) => f.dependencies_ready);
  const readiness = first((f) => f.readiness_status);
  const inngest = first((f) => f.inngest);
  const replay = first((f) => f.replay);

  const checks = [
    { name: 'validate_runtime_env', value: validate },
    { name: '/api/runtime/dependencies', value: ready === undefined ? NOT_CHECKED : `ready=${ready}` },
    { name: '/api/health/ready', value: readiness === undefined ? NOT_CHECKED : String(readiness) },
    {
      name: '/inngest',
      value: inngest
        ? `mode=${inngest.mode ?? 'unknown'}, function_count=${inngest.function_count ?? 'unknown'}`
        : NOT_CHECKED,
    },
    {
      name: 'replay_harness',
      value: replay
        ? `pass_rate=${replay.pass_rate.toFixed(2)}, block_build=${replay.block_build}`
        : NOT_CHECKED,
    },
  ];

  const open_issues: OpenIssue[] = [
    ...verdict.steps
      .filter((step) => step.outcome !== 'pass')
      .map((step) => ({
        step_id: step.id,
        outcome: step.outcome,
        level: step.level,
        message: step.summary,
      })),
    ...verdict.no_go.map((condition) => ({
      step_id: condition.step_id,
      outcome: condition.code,
      level: 'no-go' as const,
      message: condition.message,
    })),
  ];

  const stagingLines: EvidenceLine[] =
    meta.env === 'production'
      ? stagingGateSteps(ritual).map((step) => {
          const found = meta.staging?.get(step.id);
          return {
            step_id: step.id,
            env: 'staging',
            outcome: found ? found.outcome.toUpperCase() : 'NOT RUN',
            target: found?.evidence.target ?? null,
            by: found?.evidence.by ?? null,
            at: found?.evidence.at ?? null,
          };
        })
      : [];
  const evidence: EvidenceLine[] = [
    ...stagingLines,
    ...verdict.steps
      .filter((step) => step.kind === 'auto')
      .map((step) => ({
        step_id: step.id,
        env: meta.env,
        outcome: step.evidence ? step.outcome.toUpperCase() : 'NOT RUN',
        target: step.evidence?.target ?? null,
        by: step.evidence?.by ?? null,
        at: step.evidence?.at ?? null,
      })),
  ];
  const sign_offs: SignOffLine[] = verdict.steps
    .filter((step) => step.kind === 'manual')
    .map((step) => ({
      step_id: step.id,
      title: step.title,
      confirmed: step.outcome === 'pass',
      by: step.evidence?.by ?? null,
      at: step.evidence?.at ?? null,
      note: step.evidence?.note ?? null,
    }));

  return {
    title: 'CAIO Runtime Reliability Checkpoint Complete.',
    release_id: meta.release_id,
    environment: meta.env,
    redis_required: meta.redis_required ?? null,
    inngest_required: meta.inngest_required ?? null,
    checked_at: meta.checked_at ?? null,
    target: meta.target ?? null,
    checks,
    decision: verdict.decision,
    open_issues,
    evidence,
    sign_offs,
    steps: verdict.steps,
  };
}

function issueLine(issue: OpenIssue): string {
  if (issue.level === 'no-go') return `no-go (${issue.step_id}): ${issue.message}`;
  const advisory = issue.level === 'advisory' ? ' (advisory)' : '';
  return `${issue.step_id}: ${issue.outcome.toUpperCase()}${advisory} — ${issue.message}`;
}

const flag = (value: boolean | null) => (value === null ? 'unknown' : String(value));

/** `reportEnv`: the environment of the report (lines of another environment name theirs). */
export function evidenceLineText(line: EvidenceLine, reportEnv?: TargetEnv): string {
  const env = reportEnv !== undefined && line.env !== reportEnv ? ` (${line.env})` : '';
  if (line.by === null) return `${line.step_id}${env}: ${line.outcome}`;
  return `${line.step_id}${env}: ${line.outcome} on ${line.target ?? 'unknown target'}, by ${line.by} at ${line.at}`;
}

export function signOffText(line: SignOffLine): string {
  if (!line.confirmed) return `${line.step_id}: not confirmed`;
  return `${line.step_id}: confirmed by ${line.by} at ${line.at}${line.note ? ` — note: ${line.note}` : ''}`;
}

/** What follows the template: each check's target, who ran it and when; every sign-off and its note. */
function trailer(report: CompletionReport, bullet: (text: string) => string): string[] {
  return [
    '',
    `Release: ${report.release_id}${report.target ? ` (last check against ${report.target}${report.checked_at ? ` at ${report.checked_at}` : ''})` : ''}`,
    'Evidence:',
    ...report.evidence.map((line) => bullet(evidenceLineText(line, report.environment))),
    'Sign-offs:',
    ...(report.sign_offs.length === 0
      ? [bullet('none in this ritual')]
      : report.sign_offs.map((line) => bullet(signOffText(line)))),
  ];
}

/** The SPEC 10 template, line for line. */
export function renderCompletionText(report: CompletionReport): string {
  const lines = [
    report.title,
    '',
    `Environment: ${report.environment}`,
    `REDIS_REQUIRED: ${flag(report.redis_required)}`,
    `INNGEST_REQUIRED: ${flag(report.inngest_required)}`,
    '',
    'Checks:',
    ...report.checks.map((check) => `- ${check.name}: ${check.value}`),
    '',
    `Release Decision: ${report.decision}`,
  ];
  if (report.open_issues.length === 0) lines.push('Open Issues: none');
  else lines.push('Open Issues:', ...report.open_issues.map((issue) => `- ${issueLine(issue)}`));
  lines.push(...trailer(report, (text) => `- ${text}`));
  return lines.join('\n');
}

export function renderCompletionMarkdown(report: CompletionReport): string {
  const lines = [
    `## ${report.title}`,
    '',
    `- **Environment:** ${report.environment}`,
    `- **REDIS_REQUIRED:** ${flag(report.redis_required)}`,
    `- **INNGEST_REQUIRED:** ${flag(report.inngest_required)}`,
    `- **Release:** ${report.release_id}${report.checked_at ? ` (checked ${report.checked_at})` : ''}`,
    '',
    '### Checks',
    '',
    ...report.checks.map((check) => `- \`${check.name}\`: ${check.value}`),
    '',
    `**Release Decision: ${report.decision}**`,
    '',
  ];
  if (report.open_issues.length === 0) lines.push('Open Issues: none');
  else
    lines.push(
      '### Open Issues',
      '',
      ...report.open_issues.map((issue) => `- ${escapeMd(issueLine(issue))}`),
    );
  lines.push(...trailer(report, (text) => `- ${escapeMd(text)}`));
  return lines.join('\n');
}

function escapeMd(text: string): string {
  return text.replace(/([\\`*_[\]|<>])/g, '\\$1');
}

export interface ChecklistMeta {
  release_id: string;
  env: TargetEnv;
  target: string;
  ritual_source: string;
}

/** The `caio release check` output: one line per step, evidence, no-go conditions, the decision last. */
export function renderChecklist(verdict: Verdict, meta: ChecklistMeta): string {
  const width = Math.max(...verdict.steps.map((step) => step.id.length), 4);
  const lines = [
    `Release ${meta.release_id} · ${meta.env} · target: ${meta.target}`,
    `Ritual: ${meta.ritual_source} (${verdict.steps.length} steps in scope)`,
    '',
  ];
  for (const step of verdict.steps) {
    const label = outcomeLabel(step.outcome).padEnd(12);
    const advisory = step.level === 'advisory' ? ' (advisory)' : '';
    lines.push(`${label} ${step.id.padEnd(width)}  ${step.title}${advisory}`);
    lines.push(`${' '.repeat(13)}${step.summary}${evidenceTail(step)}`);
  }
  if (verdict.no_go.length > 0) {
    lines.push('', 'No-go conditions:', ...verdict.no_go.map((c) => `- ${c.message} (${c.step_id})`));
  }
  if (verdict.blocking.length > 0) {
    lines.push('', `Blocking: ${verdict.blocking.map((s) => `${s.id} (${s.outcome})`).join(', ')}`);
  }
  const manualPending = verdict.blocking.filter((s) => s.kind === 'manual' && s.outcome === 'pending');
  if (manualPending.length > 0) {
    lines.push(
      `Next: confirm with \`caio release confirm STEP|all --by NAME\` (pending: ${manualPending.map((s) => s.id).join(', ')})`,
    );
  }
  lines.push('', `Release Decision: ${verdict.decision}`);
  return lines.join('\n');
}

export function outcomeLabel(outcome: string): string {
  return outcome.toUpperCase();
}

function evidenceTail(step: StepStatus): string {
  const e = step.evidence;
  if (!e) return '';
  const parts: string[] = [];
  if (e.measured && step.kind === 'auto') parts.push(`measured ${e.measured}`);
  if (e.threshold) parts.push(`threshold ${e.threshold}`);
  if (e.duration_ms !== undefined) parts.push(`${Math.round(e.duration_ms)} ms`);
  parts.push(`${e.by} at ${e.at}`);
  if (e.target && step.kind === 'auto') parts.push(`target ${e.target}`);
  if (e.note) parts.push(`note: ${e.note}`);
  return ` [${parts.join(', ')}]`;
}
