import { describe, expect, it } from 'vitest';
import {
  canonicalEmail,
  emailDomain,
  isPlausibleEmail,
} from '../../../../../src/runtime/domain/canonical-email.js';

describe('canonicalEmail', () => {
  it.each([
    ['  Jane.Doe@Example.COM ', 'jane.doe@example.com'],
    ['j.a.n.e@gmail.com', 'jane@gmail.com'],
    ['Jane.Doe+promo@GoogleMail.com', 'janedoe@gmail.com'],
    ['jane+news@acme.io', 'jane@acme.io'],
    ['first.last@acme.io', 'first.last@acme.io'],
    ['+tag@acme.io', '+tag@acme.io'],
    ['a+b+c@outlook.com', 'a@outlook.com'],
  ])('%s -> %s', (raw, expected) => {
    expect(canonicalEmail(raw)).toBe(expected);
  });

  it('maps every spelling of one Gmail inbox to one key', () => {
    const spellings = [
      'johnsmith@gmail.com',
      'John.Smith@gmail.com',
      'john.smith+x@googlemail.com',
      ' JOHNSMITH+y@GMAIL.COM',
    ];
    expect(new Set(spellings.map(canonicalEmail))).toEqual(new Set(['johnsmith@gmail.com']));
  });

  it('leaves malformed input trimmed and lowercased for the caller to reject', () => {
    expect(canonicalEmail(' NoAt ')).toBe('noat');
    expect(isPlausibleEmail('noat')).toBe(false);
    expect(isPlausibleEmail('a@b')).toBe(false);
    expect(isPlausibleEmail('a b@c.io')).toBe(false);
    expect(isPlausibleEmail('a@b.io')).toBe(true);
  });

  it('gives the canonical domain', () => {
    expect(emailDomain('x@GoogleMail.com')).toBe('gmail.com');
  });
});
