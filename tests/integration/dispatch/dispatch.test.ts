import { expect, it } from 'vitest';
import type { Adapters, EmailAdapter } from '../../../src/runtime/adapters/types.js';
import { createMockCalendar, createSandboxCrm } from '../../../src/runtime/adapters/ghl.js';
import { createDispatcher } from '../../../src/runtime/services/dispatch.js';
import { makeDraft } from '../../helpers/queue/drafts.js';
import { describeRecords } from '../../helpers/record.js';

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

describeRecords('dispatch through the send ledger', ({ open }) => {
  const setup = async (email: EmailAdapter) => {
    const { record } = await open();
    const adapters: Adapters = { email, crm: createSandboxCrm(), calendar: createMockCalendar() };
    return { record, dispatcher: createDispatcher({ record, adapters }) };
  };
  const draft = makeDraft({
    id: 'd1',
    status: 'batched',
    lead: { email: 'ada@acme.io' },
    canonical_email: 'ada@acme.io',
  });

  it('sends once; asking again reports the recorded outcome without sending', async () => {
    const email = countingEmail(true);
    const { record, dispatcher } = await setup(email);
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toEqual({
      draft_id: 'd1',
      status: 'sent',
      detail: null,
    });
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toMatchObject({
      status: 'sent',
    });
    expect(email.calls).toEqual(['d1']);
    expect(await record.ledger.get('d1')).toMatchObject({
      status: 'sent',
      provider_id: 'p-d1',
      mode: 'live',
    });
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
  });

  it('blocks suppressed addresses', async () => {
    const email = countingEmail(true);
    const { record, dispatcher } = await setup(email);
    await record.addresses.suppress('ada@acme.io', 'unsubscribed', 'instantly', Date.now());
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining('suppressed (unsubscribed'),
    });
    expect(email.calls).toEqual([]);
  });

  it('a non-repeatable adapter interrupted mid-send is marked unknown, never sent again', async () => {
    const email = countingEmail(false);
    const { record, dispatcher } = await setup(email);
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
    expect(await record.ledger.begin(intent, Date.now())).toEqual({ kind: 'new' });
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toMatchObject({
      status: 'unknown',
    });
    expect(email.calls).toEqual([]);
    expect((await record.ledger.get('d1'))?.status).toBe('unknown');
  });

  it('a repeatable adapter (log-only, Instantly) simply sends again after such a crash', async () => {
    const email = countingEmail(true);
    const { record, dispatcher } = await setup(email);
    await record.ledger.begin(
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
  });

  it('records provider failures as failed', async () => {
    const { record, dispatcher } = await setup(countingEmail(true, true));
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm' })).toEqual({
      draft_id: 'd1',
      status: 'failed',
      detail: 'provider said no',
    });
    expect((await record.ledger.get('d1'))?.status).toBe('failed');
    expect((await record.addresses.lookup(['ada@acme.io'])).sent.size).toBe(0);
  });

  it("refuses a live send beyond the ramp's daily limit, counted in the record", async () => {
    const email = countingEmail(false);
    const { record, dispatcher } = await setup(email);
    for (let i = 0; i < 2; i += 1)
      await record.ledger.begin(
        {
          draftId: `x${i}`,
          batchId: 'bx',
          canonicalEmail: `x${i}@acme.io`,
          email: `x${i}@acme.io`,
          subject: 's',
          body: 'b',
          mode: 'live',
        },
        Date.now(),
      );
    expect(await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm', dailyLimit: 2 })).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining('daily limit is reached (2 of 2'),
    });
    expect(email.calls).toEqual([]);
    expect(await record.ledger.get('d1')).toBeUndefined();
    expect((await dispatcher.dispatchItem({ batchId: 'b1', draft, actor: 'm', dailyLimit: 3 })).status).toBe(
      'sent',
    );
  });
});
