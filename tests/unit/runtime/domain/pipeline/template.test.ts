import { describe, expect, it } from 'vitest';
import {
  parseTemplate,
  renderTemplate,
  tokensIn,
} from '../../../../../src/runtime/domain/pipeline/template.js';
import {
  enrich,
  emptyFacts,
  factsFromEvent,
  pageWords,
} from '../../../../../src/runtime/domain/pipeline/enrichment.js';
import { draftForLead, pipelineDraftId } from '../../../../../src/runtime/domain/pipeline/draft.js';

const TEMPLATE = `---
sender: Maya
subject: Calls at {{ company }}
product: product:x | Quorra scores calls.
---
Hi {{first_name}},

{{hook}}

{{sender_name}}
`;

describe('draft templates', () => {
  it('parses front matter, product refs and tokens', () => {
    const parsed = parseTemplate('smb', TEMPLATE);
    expect(parsed).toMatchObject({
      ok: true,
      template: {
        name: 'smb',
        subject: 'Calls at {{ company }}',
        sender: 'Maya',
        context: [{ ref: 'product:x', text: 'Quorra scores calls.' }],
        tokens: ['company', 'first_name', 'hook', 'sender_name'],
      },
    });
    expect(tokensIn('{{a}} {{ b }} {{a}}')).toEqual(['a', 'b']);
  });

  it('names the unknown token and other problems', () => {
    expect(parseTemplate('smb', TEMPLATE.replace('{{hook}}', '{{favourite}}'))).toEqual({
      ok: false,
      template: 'smb',
      problem: 'unknown token {{favourite}}',
      token: 'favourite',
    });
    expect(parseTemplate('x', 'Hi {{first_name}}')).toMatchObject({ ok: false, problem: /front matter/ });
    expect(parseTemplate('x', '---\nsender: A\n---\nbody')).toMatchObject({
      ok: false,
      problem: /no subject/,
    });
    expect(parseTemplate('x', '---\nsubject: s\ncolour: red\n---\nbody')).toMatchObject({
      ok: false,
      problem: /unknown front matter key "colour"/,
    });
    expect(parseTemplate('x', '---\nsubject: s\nproduct: nobar\n---\nbody')).toMatchObject({
      ok: false,
      problem: /ref \| text/,
    });
  });

  it('renders every token or reports the missing ones, never half-filled', () => {
    const parsed = parseTemplate('smb', TEMPLATE);
    if (!parsed.ok) throw new Error('parse failed');
    expect(
      renderTemplate(parsed.template, {
        company: 'Acme',
        first_name: 'Ann',
        hook: 'Hello.',
        sender_name: 'Maya',
      }),
    ).toEqual({
      ok: true,
      subject: 'Calls at Acme',
      body: 'Hi Ann,\n\nHello.\n\nMaya',
    });
    expect(renderTemplate(parsed.template, { company: 'Acme', first_name: '  ' })).toEqual({
      ok: false,
      missing: ['first_name', 'hook', 'sender_name'],
    });
  });
});

describe('enrichment', () => {
  it('reads RB2B visits, Clay columns and Instantly events', () => {
    const facts = emptyFacts();
    factsFromEvent({
      id: 7,
      source: 'rb2b',
      received_at: '2026-01-02T00:00:00Z',
      payload: {
        'Business Email': 'a@acme.io',
        'Captured URL': 'https://q.ai/pricing?x=1',
        Industry: 'Retail',
      },
    })?.add(facts);
    factsFromEvent({
      id: 8,
      source: 'clay',
      received_at: '2026-01-03T00:00:00Z',
      payload: { email: 'a@acme.io', first_name: 'Ann', employees: 40, stack: 'HubSpot' },
    })?.add(facts);
    factsFromEvent({
      id: 9,
      source: 'instantly',
      received_at: '2026-01-04T00:00:00Z',
      payload: { event_type: 'email_opened', lead_email: 'a@acme.io' },
    })?.add(facts);
    expect(facts.visits).toEqual([
      { ref: 'rb2b:visit:7', url: 'https://q.ai/pricing?x=1', seen_at: '2026-01-02T00:00:00Z' },
    ]);
    expect(facts.columns.map((c) => `${c.name}=${c.value}`)).toEqual(['employees=40', 'stack=HubSpot']);
    expect(facts.events).toEqual([
      { ref: 'instantly:email_opened:9', type: 'email_opened', at: '2026-01-04T00:00:00Z' },
    ]);
    const { values, context } = enrich(
      { email: 'a@acme.io', first_name: 'Ann', company: 'Acme' },
      facts,
      'Maya',
    );
    expect(values.hook).toBe(
      'Noticed someone at Acme reading the pricing page, so I will keep this practical.',
    );
    expect(values.industry).toBe('Retail');
    expect(context.map((c) => c.ref)).toEqual([
      'rb2b:visit:7',
      'rb2b:visit:7',
      'clay:row:8',
      'instantly:email_opened:9',
    ]);
  });

  it('turns a URL into page words', () => {
    expect(pageWords('https://q.ai/products/quorra-forecast/')).toBe('quorra forecast');
    expect(pageWords('https://q.ai/')).toBe('home');
    expect(pageWords('/docs/crm_integration.html')).toBe('crm integration');
  });

  it('gives one stable id per lead and motion', () => {
    expect(pipelineDraftId('a@acme.io', 'outbound')).toBe(pipelineDraftId('a@acme.io', 'outbound'));
    expect(pipelineDraftId('a@acme.io', 'outbound')).not.toBe(pipelineDraftId('a@acme.io', 'inbound'));
    const parsed = parseTemplate('default', TEMPLATE);
    if (!parsed.ok) throw new Error('parse failed');
    const lead = { email: 'a@acme.io', canonical_email: 'a@acme.io', company: 'Acme', sources: ['clay'] };
    expect(draftForLead(lead, emptyFacts(), new Map([['default', parsed.template]]))).toMatchObject({
      ok: false,
      reason: 'unresolved_token',
    });
    expect(draftForLead(lead, emptyFacts(), new Map())).toMatchObject({ ok: false, reason: 'no_template' });
  });
});
