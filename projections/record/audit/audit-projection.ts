import { auditEventSchemaVersions, type AuditTrailReviewedData } from '@tracershop/domain/audit';
import { identityEventSchemaVersions, type SignatureAttemptFailedData } from '@tracershop/domain/identity';
import type { RecordedEvent } from '@tracershop/event-store';
import type { Projection, ProjectionTransaction } from '@tracershop/projections/engine';
import { auditTableDefinitions, auditTables } from './audit-tables';

export const AUDIT_PROJECTION_NAME = 'record.audit';

export const auditRecordEventTypes = ['AuditTrailReviewed', 'SignatureAttemptFailed'] as const;

/** The version of each event type this projection reads; a newer one stops it rather than be misread. */
const readsSchemaVersion: Readonly<Record<(typeof auditRecordEventTypes)[number], number>> = {
  AuditTrailReviewed: auditEventSchemaVersions.AuditTrailReviewed,
  SignatureAttemptFailed: identityEventSchemaVersions.SignatureAttemptFailed,
};

/** A UTC instant as a `DATETIME(3)` literal. */
function utcDatetime(instant: string): string {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) throw new Error(`${JSON.stringify(instant)} is not an instant`);
  return at.toISOString().slice(0, 23).replace('T', ' ');
}

async function reviewed(event: RecordedEvent, tx: ProjectionTransaction): Promise<void> {
  const data = event.data as AuditTrailReviewedData;
  const signature = event.metadata.signature;
  await tx.query(
    `INSERT INTO ${tx.table(auditTables.reviews)}
       (review_id, record_stream_id, from_revision, through_revision, through_hash, reviewer_id, reviewer_name,
        conclusion, findings, exception_count, exceptions, signature, reviewed_at, stream_id, revision, position)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      data.reviewId,
      data.scope.streamId,
      data.scope.fromRevision,
      data.scope.throughRevision,
      data.scope.throughHash,
      data.reviewer.userId,
      data.reviewer.printedName,
      data.conclusion,
      data.findings,
      data.exceptions.length,
      JSON.stringify(data.exceptions),
      signature ? JSON.stringify(signature) : null,
      utcDatetime(data.reviewedAt),
      event.streamId,
      event.revision.toString(),
      event.position.toString(),
    ],
  );
}

async function signatureFailed(event: RecordedEvent, tx: ProjectionTransaction): Promise<void> {
  const data = event.data as SignatureAttemptFailedData;
  // Failures recorded before they named their record belong to no record's review.
  if (data.recordStreamId === undefined) return;
  await tx.query(
    `INSERT INTO ${tx.table(auditTables.signatureFailures)}
       (event_id, record_stream_id, user_id, meaning, reason, failed_at, position)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [
      event.metadata.eventId,
      data.recordStreamId,
      data.userId,
      data.meaning,
      data.reason,
      utcDatetime(data.failedAt ?? event.metadata.recordedAt),
      event.position.toString(),
    ],
  );
}

/** What a record's audit trail review reads besides the record: earlier reviews and failed signatures. */
export const auditProjection: Projection = {
  name: AUDIT_PROJECTION_NAME,
  version: 1,
  target: 'record',
  eventTypes: auditRecordEventTypes,
  streamPrefixes: ['audit.trailReviews-', 'identity.user-'],
  tables: auditTableDefinitions,
  async handle(event, tx) {
    const type = event.type as (typeof auditRecordEventTypes)[number];
    const schemaVersion = readsSchemaVersion[type];
    if (schemaVersion === undefined) throw new Error(`${AUDIT_PROJECTION_NAME} does not handle ${event.type}`);
    // No upcasters exist yet: a newer shape than this version knows must stop it, not be misread.
    if (event.metadata.schemaVersion !== schemaVersion) {
      throw new Error(
        `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${AUDIT_PROJECTION_NAME} reads version ${schemaVersion}`,
      );
    }
    if (type === 'AuditTrailReviewed') await reviewed(event, tx);
    else await signatureFailed(event, tx);
  },
};
