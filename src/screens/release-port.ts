/**
 * The Release screen's port: the ritual checklist of the current release (`v<version>`) for the
 * console's environment, checked against the console's own in-process server (or the configured
 * deployed URL), with the same release service, evidence and audit rows as `caio release`.
 */
import { join } from 'node:path';
import { VERSION } from '../cli/version.js';
import type { RawEnv } from '../runtime/config.js';
import { renderCompletionMarkdown, type StepStatus, type TargetEnv } from '../runtime/domain/ritual/index.js';
import { maskUrl } from '../runtime/mask.js';
import { writePrivateFile } from '../runtime/private-files.js';
import { exampleValues } from '../runtime/services/load-env.js';
import { createCheckRegistry } from '../runtime/services/release-adapters.js';
import type { CheckTarget } from '../runtime/services/release-checks.js';
import { onReleaseDecision } from '../runtime/services/notifier-wiring.js';
import { createReleaseService, loadRitual, type LoadedRitual } from '../runtime/services/release.js';
import type { Runtime } from '../runtime/services/runtime.js';
import type { ReleasePort, ReleaseStepView, StepProgress } from './services.js';

export interface ReleasePortOptions {
  actor: string;
  serverUrl: string | undefined;
  cwd: string;
  projectRoot: string;
  rawEnv: RawEnv;
}

export function stepView(step: StepStatus): ReleaseStepView {
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
  };
}

export function createReleasePort(runtime: Runtime, options: ReleasePortOptions): ReleasePort {
  const { config } = runtime;
  const env: TargetEnv = config.mode === 'production' ? 'production' : 'staging';
  const releaseId = `v${VERSION}`;
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
  const service = createReleaseService({
    db: runtime.db,
    audit: runtime.audit,
    onDecision: onReleaseDecision(runtime.notifier),
    checks: createCheckRegistry({
      exampleValues: exampleValues(options.projectRoot),
      db: runtime.db,
      runtime: runtime as unknown as Record<string, unknown>,
    }),
  });
  // The ritual file is read on first use; a broken file shows on the Release screen, not at start.
  let loaded: LoadedRitual | undefined;
  const ritual = () =>
    (loaded ??= loadRitual({ cwd: options.cwd, hiveDir: config.HIVE_DIR, projectRoot: options.projectRoot }))
      .ritual;
  const check = (only: readonly string[] | undefined, onStep: StepProgress | undefined) =>
    service.check({
      ritual: ritual(),
      releaseId,
      target,
      actor: options.actor,
      ...(only ? { only } : {}),
      onStep: (r) => onStep?.({ id: r.step_id, status: r.outcome.toUpperCase(), evidence: r.summary }),
    });

  return {
    async checklist() {
      const verdict = service.verdict(ritual(), releaseId, env);
      return {
        environment: `${env}, release ${releaseId}, against ${target.label}`,
        decision: verdict.decision,
        steps: verdict.steps.map(stepView),
        pending: verdict.blocking.map((s) => s.id),
      };
    },
    async rerun(stepId, onStep) {
      await check([stepId], onStep);
    },
    async runAll(onStep) {
      await check(undefined, onStep);
    },
    async tick(stepId) {
      await service.confirm({ ritual: ritual(), releaseId, which: stepId, by: options.actor });
    },
    async exportReport() {
      const report = service.report(ritual(), releaseId, env);
      const file = join(config.HIVE_DIR, 'reports', `completion-${releaseId}-${env}.md`);
      writePrivateFile(file, renderCompletionMarkdown(report));
      return { file };
    },
  };
}
