import { describe, expect, it } from 'vitest';
import { hasCritical, promptKey, promptText, type QueuePrompt } from '../../../src/screens/queue-prompt.js';
import { draft } from './fake-services.js';

const TAXONOMY = ['tone', 'personalization', 'accuracy'];
const critical = draft(1, {
  findings: [
    { rule: 'groundedness.number', category: 'accuracy', severity: 'critical', message: 'Unsupported "40%"' },
  ],
});

function typeInto(prompt: QueuePrompt, text: string) {
  let p = prompt;
  for (const c of text) {
    const out = promptKey(p, c, {}, TAXONOMY);
    if (out.kind !== 'stay') throw new Error(`left the prompt on "${c}": ${out.kind}`);
    p = out.prompt;
  }
  return p;
}

describe('the Queue prompts', () => {
  it('a critical finding asks before approval: y approves, n and Esc do not, other keys hint', () => {
    expect(hasCritical(critical)).toBe(true);
    expect(hasCritical(draft(2))).toBe(false);
    const p: QueuePrompt = { kind: 'confirmApprove', draft: critical };
    expect(promptText(p, TAXONOMY)).toBe(
      'Approve lead1@acme1.io despite 1 critical finding(s)? y/n  (Unsupported "40%")',
    );
    expect(promptKey(p, 'y', {}, TAXONOMY)).toEqual({ kind: 'approve', draft: critical });
    expect(promptKey(p, 'n', {}, TAXONOMY).kind).toBe('cancel');
    expect(promptKey(p, '', { escape: true }, TAXONOMY).kind).toBe('cancel');
    expect(promptKey(p, 'a', {}, TAXONOMY)).toMatchObject({
      kind: 'stay',
      hint: 'Press y to approve or n to cancel.',
    });
  });

  it('bulk approve names the count and asks', () => {
    const p: QueuePrompt = { kind: 'confirmBulk', ids: ['a', 'b', 'c'] };
    expect(promptText(p, TAXONOMY)).toBe('Approve 3 marked draft(s)? y/n');
    expect(promptKey(p, 'Y', {}, TAXONOMY)).toEqual({ kind: 'approveMany', ids: ['a', 'b', 'c'] });
    expect(promptKey(p, 'n', {}, TAXONOMY)).toEqual({
      kind: 'cancel',
      message: 'Bulk approve cancelled; 3 rows stay marked.',
    });
  });

  it('reject: a category key, then a note where every letter is text; Enter rejects', () => {
    const start: QueuePrompt = { kind: 'category', draft: draft(4) };
    expect(promptKey(start, '9', {}, TAXONOMY)).toMatchObject({
      kind: 'stay',
      hint: 'Press 1-3 to pick a category, or Esc.',
    });
    const picked = promptKey(start, '3', {}, TAXONOMY);
    expect(picked).toMatchObject({ kind: 'stay', prompt: { kind: 'note', category: 'accuracy', note: '' } });
    const typed = typeInto((picked as { prompt: QueuePrompt }).prompt, 'qu aA u1?:/');
    expect(typed).toMatchObject({ note: 'qu aA u1?:/' });
    expect(promptKey(typed, '', { backspace: true }, TAXONOMY)).toMatchObject({
      prompt: { note: 'qu aA u1?:' },
    });
    expect(promptKey(typed, '', { return: true }, TAXONOMY)).toEqual({
      kind: 'reject',
      draft: draft(4),
      category: 'accuracy',
      note: 'qu aA u1?:/',
    });
  });

  it('an empty note rejects without one; Esc in the note cancels the rejection', () => {
    const note: QueuePrompt = { kind: 'note', draft: draft(5), category: 'tone', note: '  ' };
    expect(promptKey(note, '', { return: true }, TAXONOMY)).toMatchObject({
      kind: 'reject',
      note: undefined,
    });
    expect(promptKey(note, '', { escape: true }, TAXONOMY)).toEqual({
      kind: 'cancel',
      message: 'Reject cancelled.',
    });
  });

  it('a long note keeps its end in view', () => {
    const note: QueuePrompt = {
      kind: 'note',
      draft: draft(5),
      category: 'tone',
      note: 'x'.repeat(100) + 'END',
    };
    const text = promptText(note, TAXONOMY, 80);
    expect([...text].length).toBeLessThanOrEqual(80);
    expect(text.endsWith('END█')).toBe(true);
  });
});
