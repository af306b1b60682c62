/**
 * The parts of `caio replay`'s text report beyond the pass rate: the held-out split, agreement per
 * category and per rule, and the comparison with the promoted baseline.
 */
import type { Colors } from '../cli/output.js';
import { formatPercent, type Agreement } from '../runtime/domain/rubric/index.js';
import type { ReplayReport } from '../runtime/services/replay.js';

type Line = (text?: string) => void;

const MAX_IDS = 6;

function ids(list: readonly string[]): string {
  const shown = list.slice(0, MAX_IDS).join(', ');
  return list.length > MAX_IDS ? `${shown} (+${list.length - MAX_IDS} more)` : shown;
}

export function printHoldout(line: Line, report: ReplayReport, colors: Colors): void {
  const { holdout } = report;
  line('');
  if (!holdout) {
    line('Held-out set: none (add golden-set/holdout/<id>.json cases the rules are never tuned on)');
    return;
  }
  line(
    `Held-out set (holdout/, never tuned on): ${holdout.passed}/${holdout.total} agree, ${formatPercent(holdout.pass_rate)}; critical misses: ${holdout.critical_failures.length}`,
  );
  const critical = new Set(holdout.critical_failures.map((failure) => failure.id));
  for (const failure of holdout.failures) {
    const tag = critical.has(failure.id) ? colors.red(' [CRITICAL]') : '';
    const expected = failure.expected.categories.join(', ') || 'pass';
    const actual = failure.actual.categories.join(', ') || 'pass';
    line(`- ${failure.id}${tag}: expected ${expected}, rubric ${actual}`);
  }
}

function percent(value: number | null): string {
  return value === null ? '-' : formatPercent(value);
}

export function printAgreement(line: Line, report: ReplayReport): void {
  const held = report.holdout?.agreement;
  line('');
  line(`Agreement by category (tuning${held ? ' | held-out' : ''}):`);
  for (const category of report.agreement.categories) {
    const other = held?.categories.find((entry) => entry.category === category.category);
    const detail = [
      category.missed.length > 0 ? `missed ${ids(category.missed)}` : '',
      category.false_alarms.length > 0 ? `false alarms ${ids(category.false_alarms)}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    line(
      `  ${category.category.padEnd(16)} ${percent(category.agreement).padStart(6)}${other ? ` | ${percent(other.agreement).padStart(6)}` : ''}  (${category.expected} expected)${detail ? `  ${detail}` : ''}`,
    );
  }
  line(`Agreement by rule (findings whose category the case expects; tuning${held ? ' | held-out' : ''}):`);
  const rules = new Map<string, { tuning?: Agreement['rules'][number]; held?: Agreement['rules'][number] }>();
  for (const rule of report.agreement.rules) rules.set(rule.rule, { tuning: rule });
  for (const rule of held?.rules ?? []) rules.set(rule.rule, { ...rules.get(rule.rule), held: rule });
  for (const [id, { tuning, held: other }] of rules) {
    const effect = (tuning ?? other)?.effect === 'advise' ? ' (advice)' : '';
    const describe = (entry: Agreement['rules'][number] | undefined) =>
      entry ? `${entry.agreed.length}/${entry.fired} ${percent(entry.agreement)}` : '-';
    const off =
      tuning && tuning.effect === 'fail' && tuning.disagreed.length > 0
        ? `  disagrees on ${ids(tuning.disagreed)}`
        : '';
    line(
      `  ${(id + effect).padEnd(46)} ${describe(tuning).padStart(12)}${held ? ` | ${describe(other).padStart(12)}` : ''}${off}`,
    );
  }
}

export function printBaseline(line: Line, report: ReplayReport, colors: Colors): void {
  line('');
  if (report.promoted) {
    line(
      `Promoted: this run (#${report.stored_run_id}) is now the baseline (by ${report.promoted.promoted_by})`,
    );
  }
  const { baseline } = report;
  if (!baseline) {
    if (!report.promoted)
      line('Baseline: none promoted for this golden set (caio replay --promote-baseline)');
    return;
  }
  const points = (delta: number) => {
    const value = Math.round(delta * 1000) / 10;
    return value === 0 ? 'no change' : value < 0 ? colors.red(`down ${-value} points`) : `up ${value} points`;
  };
  const changed = (flag: boolean | null) => (flag === null ? 'unknown' : flag ? 'changed' : 'same');
  line(
    `Baseline: run #${baseline.run_id} (${baseline.ran_at}, promoted by ${baseline.promoted_by}): tuning ${formatPercent(baseline.pass_rate)} -> ${formatPercent(report.pass_rate)} (${points(baseline.delta)})`,
  );
  if (baseline.holdout_pass_rate !== null && report.holdout) {
    line(
      `  held-out ${formatPercent(baseline.holdout_pass_rate)} -> ${formatPercent(report.holdout.pass_rate)} (${points(baseline.holdout_delta ?? 0)})`,
    );
  }
  line(
    `  since the baseline: cases ${changed(baseline.cases_changed)}, held-out cases ${changed(baseline.holdout_changed)}, rubric.json ${changed(baseline.rubric_changed)}`,
  );
  if (baseline.new_failures.length > 0) line(`  newly failing: ${ids(baseline.new_failures)}`);
  if (baseline.fixed.length > 0) line(`  fixed: ${ids(baseline.fixed)}`);
  if (baseline.holdout_new_failures.length > 0)
    line(`  held-out newly failing: ${ids(baseline.holdout_new_failures)}`);
  if (baseline.holdout_fixed.length > 0) line(`  held-out fixed: ${ids(baseline.holdout_fixed)}`);
}
