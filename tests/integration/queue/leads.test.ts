import { expect, it } from 'vitest';
import { createLeadService } from '../../../src/runtime/services/leads.js';
import { describeRecords } from '../../helpers/record.js';

describeRecords('lead service', ({ open }) => {
  it('creates one lead per person and enriches it without erasing known fields', async () => {
    const { record } = await open();
    const leads = createLeadService({ record });
    await leads.upsertLead({ email: 'Jane.Doe@gmail.com', first_name: 'Jane', company: 'Acme' }, 'rb2b');
    const merged = await leads.upsertLead(
      { email: 'janedoe+x@googlemail.com', title: 'VP Sales', company: '' },
      'clay',
    );
    expect(merged).toMatchObject({
      canonical_email: 'janedoe@gmail.com',
      first_name: 'Jane',
      company: 'Acme',
      title: 'VP Sales',
      sources: ['rb2b', 'clay'],
    });
    expect((await leads.list()).leads).toHaveLength(1);
    expect((await leads.get('JANEDOE@gmail.com'))?.title).toBe('VP Sales');
    await expect(leads.upsertLead({ email: 'nope' }, 'clay')).rejects.toMatchObject({ code: 'invalid_lead' });
  });

  it('concurrent upserts for the same person all land', async () => {
    const { record } = await open();
    const leads = createLeadService({ record });
    await Promise.all([
      leads.upsertLead({ email: 'a@acme.io', first_name: 'Ann' }, 'rb2b'),
      leads.upsertLead({ email: 'a@acme.io', last_name: 'Lee' }, 'clay'),
      leads.upsertLead({ email: 'a@acme.io', title: 'CRO' }, 'clay'),
    ]);
    expect(await leads.get('a@acme.io')).toMatchObject({ first_name: 'Ann', last_name: 'Lee', title: 'CRO' });
  });
});
