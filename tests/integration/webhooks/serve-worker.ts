/**
 * A serving process for crash tests: the real runtime and HTTP server over HIVE_DIR from the
 * environment, on an ephemeral port announced as one JSON line on stdout. Killed with SIGKILL.
 */
import { parseConfig } from '../../../src/runtime/config.js';
import { createRuntime } from '../../../src/runtime/services/runtime.js';
import { startServer } from '../../../src/server/start.js';

const config = parseConfig(process.env);
const runtime = await createRuntime(config);
const server = await startServer(runtime, { port: 0, host: '127.0.0.1', background: false });
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
