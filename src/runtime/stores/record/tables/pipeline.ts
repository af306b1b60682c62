/** The pipeline tables and repository (filled in by the pipeline family's work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PipelineTables {}
