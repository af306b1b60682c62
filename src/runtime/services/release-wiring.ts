/**
 * The release ritual's service, built one way for the CLI (`caio release`, `caio report`,
 * `caio status`), the console's Release screen and `/api/release*`: over the record, where the
 * evidence lives, with the runtime's checks, trace envelopes and NO-GO notification when a runtime
 * is up. It takes the runtime as optional rather than living only in the runtime container because
 * the ritual must still run when the runtime cannot start: the checks that need it then record that
 * as their evidence (`runtimeError`), and the decision is NO-GO.
 */
import type { RecordStore } from '../stores/record/record.js';
import { exampleValues } from './load-env.js';
import { onReleaseDecision } from './notifier-wiring.js';
import { createCheckRegistry } from './release-adapters.js';
import { createReleaseService, type ReleaseService } from './release.js';
import type { Runtime } from './runtime.js';

export interface ReleaseWiring {
  record: RecordStore;
  /** The running runtime, when it started: checks, traces, the NO-GO notification. */
  runtime?: Runtime | undefined;
  /** Why the runtime did not start (its checks say so). */
  runtimeError?: string | undefined;
  /** Where `.env.example` lives (placeholder detection of `validate`). Without it: evidence only, no checks. */
  projectRoot?: string | undefined;
}

export function createReleaseFor(wiring: ReleaseWiring): ReleaseService {
  const { record, runtime, projectRoot } = wiring;
  return createReleaseService({
    record,
    onDecision: runtime ? onReleaseDecision(runtime.notifier) : undefined,
    traces: runtime?.traces,
    checks:
      projectRoot === undefined
        ? {}
        : createCheckRegistry({
            exampleValues: exampleValues(projectRoot),
            runtime: runtime as unknown as Record<string, unknown> | undefined,
            runtimeError: wiring.runtimeError,
          }),
  });
}
