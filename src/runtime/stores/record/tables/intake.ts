/** The intake tables and repository (filled in by the intake family's work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface IntakeTables {}
