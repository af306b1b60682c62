/** Every table of the record, as Kysely sees it: one interface per family, in `tables/<family>.ts`. */
import type { AuditHeadsTables } from './tables/audit-heads.js';
import type { AuditTables } from './tables/audit.js';
import type { DraftsTables } from './tables/drafts.js';
import type { EvidenceTables } from './tables/evidence.js';
import type { GatekeeperTables } from './tables/gatekeeper.js';
import type { IntakeTables } from './tables/intake.js';
import type { MetaTables } from './tables/meta.js';
import type { OperatorsTables } from './tables/operators.js';
import type { PipelineTables } from './tables/pipeline.js';
import type { ReleaseTables } from './tables/release.js';
import type { ReplayTables } from './tables/replay.js';
import type { ScorecardTables } from './tables/scorecard.js';

export interface RecordSchema
  extends
    MetaTables,
    DraftsTables,
    GatekeeperTables,
    IntakeTables,
    AuditTables,
    AuditHeadsTables,
    EvidenceTables,
    OperatorsTables,
    PipelineTables,
    ReleaseTables,
    ReplayTables,
    ScorecardTables {}
