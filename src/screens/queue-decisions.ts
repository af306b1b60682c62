/**
 * The Queue's decisions: approve one, approve the marked ones, reject with a note, undo the last
 * decision (a bulk approve is one decision). Each reports to the status line through `act` (a
 * refusal in red, kept until the next key) and re-reads the rows either way.
 */
import type { QueuePort, DraftView } from './services.js';

/** The last decision of this session, for `u`. */
export type LastDecision =
  { kind: 'one'; id: string; email: string } | { kind: 'many'; ids: readonly string[] };

export interface DecisionDeps {
  port: QueuePort | undefined;
  act: (fn: () => Promise<string>) => Promise<void>;
  notify: (text: string, tone?: 'yellow') => void;
  last: { current: LastDecision | undefined };
  /** A decision on the row at `index` was written. */
  decided: (index: number) => void;
  clearMarks: (ids: readonly string[]) => void;
}

export function queueDecisions({ port, act, notify, last, decided, clearMarks }: DecisionDeps) {
  const approveOne = (draft: DraftView, index: number) => {
    if (!port) return;
    void act(async () => {
      await port.approve(draft.id);
      last.current = { kind: 'one', id: draft.id, email: draft.email };
      decided(index);
      return `Approved ${draft.email} (u undoes)`;
    });
  };

  const approveMany = (ids: readonly string[]) => {
    if (!port) return;
    void act(async () => {
      const result = await port.approveMany(ids);
      const approved = ids.filter((id) => !result.refused.some((r) => r.id === id));
      clearMarks(approved);
      if (approved.length > 0) last.current = { kind: 'many', ids: approved };
      const refused = result.refused[0];
      if (refused) {
        throw new Error(
          `Approved ${result.approved} of ${ids.length}; refused ${result.refused.length} (${refused.reason})${approved.length ? '; u undoes the approved ones' : ''}`,
        );
      }
      return `Approved ${result.approved} marked drafts (u undoes all ${result.approved})`;
    });
  };

  const reject = (draft: DraftView, category: string, note: string | undefined, index: number) => {
    if (!port) return;
    void act(async () => {
      await port.reject(draft.id, category, note);
      last.current = { kind: 'one', id: draft.id, email: draft.email };
      decided(index);
      return `Rejected ${draft.email} as ${category}${note ? ` ("${note}")` : ''} (u undoes)`;
    });
  };

  const undo = () => {
    if (!port) return;
    const decision = last.current;
    if (!decision) return notify('Nothing to undo in this session.', 'yellow');
    last.current = undefined;
    void act(async () => {
      if (decision.kind === 'one') {
        await port.undo(decision.id);
        return `Undone: ${decision.email} is pending again`;
      }
      const refused: string[] = [];
      for (const id of decision.ids) {
        try {
          await port.undo(id);
        } catch (error) {
          refused.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (refused.length > 0)
        throw new Error(
          `Undid ${decision.ids.length - refused.length} of ${decision.ids.length}; ${refused[0]}`,
        );
      return `Undone: ${decision.ids.length} drafts are pending again`;
    });
  };

  return { approveOne, approveMany, reject, undo };
}
