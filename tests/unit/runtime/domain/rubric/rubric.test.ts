import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RUBRIC_CONFIG,
  createRubric,
  evaluateDraft,
  parseRubricConfig,
} from '../../../../../src/runtime/domain/rubric/index.js';
import { editBody, goodInput, rules, score, withBody } from './fixtures.js';

describe('rubric verdict', () => {
  it('a grounded, personal, single-ask draft passes with no findings', () => {
    expect(score(goodInput())).toEqual({ verdict: 'pass', categories: [], findings: [] });
  });

  it('is deterministic: same input, same result, and evaluateDraft agrees with createRubric', () => {
    const input = editBody('Austin', 'Denver');
    const first = score(input);
    expect(score(input)).toEqual(first);
    expect(createRubric(DEFAULT_RUBRIC_CONFIG).evaluate(input)).toEqual(first);
  });

  it('advice findings do not fail the draft and do not list a category', () => {
    const input = goodInput();
    input.lead = { ...input.lead, title: undefined };
    const result = score(input);
    expect(rules(result)).toEqual(['targeting.title_missing']);
    expect(result.findings[0]?.severity).toBe('advice');
    expect(result.verdict).toBe('pass');
    expect(result.categories).toEqual([]);
  });

  it('categories come in taxonomy order, once each', () => {
    const result = score(editBody('Quorra flags', 'GUARANTEED!!! Quorra flags'));
    expect(result.verdict).toBe('fail');
    expect(result.categories).toEqual(['tone', 'compliance']);
  });
});

describe('groundedness.number (accuracy)', () => {
  it('flags a number no source has', () => {
    const result = score(editBody('within a day', 'within a day, cutting ramp time by 40%'));
    expect(rules(result)).toEqual(['groundedness.number']);
    expect(result.findings[0]).toMatchObject({ category: 'accuracy', severity: 'critical' });
    expect(result.findings[0]?.message).toContain('"40%"');
  });

  it('accepts the same value written differently in the context', () => {
    const input = editBody('within a day', 'within a day, like the 40% faster ramp Acme saw');
    input.context.push({ ref: 'case-study:acme', text: 'Acme cut SDR ramp time by 40 percent.' });
    expect(rules(score(input))).toEqual([]);
  });

  it('money matches across notations ($40k vs $40,000)', () => {
    const input = editBody('within a day', 'within a day, worth about $40k a year');
    expect(rules(score(input))).toEqual(['groundedness.number']);
    input.context.push({ ref: 'calc', text: 'Estimated savings: $40,000 per year.' });
    expect(rules(score(input))).toEqual([]);
  });

  it('a percentage is not supported by the same plain number', () => {
    const input = editBody('within a day', 'within a day and lift 6% more meetings');
    expect(rules(score(input))).toEqual(['groundedness.number']);
  });

  it('a duration in the call to action is not a claim, but the same duration elsewhere is', () => {
    expect(rules(score(editBody('20-minute', '15 min')))).toEqual([]);
    expect(rules(score(editBody('within a day', 'in 15 minutes')))).toEqual(['groundedness.number']);
  });

  it('a clock time in the call to action is not a claim', () => {
    expect(rules(score(editBody('next Tuesday', 'Tuesday at 2pm')))).toEqual([]);
  });

  it('B2B, Q3 and G2-style tokens are not numbers', () => {
    expect(rules(score(editBody('the ones that matter', 'the B2B deals that matter in Q3')))).toEqual([]);
  });
});

describe('groundedness.name (accuracy)', () => {
  it('flags a company the sources never mention', () => {
    const result = score(editBody('Quorra flags', 'Like Gong, Quorra flags'));
    expect(rules(result)).toEqual(['groundedness.name']);
    expect(result.findings[0]?.message).toContain('"Gong"');
  });

  it('flags a place the sources never mention', () => {
    expect(rules(score(editBody('in Austin', 'in Austin and Chicago')))).toEqual(['groundedness.name']);
  });

  it('flags a product name with an inner capital even at the start of a sentence', () => {
    expect(rules(score(editBody('Quorra flags', 'HubSpot users love it. Quorra flags')))).toEqual([
      'groundedness.name',
    ]);
  });

  it('accepts names from the lead record, the context and the known terms', () => {
    const input = editBody('Quorra flags', 'Since you run Salesforce, Quorra flags');
    expect(rules(score(input))).toEqual(['groundedness.name']);
    input.context.push({ ref: 'clay:tech', text: 'Tech stack: Salesforce, Outreach' });
    expect(rules(score(input))).toEqual([]);
  });

  it('the first word of a sentence and greetings are not names', () => {
    expect(rules(score(editBody('Saw Brightwave', 'Noticed Brightwave')))).toEqual([]);
  });
});

describe('groundedness.claim (accuracy)', () => {
  it('flags a marketing claim without a source', () => {
    const result = score(editBody('Quorra flags', 'Quorra, the award-winning platform, flags'));
    expect(rules(result)).toEqual(['groundedness.claim']);
  });

  it('accepts a claim a context ref makes', () => {
    const input = editBody('Quorra flags', 'Quorra, the award-winning platform, flags');
    input.context.push({ ref: 'product:awards', text: 'Quorra is an award-winning coaching platform.' });
    expect(rules(score(input))).toEqual([]);
  });
});

describe('negative constraints (compliance)', () => {
  it.each([
    ['guaranteed', 'Quorra flags', 'Guaranteed: Quorra flags'],
    ['risk-free', 'Would you be open to', 'It is risk-free. Would you be open to'],
    ['no risk', 'Would you be open to', 'There is no risk. Would you be open to'],
  ])('flags a promise (%s)', (_name, from, to) => {
    const result = score(editBody(from, to));
    expect(rules(result)).toEqual(['compliance.guarantee']);
    expect(result.findings[0]).toMatchObject({ category: 'compliance', severity: 'critical' });
  });

  it('matches whole words only ("no risky" is not "no risk")', () => {
    expect(rules(score(editBody('the ones that matter', 'the ones with no risky habits')))).toEqual([]);
  });

  it('flags a phrase of the configurable banned list, and a custom one', () => {
    expect(rules(score(editBody('Would you be open to', 'Click here. Would you be open to')))).toEqual([
      'compliance.banned_phrase',
    ]);
    const parsed = parseRubricConfig({ negative_constraints: { banned_phrases: ['coaching'] } });
    if (!parsed.ok) throw new Error('config should parse');
    expect(rules(score(editBody('instead of coaching', 'instead of coaching'), parsed.config))).toEqual([
      'compliance.banned_phrase',
    ]);
  });
});

describe('personalization', () => {
  it.each(['{{first_name}}', '[FIRST NAME]', '{company}', '%FIRSTNAME%'])(
    'flags the unresolved token %s',
    (token) => {
      const result = score(editBody('Hi Dana,', `Hi Dana ${token},`));
      expect(rules(result)).toEqual(['personalization.unresolved_token']);
      expect(result.findings[0]).toMatchObject({ category: 'personalization', severity: 'critical' });
    },
  );

  it('flags a generic greeting', () => {
    expect(rules(score(editBody('Hi Dana,', 'Hi there Dana,')))).toEqual([
      'personalization.generic_greeting',
    ]);
  });

  it('a missing first name is advice when the draft is specific otherwise', () => {
    const input = editBody('Hi Dana,', 'Hi,');
    const result = score(input);
    expect(rules(result)).toEqual(['personalization.missing_first_name']);
    expect(result.verdict).toBe('pass');
    input.lead = { ...input.lead, first_name: undefined };
    expect(rules(score(input))).toEqual([]);
  });

  it('not naming the company is advice, ignoring legal suffixes', () => {
    const input = goodInput();
    input.draft = {
      subject: 'Ramping 6 new SDRs',
      body: input.draft.body.replace('Saw Brightwave is', 'Saw you are'),
    };
    const result = score(input);
    expect(rules(result)).toEqual(['personalization.missing_company']);
    expect(result.findings[0]?.severity).toBe('advice');
    expect(result.verdict).toBe('pass');
    const suffixed = goodInput();
    suffixed.lead = { ...suffixed.lead, company: 'Brightwave Inc.' };
    expect(rules(score(suffixed))).toEqual([]);
  });

  it('any specific fact about the lead personalises: name, company or a context fact', () => {
    const generic = goodInput();
    generic.draft = {
      subject: 'Coaching new reps',
      body: "Hello,\n\nRamping reps usually means managers spend their week listening to calls instead of coaching the ones that matter. Quorra flags the calls worth a manager's time.\n\nWould you be open to a 20-minute call next Tuesday?\n\nBest,\nMaya",
    };
    const failed = score(generic);
    expect(rules(failed)).toContain('personalization.not_specific');
    expect(failed.categories).toEqual(['personalization']);
    // The same draft using only the context fact (6 SDRs in Austin) is personal.
    const withFact = structuredClone(generic);
    withFact.draft.body = withFact.draft.body.replace('Ramping reps', 'Hiring 6 SDRs in Austin');
    const passed = score(withFact);
    expect(rules(passed)).not.toContain('personalization.not_specific');
    expect(passed.verdict).toBe('pass');
    // A product fact is not a fact about the lead.
    const productOnly = structuredClone(generic);
    productOnly.context.push({
      ref: 'product:coaching',
      text: 'Quorra flags the calls worth a manager time.',
    });
    expect(rules(score(productOnly))).toContain('personalization.not_specific');
  });
});

describe('tone', () => {
  it('an empty subject fails; a long one is advice', () => {
    const empty = goodInput();
    empty.draft = { ...empty.draft, subject: ' ' };
    const failed = score(empty);
    expect(rules(failed)).toEqual(['tone.subject_missing']);
    expect(failed.verdict).toBe('fail');
    const long = goodInput();
    long.draft = { ...long.draft, subject: `Brightwave ${'and a very long subject line '.repeat(3)}` };
    const advised = score(long);
    expect(rules(advised)).toEqual(['tone.subject_length']);
    expect(advised.findings[0]?.severity).toBe('advice');
    expect(advised.verdict).toBe('pass');
  });

  it('length outside the usual range is advice; only the extremes fail', () => {
    // 21 words: short, but a normal cold email.
    const short = score(
      withBody(
        'Hi Dana, Brightwave is hiring 6 SDRs. Quorra flags the calls a manager should hear. Worth a 15-minute call?\n\nMaya',
      ),
    );
    expect(rules(short)).toEqual(['tone.body_length']);
    expect(short.findings[0]).toMatchObject({ severity: 'advice', category: 'tone' });
    expect(short.verdict).toBe('pass');
    const thin = score(withBody('Hi Dana, Brightwave: would you be open to a call?'));
    expect(rules(thin)).toEqual(['tone.body_length_extreme']);
    expect(thin.categories).toEqual(['tone']);
    const padded = editBody(
      'the ones that matter.',
      `the ones that matter.${' Managers lose time.'.repeat(20)}`,
    );
    const long = score(padded);
    expect(rules(long)).toEqual(['tone.body_length']);
    expect(long.findings[0]?.message).toMatch(/25-125 is usual/);
    expect(long.verdict).toBe('pass');
    const smb = structuredClone(padded);
    smb.segment = 'smb';
    smb.lead.segment = 'smb';
    smb.lead.title = 'Founder';
    expect(score(smb).findings.find((f) => f.rule === 'tone.body_length')?.message).toMatch(
      /25-125 is usual for smb/,
    );
    const extreme = editBody(
      'the ones that matter.',
      `the ones that matter.${' Managers lose time.'.repeat(40)}`,
    );
    expect(rules(score(extreme))).toEqual(['tone.body_length_extreme']);
  });

  it('flags shouting, but not known acronyms or words the sources write in capitals', () => {
    expect(rules(score(editBody('at once', 'at once is HUGE')))).toEqual(['tone.shouting']);
    expect(rules(score(editBody('at once', 'at once hurts ROI')))).toEqual([]);
    const input = editBody('at once', 'at once at ACME');
    input.context.push({ ref: 'clay', text: 'Parent company: ACME' });
    expect(rules(score(input))).toEqual([]);
  });

  it('flags runs of exclamation marks and too many of them', () => {
    expect(rules(score(editBody('Hi Dana,', 'Hi Dana!!')))).toEqual(['tone.exclamation']);
    expect(rules(score(editBody('Hi Dana,', 'Hi Dana!')))).toEqual([]);
    expect(rules(score(editBody('Hi Dana,', 'Hi Dana! Big week!')))).toEqual(['tone.exclamation']);
  });

  it('flags pressure phrases', () => {
    const result = score(editBody('Would you be open to', 'Last chance: would you be open to'));
    expect(rules(result)).toEqual(['tone.pressure']);
    expect(result.findings[0]).toMatchObject({ category: 'tone', severity: 'major' });
  });
});

describe('tone.call_to_action', () => {
  it('flags a draft with no ask', () => {
    const result = score(
      editBody(
        'Would you be open to a 20-minute call next Tuesday to see how it would fit your team?',
        'It could fit your team.',
      ),
    );
    expect(rules(result)).toEqual(['tone.call_to_action']);
    expect(result.findings[0]?.message).toMatch(/^No call to action/);
  });

  it('flags two asks', () => {
    const result = score(editBody('your team?', 'your team? If not, happy to send a short overview.'));
    expect(rules(result)).toEqual(['tone.call_to_action']);
    expect(result.findings[0]?.message).toMatch(/^2 calls to action/);
  });

  it('a calendar link is an ask', () => {
    const body = editBody(
      'Would you be open to a 20-minute call next Tuesday to see how it would fit your team?',
      'Here is my calendar if a slot suits: calendly.com/maya-quorra/20min',
    );
    expect(rules(score(body))).toEqual([]);
  });
});

describe('targeting', () => {
  it('flags a persona outside the segment', () => {
    const input = goodInput();
    input.lead = { ...input.lead, title: 'Marketing Intern' };
    const result = score(input);
    expect(rules(result)).toEqual(['targeting.persona']);
    expect(result.findings[0]).toMatchObject({ category: 'targeting', severity: 'major' });
  });

  it('flags a draft written for another segment than the lead', () => {
    const input = goodInput({ segment: 'enterprise' });
    expect(rules(score(input))).toEqual(['targeting.segment_mismatch']);
  });

  it('flags an unknown segment', () => {
    const input = goodInput({ segment: 'government' });
    input.lead = { ...input.lead, segment: undefined };
    expect(rules(score(input))).toEqual(['targeting.unknown_segment']);
  });

  it('a missing segment is advice only', () => {
    const input = goodInput({ segment: undefined });
    input.lead = { ...input.lead, segment: undefined };
    const result = score(input);
    expect(rules(result)).toEqual(['targeting.segment_missing']);
    expect(result.verdict).toBe('pass');
  });

  it('flags language that is wrong for the segment', () => {
    const input = editBody('Quorra flags', 'Quorra is enterprise-grade and flags', {});
    expect(rules(score(input))).toEqual([]);
    const smb = structuredClone(input);
    smb.segment = 'smb';
    smb.lead.segment = 'smb';
    smb.lead.title = 'Founder & CEO';
    expect(rules(score(smb))).toEqual(['targeting.segment_language']);
  });
});

describe('rubric configuration', () => {
  it('the defaults parse, and a partial file merges onto them section by section', () => {
    expect(parseRubricConfig({})).toEqual({ ok: true, config: DEFAULT_RUBRIC_CONFIG });
    const parsed = parseRubricConfig({ length: { body_max_words: 60 } });
    expect(parsed.ok && parsed.config.length).toEqual({
      ...DEFAULT_RUBRIC_CONFIG.length,
      body_max_words: 60,
    });
    if (!parsed.ok) return;
    expect(rules(evaluateDraft(goodInput(), parsed.config))).toEqual(['tone.body_length']);
    // The HoS can make advice fail, or switch a rule off.
    const strict = parseRubricConfig({
      length: { body_max_words: 60 },
      rules: { 'tone.body_length': 'fail' },
    });
    expect(strict.ok && evaluateDraft(goodInput(), strict.config).categories).toEqual(['tone']);
    const off = parseRubricConfig({ length: { body_max_words: 60 }, rules: { 'tone.body_length': 'off' } });
    expect(off.ok && evaluateDraft(goodInput(), off.config).findings).toEqual([]);
  });

  it('refuses unknown keys and a taxonomy without the rubric categories', () => {
    const typo = parseRubricConfig({ tone: { max_exclamation: 2 } });
    expect(typo.ok).toBe(false);
    const taxonomy = parseRubricConfig({ rejection_taxonomy: ['tone'] });
    expect(!taxonomy.ok && taxonomy.issues[0]?.path).toBe('rejection_taxonomy');
    const extra = parseRubricConfig({
      rejection_taxonomy: ['tone', 'personalization', 'accuracy', 'compliance', 'targeting', 'timing'],
    });
    expect(extra.ok).toBe(true);
  });

  it('refuses an unknown rule, softening a critical rule and an undefined persona family', () => {
    const unknown = parseRubricConfig({ rules: { 'tone.lenght': 'advise' } });
    expect(!unknown.ok && unknown.issues[0]).toMatchObject({ path: 'rules.tone.lenght' });
    const softened = parseRubricConfig({ rules: { 'compliance.guarantee': 'advise' } });
    expect(!softened.ok && softened.issues[0]?.message).toMatch(/critical rule/);
    const family = parseRubricConfig({
      segments: { smb: { label: 'SMB', persona_families: ['wizards'], avoid_phrases: [] } },
    });
    expect(!family.ok && family.issues[0]?.message).toMatch(/unknown persona family "wizards"/);
  });
});
