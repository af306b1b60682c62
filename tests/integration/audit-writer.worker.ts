/**
 * Test worker: appends audit rows to a shared SQLite file, each in one transaction with a local change
 * (a row in `worker_changes`), as a service would. `node --import tsx audit-writer.worker.ts DB ACTOR COUNT`
 * (COUNT 0 = until killed). Prints `ready` after the first commit and `done N` at the end.
 */
import { createAuditLog } from '../../src/runtime/services/audit.js';
import { openDatabase } from '../../src/runtime/stores/sqlite/database.js';

const [path, actor = 'worker', countArg = '0'] = process.argv.slice(2);
if (!path) throw new Error('usage: audit-writer.worker.ts DB ACTOR COUNT');
const total = Number(countArg);

const db = openDatabase(path);
db.exec(
  'CREATE TABLE IF NOT EXISTS worker_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, actor TEXT, n INTEGER)',
);
const audit = createAuditLog(db);
const insert = db.prepare('INSERT INTO worker_changes (actor, n) VALUES (?, ?)');
const change = db.transaction((n: number) => {
  insert.run(actor, n);
  audit.append({
    actor,
    action: 'test.change',
    subject: `change-${n}`,
    details: { n, pad: 'x'.repeat(200) },
  });
});

for (let n = 1; total === 0 || n <= total; n++) {
  change.immediate(n);
  if (n === 1) process.stdout.write('ready\n');
}
db.close();
process.stdout.write(`done ${total}\n`);
