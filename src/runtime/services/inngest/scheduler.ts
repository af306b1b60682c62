/**
 * The in-process scheduler: when Inngest is not configured, it runs the cron job bodies on the same
 * schedules (checked once a minute, UTC). It also sweeps webhook events left `stored` (crash
 * recovery, a service that appeared since) in every mode.
 */
import type { Logger } from 'pino';
import { errorMessage } from '../../errors.js';
import { parseCron, type CronMatcher } from './cron.js';
import {
  CRONS,
  queueAgingJob,
  replayGateJob,
  traceRetentionJob,
  type JobDeps,
  type JobResult,
} from './jobs.js';

export interface ScheduledJob {
  name: string;
  cron: string;
  /** Log its runs at debug level (the frequent webhook sweep). */
  quiet?: boolean;
  run(): Promise<JobResult | unknown>;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
  /** Run one job now (the console's "run now", tests). */
  runNow(name: string): Promise<unknown>;
  jobs: readonly ScheduledJob[];
}

export function cronJobs(deps: JobDeps): ScheduledJob[] {
  return [
    { name: 'trace-retention', cron: CRONS.traceRetention, run: () => traceRetentionJob(deps) },
    { name: 'queue-aging-watch', cron: CRONS.queueAging, run: () => queueAgingJob(deps) },
    { name: 'weekly-replay-gate', cron: CRONS.replayGate, run: () => replayGateJob(deps) },
  ];
}

export function createScheduler(options: {
  jobs: ScheduledJob[];
  logger?: Logger | undefined;
  now?: () => number;
}): Scheduler {
  const now = options.now ?? Date.now;
  const compiled: { job: ScheduledJob; matches: CronMatcher }[] = options.jobs.map((job) => ({
    job,
    matches: parseCron(job.cron),
  }));
  const running = new Map<string, Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;

  const runJob = (job: ScheduledJob): Promise<unknown> => {
    const existing = running.get(job.name);
    if (existing) return existing;
    const started = now();
    const promise = job
      .run()
      .then((result) => {
        const entry = { job: job.name, duration_ms: now() - started, result };
        if (job.quiet) options.logger?.debug(entry, 'scheduled job finished');
        else options.logger?.info(entry, 'scheduled job finished');
        return result;
      })
      .catch((error: unknown) => {
        options.logger?.error({ job: job.name, err: errorMessage(error) }, 'scheduled job failed');
        return { status: 'failed', error: errorMessage(error) };
      })
      .finally(() => running.delete(job.name));
    running.set(job.name, promise);
    return promise;
  };

  const tick = () => {
    if (stopped) return;
    const date = new Date(now());
    for (const { job, matches } of compiled) if (matches(date)) void runJob(job);
    arm();
  };

  const arm = () => {
    const ms = 60_000 - (now() % 60_000) + 5;
    timer = setTimeout(tick, ms);
    timer.unref();
  };

  return {
    jobs: options.jobs,
    start() {
      if (!stopped) return;
      stopped = false;
      arm();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...running.values()]);
    },
    runNow(name) {
      const job = options.jobs.find((candidate) => candidate.name === name);
      if (!job) return Promise.reject(new Error(`no scheduled job named ${name}`));
      return runJob(job);
    },
  };
}
