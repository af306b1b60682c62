/** Pure view helpers of the Queue screen: columns, the filter text, the detail pane lines. */
import type { DetailLine } from '../components/DetailPane.js';
import { wrapText } from '../components/DetailPane.js';
import type { Column } from '../components/table-layout.js';
import { age } from './format.js';
import type { DraftView } from './services.js';

export function findingsCell(draft: DraftView): string {
  const n = draft.findings.length;
  if (n === 0) return 'ok';
  const serious = draft.findings.some((f) => f.severity === 'critical' || f.severity === 'major');
  return `${n}${serious ? '!' : ''}`;
}

export function queueColumns(now: number): Column<DraftView>[] {
  return [
    { header: 'STATUS', value: (d) => d.status, width: 9 },
    { header: 'LEAD', value: (d) => d.email, min: 10, max: 26 },
    { header: 'COMPANY', value: (d) => d.company, max: 14 },
    { header: 'SUBJECT', value: (d) => d.subject, flex: true, min: 8 },
    { header: 'RUB', value: findingsCell, width: 3, align: 'right' },
    { header: 'AGE', value: (d) => age(d.createdAt, now), width: 4, align: 'right' },
  ];
}

export function draftText(d: DraftView): string {
  return `${d.status} ${d.email} ${d.name} ${d.company} ${d.subject} ${d.segment} ${d.id}`;
}

export function draftTone(d: DraftView): 'green' | 'red' | 'yellow' | 'gray' | undefined {
  switch (d.status) {
    case 'approved':
    case 'sent':
      return 'green';
    case 'rejected':
    case 'failed':
      return 'red';
    case 'suppressed':
    case 'duplicate':
      return 'gray';
    default:
      return undefined;
  }
}

export function draftDetailLines(d: DraftView, width: number): DetailLine[] {
  const who = [d.name && `${d.name} <${d.email}>`, !d.name && d.email, d.title, d.company, d.segment]
    .filter(Boolean)
    .join(' · ');
  const lines: DetailLine[] = [
    { text: `${d.subject}`, bold: true },
    { text: `To: ${who}` },
    {
      text: `Status: ${d.status}${d.decidedBy ? ` by ${d.decidedBy}` : ''}${d.rejection ? ` (${d.rejection})` : ''}   id ${d.id}`,
    },
  ];
  if (d.findings.length === 0) lines.push({ text: 'Rubric: pass, no findings', tone: 'green' });
  for (const f of d.findings) {
    lines.push({
      text: `Rubric ${f.severity} ${f.category}: ${f.message} (${f.rule})`,
      tone: f.severity === 'critical' || f.severity === 'major' ? 'red' : 'yellow',
    });
  }
  // Blank lines of the body are dropped: the pane is small at 80x24.
  lines.push(
    ...wrapText(d.body, width)
      .filter((text) => text.trim() !== '')
      .map((text) => ({ text })),
  );
  for (const c of d.context) lines.push({ text: `[${c.ref}] ${c.text}` });
  return lines;
}

export function firstRunLines(serverUrl: string | undefined, canLoadSamples: boolean): DetailLine[] {
  return [
    { text: 'The approval queue is empty.', bold: true },
    { text: '' },
    { text: 'Drafts arrive three ways, each scored by the rubric on entry:' },
    { text: `  • the drafting agents POST them to ${serverUrl ?? 'the API'}/api/queue` },
    { text: '  • caio queue import FILE.jsonl   (one JSON draft per line)' },
    { text: '  • an Inngest event from the drafting agents' },
    { text: '' },
    canLoadSamples
      ? { text: 'Press L to load the sample drafts shipped in samples/drafts.jsonl.', tone: 'cyan' }
      : { text: 'This build ships no sample drafts.' },
  ];
}
