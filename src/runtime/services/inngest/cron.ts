/**
 * A five-field cron matcher (minute hour day-of-month month day-of-week, UTC) for the in-process
 * scheduler, so the embedded runtime runs the same schedules as the Inngest functions. Supports
 * `*`, `*\/n`, `a`, `a-b`, `a-b/n` and comma lists; day-of-week 0 or 7 is Sunday.
 */
const RANGES: readonly [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

export type CronMatcher = (date: Date) => boolean;

function parseField(field: string, [min, max]: [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let [from, to] = [min, max];
    if (range !== '*') {
      const [a, b] = range.split('-');
      from = Number(a);
      to = b === undefined ? (stepText === undefined ? from : max) : Number(b);
    }
    if (![from, to, step].every(Number.isInteger) || step < 1 || from < min || to > max || from > to) {
      throw new Error(`invalid cron field "${field}"`);
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

export function parseCron(expression: string): CronMatcher {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron "${expression}" needs 5 fields`);
  const [minute, hour, dom, month, dow] = fields.map((field, index) =>
    parseField(field, RANGES[index] as [number, number]),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (dow.has(7)) dow.add(0);
  return (date) =>
    minute.has(date.getUTCMinutes()) &&
    hour.has(date.getUTCHours()) &&
    dom.has(date.getUTCDate()) &&
    month.has(date.getUTCMonth() + 1) &&
    dow.has(date.getUTCDay());
}
