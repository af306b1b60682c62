/**
 * The Release screen's port: the ritual checklist of the current release (`v<version>`) for the
 * console's environment, checked against the console's own in-process server (or the configured
 * deployed URL), with the same release service, evidence in the record and audit rows as
 * `caio release`. Sign-offs are made as the console's operator (pto or admin role).
 */
import { createReleaseFor } from '../runtime/services/release-wiring.js';
import { join } from 'node:path';
import { VERSION } from '../cli/version.js';
import type { RawEnv } from '../runtime/config.js';
import {
  renderCompletionMarkdown,
  type RitualStep,
  type StepStatus,
  type TargetEnv,
} from '../runtime/domain/ritual/index.js';
import { UserError } from '../runtime/errors.js';
import { maskUrl } from '../runtime/mask.js';
import { writePrivateFile } from '../runtime/private-files.js';
import type { CheckTarget } from '../runtime/services/release-checks.js';
import { loadRitual, type ConfirmationRecord, type LoadedRitual } from '../runtime/services/release.js';
import type { Runtime } from '../runtime/services/runtime.js';
import type { ReleasePort, ReleaseStepView, StepProgress, TickResult } from './services.js';

export interface ReleasePortOptions {
  actor: string;
  serverUrl: string | undefined;
  cwd: string;
  projectRoot: string;
  rawEnv: RawEnv;
  /** The release to show and sign off (`caio console --release ID`); else the newest one checked for this env. */
  releaseId?: string | undefined;
}

function historyLine(c: ConfirmationRecord): string {
  return [
    `${c.by} at ${c.at}`,
    c.note ? `note: ${c.note}` : '',
    c.forced ? 'forced' : '',
    c.revoked_at ? `withdrawn by ${c.revoked_by ?? '?'} at ${c.revoked_at}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export function stepView(
  step: StepStatus,
  ritualStep?: RitualStep,
  history?: readonly ConfirmationRecord[],
): ReleaseStepView {
  const e = step.evidence;
  const facts = [
    step.summary,
    e?.measured ? `measured ${e.measured}` : '',
    e?.threshold ? `threshold ${e.threshold}` : '',
    e?.excerpt ? `“${e.excerpt}”` : '',
    e?.note ? `note: ${e.note}` : '',
  ].filter(Boolean);
  return {
    id: step.id,
    title: step.title,
    kind: step.kind,
    required: step.level === 'required',
    status: step.outcome.toUpperCase(),
    evidence: facts.join('; '),
    by: e?.by,
    at: e?.at,
    ...(e?.target && step.kind === 'auto' ? { target: e.target } : {}),
    ...(ritualStep?.help ? { help: ritualStep.help } : {}),
    ...(history && history.length > 0 ? { history: history.map(historyLine) } : {}),
  };
}

export function createReleasePort(runtime: Runtime, options: ReleasePortOptions): ReleasePort {
  const { config } = runtime;
  const env: TargetEnv = config.mode === 'production' ? 'production' : 'staging';
  const deployed = env === 'production' ? config.DEPLOY_BASE_URL_PRODUCTION : config.DEPLOY_BASE_URL_STAGING;
  const baseUrl = deployed ?? options.serverUrl;
  const target: CheckTarget = {
    env,
    baseUrl,
    token: config.DASHBOARD_AUTH_TOKEN,
    // The label lands on screen, in stored evidence and in audit rows: never a URL's credentials.
    label: deployed
      ? maskUrl(deployed)
      : options.serverUrl
        ? `in-process runtime (${options.serverUrl})`
        : 'in-process runtime',
    rawEnv: options.rawEnv,
    config,
  };
  const service = createReleaseFor({ record: runtime.record, runtime, projectRoot: options.projectRoot });
  // The ritual file is read on first use; a broken file shows on the Release screen, not at start.
  let loaded: LoadedRitual | undefined;
  const ritual = () =>
    (loaded ??= loadRitual({ cwd: options.cwd, hiveDir: config.HIVE_DIR, projectRoot: options.projectRoot }))
      .ritual;
  // The release on screen: the one asked for, else the newest decision for this env (what the CLI's
  // `caio release check --release r7` just stored), else this build's version.
  const currentRelease = async (): Promise<string> =>
    options.releaseId ?? (await service.latestRun(undefined, env))?.release_id ?? `v${VERSION}`;
  const check = async (only: readonly string[] | undefined, onStep: StepProgress | undefined) =>
    service.check({
      ritual: ritual(),
      releaseId: await currentRelease(),
      target,
      actor: options.actor,
      ...(only ? { only } : {}),
      onStep: (r) => onStep?.({ id: r.step_id, status: r.outcome.toUpperCase(), evidence: r.summary }),
    });

  return {
    async checklist() {
      const r = ritual();
      const releaseId = await currentRelease();
      const [verdict, history] = await Promise.all([
        service.verdict(r, releaseId, env),
        service.confirmationHistory(releaseId),
      ]);
      const byId = new Map(r.steps.map((step) => [step.id, step]));
      return {
        environment: `${env}, release ${releaseId}, against ${target.label}`,
        decision: verdict.decision,
        steps: verdict.steps.map((step) =>
          stepView(
            step,
            byId.get(step.id),
            history.filter((c) => c.step_id === step.id),
          ),
        ),
        pending: verdict.blocking.map((s) => s.id),
        noGo: verdict.no_go.map((c) => c.message),
      };
    },
    async rerun(stepId, onStep) {
      await check([stepId], onStep);
    },
    async runAll(onStep) {
      await check(undefined, onStep);
    },
    async tick(stepId, tickOptions = {}): Promise<TickResult> {
      try {
        const outcome = await service.confirm({
          ritual: ritual(),
          releaseId: await currentRelease(),
          which: stepId,
          by: options.actor,
          force: tickOptions.force === true,
        });
        const skipped = outcome.skipped[0];
        if (skipped) return { status: 'skipped', message: skipped.message };
        const done = outcome.confirmed[0];
        return {
          status: 'confirmed',
          message: `Signed off ${stepId} as ${done?.by ?? options.actor}${done?.forced ? ' (forced; the earlier sign-off stays in the history)' : ''}`,
        };
      } catch (error) {
        if (error instanceof UserError && error.code === 'confirmed_by_other') {
          return {
            status: 'needs-force',
            message: error.message.replace(
              /re-confirming it as (.+?) needs --force.*$/,
              're-confirm it as $1? (their sign-off stays in the history)',
            ),
          };
        }
        throw error;
      }
    },
    async untick(stepId) {
      const withdrawn = await service.unconfirm({
        ritual: ritual(),
        releaseId: await currentRelease(),
        step: stepId,
        by: options.actor,
      });
      if (withdrawn.length === 0) return `${stepId} was not signed off: nothing to withdraw`;
      return `Withdrew the sign-off of ${stepId} (${withdrawn.map((c) => c.by).join(', ')})`;
    },
    async exportReport() {
      const releaseId = await currentRelease();
      const report = await service.report(ritual(), releaseId, env);
      const file = join(config.HIVE_DIR, 'reports', `completion-${releaseId}-${env}.md`);
      writePrivateFile(file, renderCompletionMarkdown(report));
      return { file };
    },
  };
}
