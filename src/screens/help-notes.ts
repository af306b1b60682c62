/** The help's notes after the keys: what the Queue's columns and markers mean, and the prompts. */
export const HELP_NOTES: readonly string[] = [
  'Queue columns',
  '  STATUS   pending, approved, rejected, batched, sent, failed, suppressed, duplicate',
  '  LEAD     the lead e-mail; COMPANY; SUBJECT of the draft',
  '  RUB      rubric findings: ok = none; a number = how many; ! = a critical or major one',
  '  AGE      time since the draft arrived (m minutes, h hours, d days)',
  'Markers',
  '  ●        before a row: marked (space marks, * marks all shown, c clears; A approves them)',
  '  ⚠        after AGE: a pending draft past the SLA (QUEUE_AGING_SLA_MINUTES)',
  '  header   operator · approvals used today of capacity · SLA breaches · marked count',
  'Prompts',
  '  y / n    answer a confirmation (approving a critical draft, bulk approve); Esc = no',
  '  1-9      pick the rejection category; then type an optional note: Enter rejects, Esc cancels',
  '  Esc      closes the draft view, the palette, the help; in a list it clears the filter',
  '  :        palette: :queue, :approve, :reject tone, :sort -age, :preview, :q (quit)',
  'Help: type to search, ↑/↓ PgUp/PgDn scroll, Esc closes',
];
