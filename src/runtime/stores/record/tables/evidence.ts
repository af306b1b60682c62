/** The evidence tables and repository (filled in by the evidence family's work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EvidenceTables {}
