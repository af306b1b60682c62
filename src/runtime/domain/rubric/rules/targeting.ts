/**
 * Targeting: the draft is judged against its segment's standard (rubric.json `segments`): the
 * segment must exist and agree with the lead record, the title must belong to one of the segment's
 * buyer role families (rubric.json `persona_families`) and to no non-buyer title, and the language
 * must suit the segment.
 */
import type { CompiledRubric, PreparedDraft } from '../compile.js';
import { findMatches, matches } from '../patterns.js';
import { quoteList } from '../text.js';
import type { Hit } from './hit.js';

export function checkSegment(draft: PreparedDraft, rubric: CompiledRubric): Hit[] {
  const { input } = draft;
  const declared = input.segment?.trim();
  const leadSegment = input.lead.segment?.trim();
  if (draft.segment === undefined) {
    return [
      {
        rule: 'targeting.segment_missing',
        message: 'No segment on the draft or the lead: segment standards were not checked',
      },
    ];
  }
  const hits: Hit[] = [];
  if (declared && leadSegment && declared !== leadSegment) {
    hits.push({
      rule: 'targeting.segment_mismatch',
      message: `Written for segment "${declared}" but the lead is "${leadSegment}"`,
    });
  }
  const segment = rubric.segments.get(draft.segment);
  if (!segment) {
    hits.push({
      rule: 'targeting.unknown_segment',
      message: `Unknown segment "${draft.segment}" (rubric.json segments: ${[...rubric.segments.keys()].join(', ')})`,
    });
    return hits;
  }
  const title = input.lead.title?.trim();
  if (!title) {
    hits.push({ rule: 'targeting.title_missing', message: 'The lead has no title: persona not checked' });
  } else {
    const normalized = rubric.normalizer.text(title);
    const nonBuyer = findMatches(rubric.nonBuyers, normalized);
    if (nonBuyer.length > 0) {
      hits.push({
        rule: 'targeting.persona',
        message: `"${title}" is not a buyer (non_buyer_titles: ${quoteList(nonBuyer)})`,
      });
    } else if (segment.personas && !matches(segment.personas, normalized)) {
      const families = segment.standard.persona_families
        .map((family) => rubric.config.persona_families[family]?.label ?? family)
        .join('; ');
      hits.push({
        rule: 'targeting.persona',
        message: `"${title}" is not in a ${segment.key} buyer role family (${families}); add the title to rubric.json persona_families if reviewers approve it`,
      });
    }
  }
  const avoided = findMatches(segment.avoid, draft.normalized);
  if (avoided.length > 0) {
    hits.push({
      rule: 'targeting.segment_language',
      message: `Wrong language for ${segment.key}: ${quoteList(avoided)}`,
    });
  }
  return hits;
}
