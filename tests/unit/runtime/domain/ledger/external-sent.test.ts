import { describe, expect, it } from 'vitest';
import { csvRecords, parseExternalSent } from '../../../../../src/runtime/domain/ledger/external-sent.js';

describe('external sent import parsing', () => {
  it('reads a CSV export with a named email column, quotes and bad rows by line', () => {
    const csv = [
      'Contact Name,Email Address,Notes',
      'Ann,ann@acme.io,"said ""later"""',
      'Bob,not-an-email,x',
      '"Multi',
      'line",cy@beta.io,ok',
      'Dee,,',
      'Ann again,ANN@acme.io,dup',
    ].join('\r\n');
    const parsed = parseExternalSent(csv);
    expect(parsed.format).toBe('csv');
    expect(parsed.rows.map((r) => [r.line, r.canonical_email])).toEqual([
      [2, 'ann@acme.io'],
      [4, 'cy@beta.io'],
    ]);
    expect(parsed.errors).toEqual([
      { line: 3, reason: '"not-an-email" is not an email address' },
      { line: 6, reason: 'no email on this row' },
    ]);
    expect(parsed.repeated).toBe(1);
  });

  it('refuses a CSV without an email column, naming the header', () => {
    expect(parseExternalSent('name,phone\nAnn,1\n').errors).toEqual([
      { line: 1, reason: 'no email column in the header (name, phone); name one "email"' },
    ]);
  });

  it('reads JSONL with any email-like key and reports malformed lines', () => {
    const parsed = parseExternalSent(
      '{"email":"a@x.io"}\n\n{"contact_email":"b@x.io"}\nnope\n[1]\n{"name":"c"}\n',
    );
    expect(parsed.format).toBe('jsonl');
    expect(parsed.rows.map((r) => r.email)).toEqual(['a@x.io', 'b@x.io']);
    expect(parsed.errors).toEqual([
      { line: 4, reason: 'not valid JSON' },
      { line: 5, reason: 'not a JSON object' },
      { line: 6, reason: 'no email on this row' },
    ]);
  });

  it('splits CSV records on quoted commas and newlines', () => {
    expect([...csvRecords('a,"b,c"\n"d\ne",f')]).toEqual([
      { line: 1, fields: ['a', 'b,c'] },
      { line: 2, fields: ['d\ne', 'f'] },
    ]);
  });
});
