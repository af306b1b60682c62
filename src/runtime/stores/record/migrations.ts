/**
 * The record's schema history, applied forward at open (SQLite `user_version`; PostgreSQL the
 * `caio_migrations` table). Append new versions at the end; never edit one that has shipped.
 */
import type { Kysely } from 'kysely';
import type { RecordDialect } from './context.js';
import { up as meta } from './migrations/001-meta.js';
import { up as drafts } from './migrations/002-drafts.js';
import { up as gatekeeper } from './migrations/003-gatekeeper.js';
import { up as intake } from './migrations/004-intake.js';
import { up as audit } from './migrations/005-audit.js';
import { up as evidence } from './migrations/006-evidence.js';
import { up as operators } from './migrations/007-operators.js';
import { up as pipeline } from './migrations/008-pipeline.js';
import { up as auditHeads } from './migrations/009-audit-heads.js';
import { up as releaseEvidence } from './migrations/010-release-evidence.js';
import { up as replayScorecard } from './migrations/011-replay-scorecard.js';
import { up as draftsTextScan } from './migrations/012-drafts-text-scan.js';
import { up as webhookKeyHash } from './migrations/013-webhook-key-hash.js';

export interface Migration {
  version: number;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, dialect: RecordDialect): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'meta', up: meta },
  { version: 2, name: 'drafts', up: drafts },
  { version: 3, name: 'gatekeeper', up: gatekeeper },
  { version: 4, name: 'intake', up: intake },
  { version: 5, name: 'audit', up: audit },
  { version: 6, name: 'evidence', up: evidence },
  { version: 7, name: 'operators', up: operators },
  { version: 8, name: 'pipeline', up: pipeline },
  { version: 9, name: 'audit-heads', up: auditHeads },
  { version: 10, name: 'release-evidence', up: releaseEvidence },
  { version: 11, name: 'replay-scorecard', up: replayScorecard },
  { version: 12, name: 'drafts-text-scan', up: draftsTextScan },
  { version: 13, name: 'webhook-key-hash', up: webhookKeyHash },
];

/** The newest version this caio knows (versions ascend; a gap is allowed). */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
