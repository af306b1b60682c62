import { describe, expect, it } from 'vitest';
import {
  createNormalizer,
  compilePatterns,
  findMatches,
} from '../../../../../src/runtime/domain/rubric/patterns.js';
import { editBody, goodInput, rules, score, withBody } from './fixtures.js';

describe('pattern families', () => {
  const normalizer = createNormalizer({ guarentee: 'guarantee' });
  const match = (patterns: string[], text: string) =>
    findMatches(compilePatterns(patterns, normalizer), normalizer.text(text));

  it('hyphens, spaces and joined words are one spelling', () => {
    for (const text of ['risk-free', 'risk free', 'riskfree', 'risk\u2011free', 'Risk — free']) {
      expect(match(['risk free'], text), text).toEqual([
        'risk free'.replace(' ', text.includes('riskfree') ? '' : ' '),
      ]);
    }
  });

  it('folds British spellings and listed misspellings; expands contractions', () => {
    expect(match(['optimize'], 'we optimise it')).toEqual(['optimize']);
    expect(match(['guarant*'], 'we guarentee results')).toEqual(['guarantee']);
    expect(match(['or you do not pay'], "or you don't pay a cent")).toEqual(['or you do not pay']);
  });

  it('alternatives, gaps and word order', () => {
    expect(match(['spots|slots ... filling up'], 'Slots are filling up')).toHaveLength(1);
    expect(match(['hipaa ~3 certified'], 'Certified for HIPAA')).toEqual(['certified for hipaa']);
    expect(match(['hipaa ~3 certified'], 'HIPAA-certified')).toEqual(['hipaa certified']);
    expect(match(['head of sales|business-development'], 'Head of Business Development')).toHaveLength(1);
    expect(match(['no risk'], 'no risky moves')).toEqual([]);
  });
});

describe('claims vs logistics (groundedness)', () => {
  it('the length, day, date and time of the proposed call are not claims', () => {
    for (const ask of [
      'Worth a 15-minute call this week?',
      'Could we find 30 minutes on Wednesday at 10am?',
      'Are you free on March 12 at 11:30am for a short call?',
      'Would you be open to a 30-minute call in the week of the 14th?',
      'Fancy a 20 min chat next week?',
    ]) {
      const result = score(
        editBody(
          'Would you be open to a 20-minute call next Tuesday to see how it would fit your team?',
          ask,
        ),
      );
      expect(rules(result), ask).not.toContain('groundedness.number');
    }
  });

  it('money, percentages, counts and numbers inside the ask are still claims', () => {
    expect(rules(score(editBody('within a day', 'within 2 hours of every call')))).toContain(
      'groundedness.number',
    );
    expect(
      rules(
        score(
          editBody(
            'Would you be open to a 20-minute call next Tuesday to see how it would fit your team?',
            'Would you be open to a 20-minute call to see how you could cut ramp time by 50%?',
          ),
        ),
      ),
    ).toEqual(['groundedness.number']);
    expect(rules(score(editBody('Quorra flags', 'Over 200 teams use Quorra. It flags')))).toEqual([
      'groundedness.number',
    ]);
  });

  it("the sender's signature is not a claim, but a postscript is content", () => {
    for (const signature of [
      'Best,\nPriya Raman\nPartnerships, Quorra',
      'Cheers — Jonas Adler',
      'Jonas Adler',
    ]) {
      const body = `${goodInput().draft.body.replace(/\n\nBest,\nMaya$/, '')}\n\n${signature}`;
      expect(rules(score(withBody(body))), signature).toEqual([]);
    }
    const ps = withBody(`${goodInput().draft.body}\nPS: Northwind uses it too.`);
    expect(rules(score(ps))).toEqual(['groundedness.name']);
  });
});

describe('negative constraints match families of wording', () => {
  for (const phrase of [
    'Results are guarenteed.',
    'The pilot is 100% risk\u2011free.',
    'Trying it is completely free of risk.',
    'Your reps will hit their number this quarter, you have my word.',
    "You will see results in a month or you don't pay a cent.",
  ]) {
    it(`"${phrase}" is an outcome promise`, () => {
      const result = score(editBody('Quorra flags', `${phrase} Quorra flags`));
      expect(rules(result)).toContain('compliance.guarantee');
      expect(result.findings.find((f) => f.rule === 'compliance.guarantee')?.severity).toBe('critical');
    });
  }

  it('a banned certification claim in another word order', () => {
    expect(rules(score(editBody('Quorra flags', 'Quorra is certified for HIPAA and flags')))).toEqual([
      'compliance.banned_phrase',
    ]);
  });

  it('pressure in other words', () => {
    for (const phrase of [
      'Slots are filling up fast.',
      "Honestly it's now or never.",
      'Our pricing goes up next month.',
    ]) {
      expect(rules(score(editBody('Quorra flags', `${phrase} Quorra flags`))), phrase).toContain(
        'tone.pressure',
      );
    }
  });
});

describe('persona families', () => {
  const withTitle = (title: string, segment = 'mid-market') => {
    const input = goodInput({ segment });
    input.lead = { ...input.lead, title, segment };
    return rules(score(input)).filter((rule) => rule.startsWith('targeting'));
  };

  it('common buyer titles of a segment pass', () => {
    for (const title of [
      'Head of Revenue',
      'Sales Enablement Manager',
      'Director, Inside Sales',
      'VP Sales',
      'Chief Commercial Officer',
    ]) {
      expect(withTitle(title), title).toEqual([]);
    }
    for (const title of ['Sales Lead', 'Owner', 'Co-founder', 'Managing Director']) {
      expect(withTitle(title, 'smb'), title).toEqual([]);
    }
    expect(withTitle('Global Head of Sales Productivity', 'enterprise')).toEqual([]);
    expect(withTitle('Client Services Director', 'agency')).toEqual([]);
  });

  it('non-buyers and unrelated roles fail', () => {
    for (const title of [
      'Sales Intern',
      'Senior Software Engineer',
      'Bookkeeper',
      'Junior Account Executive',
    ]) {
      expect(withTitle(title), title).toEqual(['targeting.persona']);
    }
    expect(withTitle('Owner', 'enterprise')).toEqual(['targeting.persona']);
  });
});

describe('exceptions: wording that means the opposite', () => {
  it('an honest disclaimer is not a guarantee, and "no hurry" is not pressure', () => {
    for (const phrase of [
      "I can't guarantee results, but",
      'There is no guarantee, but',
      "I won't promise miracles, but",
    ]) {
      expect(rules(score(editBody('Quorra flags', `${phrase} Quorra flags`))), phrase).toEqual([]);
    }
    for (const phrase of ['No hurry at all.', 'Nothing urgent.']) {
      expect(rules(score(editBody('Quorra flags', `${phrase} Quorra flags`))), phrase).toEqual([]);
    }
    expect(rules(score(editBody('Quorra flags', 'Hurry, Quorra flags')))).toEqual(['tone.pressure']);
    expect(rules(score(editBody('Quorra flags', 'We make sure your reps hit quota. Quorra flags')))).toEqual([
      'compliance.guarantee',
    ]);
  });
});

describe('signature without a sign-off, short asks, common acronyms and titles', () => {
  const body = (ending: string) =>
    `${goodInput()
      .draft.body.replace(/\n\nBest,\nMaya$/, '')
      .replace(
        'Would you be open to a 20-minute call next Tuesday to see how it would fit your team?',
        ending,
      )}`;

  it('closing name, role and contact lines are the sender', () => {
    const input = withBody(
      `${body('Would you be open to a 20-minute call next Tuesday?')}\n\nMaya Lindqvist\nHead of Partnerships, Quorra\n+44 20 7946 0123`,
    );
    expect(rules(score(input))).toEqual([]);
    // A closing sentence without punctuation is not a signature: it stays the ask.
    expect(rules(score(withBody(`${body('Let me know if Tuesday works for a short call')}`)))).toEqual([]);
  });

  it('"Worth a look?" and "Thoughts?" are asks', () => {
    for (const ask of ['Worth a look?', 'Thoughts?', 'Any interest?']) {
      expect(rules(score(withBody(`${body(ask)}\n\nMaya`))), ask).toEqual([]);
    }
  });

  it('regions and sales acronyms are not shouting; LinkedIn is not a claim', () => {
    expect(rules(score(editBody('at once', 'at once across EMEA and APAC')))).toEqual([]);
    expect(rules(score(editBody('Saw Brightwave', 'Saw on LinkedIn that Brightwave')))).toEqual([]);
  });
});
