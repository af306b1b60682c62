import { join } from 'node:path';
import { expect, it, describe } from 'vitest';
import type { Adapters, EmailAdapter } from '../../../src/runtime/adapters/types.js';
import { createMockCalendar, createSandboxCrm } from '../../../src/runtime/adapters/ghl.js';
import { createDispatcher } from '../../../src/runtime/services/dispatch.js';
import { createSentLog } from '../../../src/runtime/services/sent-log.js';
import { openDatabase } from '../../../src/runtime/stores/sqlite/database.js';
import { makeDraft } from '../../helpers/queue/drafts.js';
import { useTempDir } from '../../helpers/temp.js';

function countingEmail(safeToRepeat: boolean, fail = false): EmailAdapter & { calls: string[] } {
  const calls: string[] = [];
  return {
    mode: 'live',
    safeToRepeat,
    calls,
    async send(message) {
      calls.push(message.draftId);
      return fail
        ? { ok: false, error: 'provider said no' }
        : { ok: true, providerId: `p-${message.draftId}` };
    },
  };
}

describe('dispatch through the sent log', () => {
  const tempDir = useTempDir();
  const setup = (email: EmailAdapter) => {
    const db = openDatabase(join(tempDir(), 'caio.db'));
    const sentLog = createSentLog(db);
    const adapters: Adapters = { email, crm: createSandboxCrm(), calendar: createMockCalendar() };
    return { db, sentLog, dispatcher: createDispatcher({ sentLog, adapters }) };
  };
  const draft = makeDraft({
    id: 'd1',
    status: 'batched',
    lead: { email: 'ada@acme.io' },
    canonical_email: 'ada@acme.io',
  });

  it('sends once; asking again reports the recorded outcome without sending', async () => {
    const email = countingEmail(true);
    const { sentLog, dispatcher, db } = setup(email);
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toEqual({
      draft_id: 'd1',
      status: 'sent',
      detail: null,
    });
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toMatchObject({
      status: 'sent',
    });
    expect(email.calls).toEqual(['d1']);
    expect(sentLog.get('d1')).toMatchObject({ status: 'sent', provider_id: 'p-d1', mode: 'live' });
    // A real send makes the address "already sent" for every later draft.
    const other = makeDraft({
      id: 'd2',
      status: 'batched',
      lead: { email: 'ada@acme.io' },
      canonical_email: 'ada@acme.io',
    });
    expect(await dispatcher.dispatchItem({ batchId: 'b2', draft: other, actor: 'm' })).toMatchObject({
      status: 'skipped',
      detail: 'this address was already sent to',
    });
    expect(email.calls).toEqual(['d1']);
    db.close();
  });

  it('blocks suppressed addresses', async () => {
    const email = countingEmail(true);
    const { sentLog, dispatcher, db } = setup(email);
    sentLog.suppress('ada@acme.io', 'unsubscribed', 'instantly', Date.now());
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining('suppressed (unsubscribed'),
    });
    expect(email.calls).toEqual([]);
    db.close();
  });

  it('a non-repeatable adapter interrupted mid-send is marked unknown, never sent again', async () => {
    const email = countingEmail(false);
    const { sentLog, dispatcher, db } = setup(email);
    // The crash: the intent was committed, the outcome never was.
    const intent = {
      draftId: 'd1',
      batchId: 'b1',
      canonicalEmail: 'ada@acme.io',
      email: 'ada@acme.io',
      subject: 's',
      body: 'b',
      mode: 'live',
    };
    expect(sentLog.begin(intent, Date.now())).toEqual({ kind: 'new' });
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toMatchObject({
      status: 'unknown',
    });
    expect(email.calls).toEqual([]);
    expect(sentLog.get('d1')?.status).toBe('unknown');
    db.close();
  });

  it('a repeatable adapter (log-only, Instantly) simply sends again after such a crash', async () => {
    const email = countingEmail(true);
    const { sentLog, dispatcher, db } = setup(email);
    sentLog.begin(
      {
        draftId: 'd1',
        batchId: 'b1',
        canonicalEmail: 'ada@acme.io',
        email: 'ada@acme.io',
        subject: 's',
        body: 'b',
        mode: 'live',
      },
      Date.now(),
    );
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toMatchObject({
      status: 'sent',
    });
    expect(email.calls).toEqual(['d1']);
    db.close();
  });

  it('records provider failures as failed', async () => {
    const { sentLog, dispatcher, db } = setup(countingEmail(true, true));
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toEqual({
      draft_id: 'd1',
      status: 'failed',
      detail: 'provider said no',
    });
    expect(sentLog.get('d1')?.status).toBe('failed');
    expect(sentLog.lookup(['ada@acme.io']).sent.size).toBe(0);
    db.close();
  });
});
