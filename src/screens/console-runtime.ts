/**
 * Everything the console runs besides the UI: the same HTTP server as `caio serve` (on PORT, or on a
 * free port with a notice when PORT is taken; without a server when it cannot listen at all), the
 * release checklist over that server, and the ports the screens read.
 */
import type { RawEnv } from '../runtime/config.js';
import { errorMessage, isUserError } from '../runtime/errors.js';
import type { Runtime } from '../runtime/services/runtime.js';
import { startServer, type RunningServer, type StartServerOptions } from '../server/start.js';
import { createReleasePort } from './release-port.js';
import { createRuntimeServices } from './runtime-services.js';
import type { ConsoleServices } from './services.js';

export interface ConsoleRuntimeOptions {
  actor: string;
  port: number;
  host: string;
  samplesFile: string | undefined;
  cwd: string;
  projectRoot: string;
  /** The environment the config came from (release checks read it). */
  rawEnv: RawEnv;
  /** The release the Release screen shows (`--release ID`); else the newest one checked. */
  releaseId?: string | undefined;
}

export interface ConsoleRuntime {
  services: ConsoleServices;
  /** Printed after the console closes (e.g. the port it had to use instead). */
  notice: string | undefined;
  /** Stops the HTTP server; the caller closes the runtime. */
  close(): Promise<void>;
}

/** PORT first; if taken, any free port (and say so); if listening fails otherwise, no server. */
export async function startWithFallback(
  runtime: Runtime,
  port: number,
  host: string,
  appOptions: Pick<StartServerOptions, 'releaseFor'> = {},
): Promise<{ server: RunningServer | undefined; note: string | undefined }> {
  try {
    return { server: await startServer(runtime, { port, host, ...appOptions }), note: undefined };
  } catch (error) {
    if (!(isUserError(error) && error.code === 'port_in_use') || port === 0) {
      return { server: undefined, note: `HTTP server not started: ${errorMessage(error)}` };
    }
  }
  try {
    const server = await startServer(runtime, { port: 0, host, ...appOptions });
    return {
      server,
      note: `Port ${port} is taken (another caio serve or console?): serving on ${server.url} instead; set PORT to choose`,
    };
  } catch (error) {
    return { server: undefined, note: `HTTP server not started: ${errorMessage(error)}` };
  }
}

export async function startConsoleRuntime(
  runtime: Runtime,
  options: ConsoleRuntimeOptions,
): Promise<ConsoleRuntime> {
  // The release checks run against the server's own URL, known once it listens.
  const own: { url?: string | undefined } = {};
  const releaseFor = (actor: string) =>
    createReleasePort(runtime, {
      actor,
      serverUrl: own.url,
      cwd: options.cwd,
      projectRoot: options.projectRoot,
      rawEnv: options.rawEnv,
    });
  const { server, note } = await startWithFallback(runtime, options.port, options.host, { releaseFor });
  own.url = server?.url;
  const services = createRuntimeServices(runtime, {
    actor: options.actor,
    readiness: server?.app.services.readiness,
    server: { url: server?.url, note },
    samplesFile: options.samplesFile,
    release: createReleasePort(runtime, {
      actor: options.actor,
      serverUrl: server?.url,
      cwd: options.cwd,
      projectRoot: options.projectRoot,
      rawEnv: options.rawEnv,
      releaseId: options.releaseId,
    }),
  });
  return {
    services,
    notice: note,
    close: async () => {
      await server?.close();
    },
  };
}
