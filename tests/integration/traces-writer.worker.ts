/**
 * Test worker: appends trace envelopes through the real writer (`tool_name` = ACTOR, the input is the
 * sequence number 0, 1, 2, ...) until SIGTERM. `node --import tsx traces-writer.worker.ts FILE ACTOR`.
 * Prints `ready` after the first line and `done count=N failures=F` when it stops.
 */
import { createTraceWriter } from '../../src/runtime/services/traces.js';

const [file, actor = 'worker'] = process.argv.slice(2);
if (!file) throw new Error('usage: traces-writer.worker.ts FILE ACTOR');
let failures = 0;
let stop = false;
process.once('SIGTERM', () => (stop = true));
const writer = createTraceWriter({ file, enabled: true, onError: () => (failures += 1) });

let n = 0;
while (!stop) {
  writer.record({ tool_name: actor, status: 'success', input: String(n) });
  if (n === 0) process.stdout.write('ready\n');
  n += 1;
  // Pace like a busy service (about a line per millisecond) so the file stays small enough to prune often.
  await new Promise((resolve) => setTimeout(resolve, 1));
}
writer.close();
process.stdout.write(`done count=${n} failures=${failures}\n`);
