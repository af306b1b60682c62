import { sql, type Kysely } from 'kysely';
import type { RecordDialect } from '../context.js';

/**
 * Replay runs, promoted baselines and the weekly scorecard sign-offs (SPEC 5, 9). Every host reads the
 * same history: the scorecard's trend, the ritual's "no critical replay failure this week", the
 * baseline later runs compare with, and who signed which week off.
 *
 * - `replay_gate_runs`: one row per stored run (hashes, held-out figures, failing ids as JSON, who ran it).
 * - `replay_baseline_promotions`: every promotion is kept; a golden set's baseline is its newest one.
 * - `scorecard_sign_offs`: every sign-off is kept, with the week's release decision and figures as they
 *   were when it was signed. At most one unforced sign-off per week (a unique partial index: two hosts
 *   signing at once cannot both be first); a forced one is a later row beside it.
 *
 * Embedded records written by earlier versions kept runs and baselines in `replay_runs` and
 * `replay_baselines` of the same file, and sign-offs as `scorecard.sign_off` audit rows: they are copied
 * in once, so the history and the baseline survive the upgrade. The old tables are left as they were.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>, dialect: RecordDialect): Promise<void> {
  const postgres = dialect === 'postgres';
  const real = postgres ? 'double precision' : 'real';
  const id = (name: string) =>
    db.schema
      .createTable(name)
      .ifNotExists()
      .addColumn('id', postgres ? 'bigint' : 'integer', (col) =>
        postgres ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement(),
      );

  await id('replay_gate_runs')
    .addColumn('ran_at', 'text', (col) => col.notNull())
    .addColumn('ran_by', 'text', (col) => col.notNull())
    .addColumn('golden_set', 'text', (col) => col.notNull())
    .addColumn('total', 'integer', (col) => col.notNull())
    .addColumn('passed', 'integer', (col) => col.notNull())
    .addColumn('pass_rate', real, (col) => col.notNull())
    .addColumn('threshold', real, (col) => col.notNull())
    .addColumn('block_build', 'integer', (col) => col.notNull().check(sql`block_build in (0, 1)`))
    .addColumn('critical_count', 'integer', (col) => col.notNull())
    .addColumn('failed_ids', 'text', (col) => col.notNull())
    .addColumn('cases_hash', 'text')
    .addColumn('holdout_hash', 'text')
    .addColumn('rubric_hash', 'text')
    .addColumn('holdout_total', 'integer')
    .addColumn('holdout_passed', 'integer')
    .addColumn('holdout_failed_ids', 'text')
    .execute();
  await sql
    .raw('CREATE INDEX IF NOT EXISTS replay_gate_runs_ran_at ON replay_gate_runs (ran_at, id)')
    .execute(db);
  await sql
    .raw('CREATE INDEX IF NOT EXISTS replay_gate_runs_golden_set ON replay_gate_runs (golden_set, id)')
    .execute(db);

  await id('replay_baseline_promotions')
    .addColumn('golden_set', 'text', (col) => col.notNull())
    .addColumn('run_id', postgres ? 'bigint' : 'integer', (col) =>
      col.notNull().references('replay_gate_runs.id'),
    )
    .addColumn('promoted_at', 'text', (col) => col.notNull())
    .addColumn('promoted_by', 'text', (col) => col.notNull())
    .execute();
  await sql
    .raw(
      'CREATE INDEX IF NOT EXISTS replay_baseline_promotions_set ON replay_baseline_promotions (golden_set, id)',
    )
    .execute(db);

  await id('scorecard_sign_offs')
    .addColumn('week', 'text', (col) => col.notNull())
    .addColumn('signed_by', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('signed_at', 'text', (col) => col.notNull())
    .addColumn('note', 'text')
    .addColumn('forced', 'integer', (col) => col.notNull().check(sql`forced in (0, 1)`))
    .addColumn('decision', 'text')
    .addColumn('figures', 'text', (col) => col.notNull())
    .execute();
  await sql
    .raw('CREATE INDEX IF NOT EXISTS scorecard_sign_offs_week ON scorecard_sign_offs (week, id)')
    .execute(db);
  await sql
    .raw(
      'CREATE UNIQUE INDEX IF NOT EXISTS scorecard_sign_offs_once_per_week ON scorecard_sign_offs (week) WHERE forced = 0',
    )
    .execute(db);

  // The scorecard reads the week's release decision from the audit chain: one indexed lookup.
  await sql.raw('CREATE INDEX IF NOT EXISTS audit_log_action_time ON audit_log (action, time)').execute(db);

  if (!postgres) await copyLegacySqlite(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function copyLegacySqlite(db: Kysely<any>): Promise<void> {
  const tables = await sql<{
    name: string;
  }>`select name from sqlite_master where type = 'table' and name in ('replay_runs', 'replay_baselines')`.execute(
    db,
  );
  const present = new Set(tables.rows.map((row) => row.name));
  if (present.has('replay_runs')) {
    const columns = await sql<{ name: string }>`pragma table_info(replay_runs)`.execute(db);
    const has = new Set(columns.rows.map((column) => column.name));
    // Columns added by later versions of the old table: null where an older file lacks them.
    const optional = [
      'cases_hash',
      'holdout_hash',
      'rubric_hash',
      'holdout_total',
      'holdout_passed',
      'holdout_failed_ids',
    ]
      .map((name) => (has.has(name) ? name : `null as ${name}`))
      .join(', ');
    await sql
      .raw(
        `insert or ignore into replay_gate_runs (id, ran_at, ran_by, golden_set, total, passed, pass_rate, threshold,
          block_build, critical_count, failed_ids, cases_hash, holdout_hash, rubric_hash, holdout_total, holdout_passed,
          holdout_failed_ids)
        select id, ran_at, 'unknown (before the record)', golden_set, total, passed, pass_rate, threshold,
          case when block_build = 0 then 0 else 1 end, critical_count, failed_ids, ${optional}
        from replay_runs order by id`,
      )
      .execute(db);
  }
  if (present.has('replay_baselines')) {
    await sql`insert into replay_baseline_promotions (golden_set, run_id, promoted_at, promoted_by)
      select b.golden_set, b.run_id, b.promoted_at, b.promoted_by from replay_baselines b
      where exists (select 1 from replay_gate_runs r where r.id = b.run_id) order by b.promoted_at`.execute(
      db,
    );
  }
  // Sign-offs kept as audit rows (one embedded file held both): the first of each week counts as the
  // sign-off, later ones as forced repeats, as they would be now.
  const signOffs = await sql<{
    time: string;
    actor: string;
    subject: string;
    details: string;
  }>`select time, actor, subject, details from audit_log where action = 'scorecard.sign_off' order by seq`.execute(
    db,
  );
  const seen = new Set<string>();
  for (const row of signOffs.rows) {
    const week = row.subject.startsWith('scorecard/') ? row.subject.slice('scorecard/'.length) : '';
    if (!/^\d{4}-W\d{2}$/.test(week)) continue;
    let note: string | null = null;
    try {
      const details = JSON.parse(row.details) as { note?: unknown };
      if (typeof details.note === 'string') note = details.note;
    } catch {
      // Not JSON: no note.
    }
    await db
      .insertInto('scorecard_sign_offs')
      .values({
        week,
        signed_by: row.actor,
        role: 'unknown',
        signed_at: row.time,
        note,
        forced: seen.has(week) ? 1 : 0,
        decision: null,
        figures: '{}',
      })
      .execute();
    seen.add(week);
  }
}
