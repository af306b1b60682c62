/** The drafts tables and repository (filled in by the drafts family's work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DraftsTables {}
