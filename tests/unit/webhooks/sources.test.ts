import { describe, expect, it } from 'vitest';
import { idempotencyKey } from '../../../src/runtime/domain/webhooks/idempotency.js';
import { parseWebhookPayload, quarantineStatus } from '../../../src/runtime/domain/webhooks/sources.js';

describe('webhook payloads', () => {
  it('maps Instantly events to suppressions and sends', () => {
    const cases = [
      ['reply_received', 'replied'],
      ['email_bounced', 'bounced'],
      ['lead_unsubscribed', 'unsubscribed'],
    ] as const;
    for (const [event_type, reason] of cases) {
      expect(parseWebhookPayload('instantly', { event_type, lead_email: 'a@b.io' })).toEqual({
        ok: true,
        effects: [{ kind: 'suppress', email: 'a@b.io', reason }],
      });
    }
    // Interest suppresses and asks for a call brief; a booked meeting asks for a brief.
    expect(parseWebhookPayload('instantly', { event_type: 'lead_interested', lead_email: 'a@b.io' })).toEqual(
      {
        ok: true,
        effects: [
          { kind: 'suppress', email: 'a@b.io', reason: 'interested' },
          { kind: 'prep', email: 'a@b.io', trigger: 'lead_interested' },
        ],
      },
    );
    expect(
      parseWebhookPayload('instantly', { event_type: 'lead_meeting_booked', lead_email: 'a@b.io' }),
    ).toEqual({
      ok: true,
      effects: [{ kind: 'prep', email: 'a@b.io', trigger: 'lead_meeting_booked' }],
    });
    expect(parseWebhookPayload('instantly', { event_type: 'lead_meeting_booked' })).toMatchObject({
      ok: false,
    });
    expect(parseWebhookPayload('instantly', { event_type: 'email_sent', lead_email: 'a@b.io' })).toEqual({
      ok: true,
      effects: [{ kind: 'sent', email: 'a@b.io' }],
    });
    expect(parseWebhookPayload('instantly', { event_type: 'email_opened', lead_email: 'a@b.io' })).toEqual({
      ok: true,
      effects: [],
    });
  });

  it('rejects unknown Instantly events, missing addresses and non-objects with a clear message', () => {
    expect(parseWebhookPayload('instantly', { event_type: 'nope' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('event_type'),
    });
    expect(parseWebhookPayload('instantly', { event_type: 'email_bounced' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('lead_email'),
    });
    expect(
      parseWebhookPayload('instantly', { event_type: 'email_bounced', lead_email: 'not-an-email' }).ok,
    ).toBe(false);
    expect(parseWebhookPayload('clay', [1, 2])).toMatchObject({
      ok: false,
      message: 'clay payload must be a JSON object',
    });
    expect(parseWebhookPayload('rb2b', null).ok).toBe(false);
  });

  it('reads RB2B title-case keys into a lead', () => {
    const row = {
      'First Name': 'Ann',
      'Last Name': 'Lee',
      Title: 'CTO',
      'Company Name': 'Acme',
      'Business Email': 'ann@acme.io',
    };
    expect(parseWebhookPayload('rb2b', row)).toEqual({
      ok: true,
      effects: [
        {
          kind: 'lead',
          source: 'rb2b',
          lead: { email: 'ann@acme.io', first_name: 'Ann', last_name: 'Lee', title: 'CTO', company: 'Acme' },
        },
      ],
    });
    expect(parseWebhookPayload('rb2b', { 'Company Name': 'Acme' })).toEqual({ ok: true, effects: [] });
    expect(parseWebhookPayload('rb2b', { first_name: 'Ann' }).ok).toBe(false);
    expect(quarantineStatus('rb2b')).toBe(202);
    expect(quarantineStatus('clay')).toBe(400);
  });

  it('reads Clay rows and HeyReach replies', () => {
    expect(parseWebhookPayload('clay', { email: 'b@c.io', company_name: 'C', tier: 'A' })).toEqual({
      ok: true,
      effects: [{ kind: 'lead', source: 'clay', lead: { email: 'b@c.io', company: 'C', tier: 'A' } }],
    });
    expect(parseWebhookPayload('clay', { first_name: 'B' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('email'),
    });
    expect(
      parseWebhookPayload('heyreach', {
        event_type: 'message_reply_received',
        lead: { email_address: 'd@e.io' },
      }),
    ).toEqual({
      ok: true,
      effects: [{ kind: 'suppress', email: 'd@e.io', reason: 'replied' }],
    });
    expect(parseWebhookPayload('heyreach', { event_type: 'CONNECTION_REQUEST_SENT' })).toEqual({
      ok: true,
      effects: [],
    });
    expect(parseWebhookPayload('heyreach', { lead: {} }).ok).toBe(false);
  });
});

describe('idempotencyKey', () => {
  it('prefers the webhook-id, then a payload id, else the SHA-256 of the body', () => {
    expect(idempotencyKey({ webhookId: 'msg_1', payload: { id: 'x' }, body: '{}' })).toBe('id:msg_1');
    expect(idempotencyKey({ payload: { event_id: 'e-9' }, body: '{}' })).toBe('id:e-9');
    // A record id is not an event id: two deliveries about the same Clay row are two deliveries.
    const first = idempotencyKey({ payload: { id: 42, title: 'CTO' }, body: '{"id":42,"title":"CTO"}' });
    const update = idempotencyKey({ payload: { id: 42, title: 'CEO' }, body: '{"id":42,"title":"CEO"}' });
    expect(first).toMatch(/^sha256:/);
    expect(update).not.toBe(first);
    const a = idempotencyKey({ payload: { x: 1 }, body: '{"x":1}' });
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(idempotencyKey({ payload: { x: 1 }, body: '{"x":1}' })).toBe(a);
    expect(idempotencyKey({ payload: { x: 1 }, body: '{"x": 1}' })).not.toBe(a);
  });
});
