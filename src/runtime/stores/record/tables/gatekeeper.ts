/** The gatekeeper tables and repository (filled in by the gatekeeper family's work). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GatekeeperTables {}
