import { describe, expect, it } from 'vitest';
import { briefText, buildBrief, prepId } from '../../../../../src/runtime/domain/meeting-prep/brief.js';
import { emptyFacts, type LeadFacts } from '../../../../../src/runtime/domain/pipeline/enrichment.js';

const FULL: LeadFacts = {
  visits: [{ ref: 'rb2b:visit:1', url: 'https://q.ai/pricing', seen_at: '2026-11-20T10:00:00Z' }],
  industry: { ref: 'rb2b:visit:1', value: 'Retail' },
  columns: [{ ref: 'clay:row:2', name: 'employees', value: '40' }],
  events: [
    { ref: 'instantly:email_opened:3', type: 'email_opened', at: '2026-11-21T10:00:00Z' },
    { ref: 'instantly:lead_interested:4', type: 'lead_interested', at: '2026-11-22T10:00:00Z' },
  ],
};

describe('call brief', () => {
  it('scores confidence by the grounded parts, deterministically', () => {
    const lead = {
      email: 'ann@acme.io',
      canonical_email: 'ann@acme.io',
      first_name: 'Ann',
      last_name: 'Lee',
      title: 'VP Sales',
      company: 'Acme',
    };
    const full = buildBrief(lead, FULL, 'lead_interested');
    expect(full.confidence).toBe(1);
    expect([...full.grounded].sort()).toEqual([
      'company',
      'history',
      'name',
      'research',
      'title',
      'trigger',
      'visits',
    ]);
    expect(buildBrief(lead, FULL, 'lead_interested')).toEqual(full);
    expect(buildBrief(lead, emptyFacts(), 'lead_interested').confidence).toBe(0.6);
    const bare = buildBrief(
      { email: 'x@y.io', canonical_email: 'x@y.io' },
      emptyFacts(),
      'lead_meeting_booked',
    );
    expect(bare.confidence).toBe(0.1);
    expect(bare.who).toBe('x@y.io');
  });

  it('writes who, company, what they did, talking points and context refs', () => {
    const brief = buildBrief(
      {
        email: 'ann@acme.io',
        canonical_email: 'ann@acme.io',
        first_name: 'Ann',
        title: 'VP Sales',
        company: 'Acme',
      },
      FULL,
      'lead_interested',
    );
    const { subject, body } = briefText(brief);
    expect(subject).toBe('Call prep: Ann, VP Sales (Acme)');
    expect(body).toContain('Who: Ann, VP Sales <ann@acme.io>');
    expect(body).toContain('- marked as interested in Instantly');
    expect(body).toContain('- read the pricing page (2026-11-20)');
    expect(body).toContain('- email opened (2026-11-21)');
    expect(body).toContain('- Start from what they read: the pricing page.');
    expect(body).toContain('- [clay:row:2] employees: 40');
    expect(prepId('ann@acme.io', 'lead_interested')).toMatch(/^prep_[0-9a-f]{16}$/);
    expect(prepId('ann@acme.io', 'lead_interested')).not.toBe(prepId('ann@acme.io', 'lead_meeting_booked'));
  });
});
