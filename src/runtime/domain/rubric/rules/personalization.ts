/**
 * Personalisation: no template token may survive into the draft, no generic greeting in place of a
 * name, and the draft must say something specific to this lead: the first name, the company or a
 * fact from a context ref about the lead. Missing name or company alone is only advice.
 */
import type { CompiledRubric, PreparedDraft } from '../compile.js';
import { factPairs } from '../lead-facts.js';
import { isSupported, numberMentions } from '../numbers.js';
import { containsWords, findPhrases, quoteList, wordKey, words } from '../text.js';
import type { Hit } from './hit.js';

export function checkTokens(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const found: string[] = [];
  // Each pattern reads what the earlier ones left, so "{{first_name}}" is not reported twice.
  let rest = draft.text;
  if (rubric.tokenPrefilter && !rubric.tokenPrefilter.test(rest)) return [];
  for (const pattern of rubric.tokens) {
    for (const match of rest.matchAll(pattern)) {
      if (!found.includes(match[0])) found.push(match[0]);
    }
    rest = rest.replace(pattern, ' ');
  }
  if (found.length === 0) return [];
  return [
    {
      rule: 'personalization.unresolved_token',
      message: `Unresolved template token${found.length > 1 ? 's' : ''} ${quoteList(found)}`,
    },
  ];
}

export function checkGreeting(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const found = findPhrases(rubric.greetings, draft.body);
  if (found.length === 0) return [];
  return [
    {
      rule: 'personalization.generic_greeting',
      message: `Generic greeting ${quoteList(found)}: greet the prospect by name`,
    },
  ];
}

function usesFirstName(draft: PreparedDraft): boolean {
  const firstName = draft.input.lead.first_name?.trim();
  return !!firstName && containsWords(draft.bodyKeys, firstName);
}

function usesCompany(draft: PreparedDraft, rubric: CompiledRubric): boolean {
  const company = draft.input.lead.company?.trim();
  if (!company) return false;
  const core = words(company)
    .filter((word) => !rubric.companySuffixes.has(wordKey(word)))
    .join(' ');
  return containsWords(draft.textKeys, core === '' ? company : core);
}

function usesFact(draft: PreparedDraft, rubric: CompiledRubric): boolean {
  const { facts } = draft;
  if (!facts.present) return false;
  const text = `${draft.subject}\n${draft.content}`;
  for (const pair of factPairs(text, rubric)) if (facts.pairs.has(pair)) return true;
  return numberMentions(text, rubric.timeUnits).some(
    (mention) => mention.kind !== 'time' && isSupported(mention, facts.numbers),
  );
}

export function checkSpecific(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const { lead } = draft.input;
  const available = !!lead.first_name?.trim() || !!lead.company?.trim() || draft.facts.present;
  if (!available || usesFirstName(draft) || usesCompany(draft, rubric) || usesFact(draft, rubric)) return [];
  return [
    {
      rule: 'personalization.not_specific',
      message:
        'Nothing in the draft is specific to this lead: use the first name, the company or a fact from the context',
    },
  ];
}

export function checkFirstName(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const firstName = draft.input.lead.first_name?.trim();
  if (!rubric.config.personalization.require_first_name || !firstName || usesFirstName(draft)) return [];
  return [
    {
      rule: 'personalization.missing_first_name',
      message: `The body never uses the prospect's first name ("${firstName}")`,
    },
  ];
}

export function checkCompany(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const company = draft.input.lead.company?.trim();
  if (!rubric.config.personalization.require_company || !company || usesCompany(draft, rubric)) return [];
  return [
    {
      rule: 'personalization.missing_company',
      message: `The draft never names the prospect's company ("${company}")`,
    },
  ];
}
