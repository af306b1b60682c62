/** The operators tables and repository (filled in by the operators family's work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface OperatorsTables {}
