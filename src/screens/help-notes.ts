/** The help's notes after the keys: what the Queue's columns and markers mean, and the prompts. */
export const HELP_NOTES: readonly string[] = [
  'Queue columns',
  '  STATUS   pending approved rejected batched sent failed suppressed duplicate',
  '  LEAD     the lead e-mail; COMPANY; SUBJECT of the draft',
  '  RUB      rubric findings: ok = none; N = how many; ! = critical or major',
  '  AGE      time since the draft arrived (m minutes, h hours, d days)',
  'Markers',
  '  ●        before a row: marked (space, * all shown, c clears; A approves)',
  '  ⚠        after AGE: a pending draft past the SLA (QUEUE_AGING_SLA_MINUTES)',
  '  header   operator · approvals used today/capacity · SLA breaches · marked',
  'Prompts',
  '  y / n    answer a question (critical approval, bulk approve); Esc = no',
  '  1-9      rejection category, then an optional note: Enter rejects',
  '  Esc      closes the draft, palette or help; in a list, clears the filter',
  '  :        :queue :approve :reject tone :sort -age :preview :q (quit)',
  'Help: type to search, ↑/↓ PgUp/PgDn scroll, Esc closes',
];
