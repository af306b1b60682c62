/**
 * The Queue's questions, as a pure function of (prompt, key): confirm a critical approval, confirm a
 * bulk approve, pick a rejection category, type the rejection note. While a prompt is open it owns
 * every key: letters typed into the note are text, never commands (`u` in a note does not undo).
 */
import type { DraftView } from './services.js';
import { editText, type EditKey } from './text-input.js';

export type QueuePrompt =
  | { kind: 'confirmApprove'; draft: DraftView }
  | { kind: 'confirmBulk'; ids: readonly string[] }
  | { kind: 'category'; draft: DraftView }
  | { kind: 'note'; draft: DraftView; category: string; note: string };

export type PromptOutcome =
  | { kind: 'stay'; prompt: QueuePrompt; hint?: string }
  | { kind: 'cancel'; message: string }
  | { kind: 'approve'; draft: DraftView }
  | { kind: 'approveMany'; ids: readonly string[] }
  | { kind: 'reject'; draft: DraftView; category: string; note: string | undefined };

const NOTE_MAX = 500;

export function hasCritical(draft: DraftView): boolean {
  return draft.findings.some((f) => f.severity === 'critical');
}

function yesNo(input: string, key: EditKey): boolean | undefined {
  if (key.escape) return false;
  if (input === 'y' || input === 'Y') return true;
  if (input === 'n' || input === 'N') return false;
  return undefined;
}

export function promptKey(
  prompt: QueuePrompt,
  input: string,
  key: EditKey,
  taxonomy: readonly string[],
): PromptOutcome {
  switch (prompt.kind) {
    case 'confirmApprove': {
      const answer = yesNo(input, key);
      if (answer === undefined) return { kind: 'stay', prompt, hint: 'Press y to approve or n to cancel.' };
      return answer
        ? { kind: 'approve', draft: prompt.draft }
        : { kind: 'cancel', message: `Not approved: ${prompt.draft.email} is still pending.` };
    }
    case 'confirmBulk': {
      const answer = yesNo(input, key);
      if (answer === undefined)
        return { kind: 'stay', prompt, hint: 'Press y to approve them or n to cancel.' };
      return answer
        ? { kind: 'approveMany', ids: prompt.ids }
        : { kind: 'cancel', message: `Bulk approve cancelled; ${prompt.ids.length} rows stay marked.` };
    }
    case 'category': {
      if (key.escape) return { kind: 'cancel', message: 'Reject cancelled.' };
      const category = /^[1-9]$/.test(input) ? taxonomy[Number(input) - 1] : undefined;
      if (!category)
        return { kind: 'stay', prompt, hint: `Press 1-${taxonomy.length} to pick a category, or Esc.` };
      return { kind: 'stay', prompt: { kind: 'note', draft: prompt.draft, category, note: '' } };
    }
    case 'note': {
      const edit = editText(prompt.note, input, key);
      // Enter rejects (an empty note skips it); Esc cancels the rejection: nothing is written.
      if (edit.done === 'cancel') return { kind: 'cancel', message: 'Reject cancelled.' };
      if (edit.done === 'accept') {
        const note = prompt.note.trim();
        return {
          kind: 'reject',
          draft: prompt.draft,
          category: prompt.category,
          note: note === '' ? undefined : note,
        };
      }
      if (edit.value.length > NOTE_MAX)
        return { kind: 'stay', prompt, hint: `A note is at most ${NOTE_MAX} characters.` };
      return { kind: 'stay', prompt: { ...prompt, note: edit.value } };
    }
  }
}

/** The prompt line shown under the table (or under the draft). */
export function promptText(prompt: QueuePrompt, taxonomy: readonly string[], width = 80): string {
  switch (prompt.kind) {
    case 'confirmApprove': {
      const critical = prompt.draft.findings.filter((f) => f.severity === 'critical');
      return `Approve ${prompt.draft.email} despite ${critical.length} critical finding(s)? y/n  (${critical[0]?.message ?? ''})`;
    }
    case 'confirmBulk':
      return `Approve ${prompt.ids.length} marked draft(s)? y/n`;
    case 'category':
      return `Reject as: ${taxonomy.map((c, i) => `${i + 1} ${c}`).join('  ')}  (Esc cancels)`;
    case 'note': {
      const label = `Note for ${prompt.category} (Enter rejects, Esc cancels): `;
      // The end of a long note stays in view as it is typed.
      const room = Math.max(1, width - label.length - 1);
      const chars = [...prompt.note];
      return `${label}${chars.length > room ? `…${chars.slice(-(room - 1)).join('')}` : prompt.note}█`;
    }
  }
}
