import {
  auditEventSchemaVersions,
  incidentIds,
  type AuditTrailReviewedData,
  type IncidentClosedData,
  type IncidentKind,
  type IncidentRaisedData,
  type IntegrityCheckedData,
} from '@tracershop/domain/audit';
import {
  identityEventSchemaVersions,
  type SignatureAttemptFailedData,
  type UserLockedOutData,
} from '@tracershop/domain/identity';
import type { RecordedEvent } from '@tracershop/event-store';
import type { Projection, ProjectionTransaction } from '@tracershop/projections/engine';
import { auditTableDefinitions, auditTables } from './audit-tables';

export const AUDIT_PROJECTION_NAME = 'record.audit';

export const auditRecordEventTypes = [
  'AuditTrailReviewed',
  'SignatureAttemptFailed',
  'UserLockedOut',
  'IntegrityChecked',
  'IncidentRaised',
  'IncidentClosed',
] as const;
type AuditRecordEventType = (typeof auditRecordEventTypes)[number];

/** The version of each event type this projection reads; a newer one stops it rather than be misread. */
const readsSchemaVersion: Readonly<Record<AuditRecordEventType, number>> = {
  AuditTrailReviewed: auditEventSchemaVersions.AuditTrailReviewed,
  SignatureAttemptFailed: identityEventSchemaVersions.SignatureAttemptFailed,
  UserLockedOut: identityEventSchemaVersions.UserLockedOut,
  IntegrityChecked: auditEventSchemaVersions.IntegrityChecked,
  IncidentRaised: auditEventSchemaVersions.IncidentRaised,
  IncidentClosed: auditEventSchemaVersions.IncidentClosed,
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

/** A cause the worker raises an incident for (once: the incident id is the cause's). */
async function signal(
  event: RecordedEvent,
  tx: ProjectionTransaction,
  incident: { incidentId: string; kind: IncidentKind; summary: string; details: Record<string, unknown> },
): Promise<void> {
  await tx.query(
    // The same cause twice (never expected) is the same incident: the first stays.
    `INSERT INTO ${tx.table(auditTables.incidentSignals)} (incident_id, kind, summary, details, detected_at, position)
     VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE incident_id = incident_id`,
    [
      incident.incidentId,
      incident.kind,
      incident.summary,
      JSON.stringify(incident.details),
      utcDatetime(event.metadata.recordedAt),
      event.position.toString(),
    ],
  );
}

function lockedOut(event: RecordedEvent, tx: ProjectionTransaction): Promise<void> {
  const { userId, until } = event.data as UserLockedOutData;
  return signal(event, tx, {
    incidentId: incidentIds.lockout(userId, until),
    kind: 'account-locked-out',
    summary: `Account locked out after repeated wrong passwords, until ${until}`,
    details: { userId, until, streamId: event.streamId },
  });
}

async function integrityChecked(event: RecordedEvent, tx: ProjectionTransaction): Promise<void> {
  const data = event.data as IntegrityCheckedData;
  const unverified = data.signatures?.unverified.length ?? 0;
  const anchorProblems = [...(data.anchors?.disagreements ?? []), ...(data.anchors?.signing.failures ?? [])];
  const retention = data.retention ?? [];
  if (
    data.broken.length === 0 &&
    unverified === 0 &&
    !data.gap &&
    anchorProblems.length === 0 &&
    retention.length === 0
  )
    return;
  await signal(event, tx, {
    incidentId: incidentIds.integrityCheck(data.checkId),
    kind: 'integrity-check-failed',
    summary:
      `Integrity check ${data.checkId}: ${data.broken.length} broken chain(s), ` +
      `${unverified} signature(s) that do not verify` +
      (data.gap ? `, events missing after position ${data.gap.after ?? 'the start'}` : '') +
      (anchorProblems.length > 0 ? `, ${anchorProblems.length} anchor(s) the record or its MAC disagrees with` : '') +
      (retention.length > 0 ? `, ${retention.length} GMP stream(s) set to forget` : ''),
    details: {
      checkId: data.checkId,
      broken: data.broken,
      unverifiedSignatures: data.signatures?.unverified ?? [],
      ...(data.gap ? { gap: data.gap } : {}),
      ...(anchorProblems.length > 0
        ? { anchorDisagreements: data.anchors?.disagreements, anchorSignatureFailures: data.anchors?.signing.failures }
        : {}),
      ...(retention.length > 0 ? { retention } : {}),
      checkStream: event.streamId,
    },
  });
}

async function incidentRaised(event: RecordedEvent, tx: ProjectionTransaction): Promise<void> {
  const data = event.data as IncidentRaisedData;
  await tx.query(
    `INSERT INTO ${tx.table(auditTables.incidents)}
       (incident_id, kind, summary, details, status, raised_at, raised_by, revision, position)
     VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
    [
      data.incidentId,
      data.kind,
      data.summary,
      JSON.stringify(data.details),
      utcDatetime(data.raisedAt),
      event.metadata.actor.printedName,
      event.revision.toString(),
      event.position.toString(),
    ],
  );
}

async function incidentClosed(event: RecordedEvent, tx: ProjectionTransaction): Promise<void> {
  const data = event.data as IncidentClosedData;
  await tx.query(
    `UPDATE ${tx.table(auditTables.incidents)}
        SET status = 'closed', closed_at = ?, closed_by_id = ?, closed_by = ?, root_cause = ?, corrective_action = ?,
            revision = ?, position = ?
      WHERE incident_id = ?`,
    [
      utcDatetime(data.closedAt),
      event.metadata.actor.id,
      event.metadata.actor.printedName,
      data.rootCause,
      data.correctiveAction,
      event.revision.toString(),
      event.position.toString(),
      data.incidentId,
    ],
  );
}

const handlers: Readonly<
  Record<AuditRecordEventType, (event: RecordedEvent, tx: ProjectionTransaction) => Promise<void>>
> = {
  AuditTrailReviewed: reviewed,
  SignatureAttemptFailed: signatureFailed,
  UserLockedOut: lockedOut,
  IntegrityChecked: integrityChecked,
  IncidentRaised: incidentRaised,
  IncidentClosed: incidentClosed,
};

/**
 * What the audit context reads besides the record itself: the reviews of records and the failed
 * attempts to sign them; the causes of incidents (a lockout, a failed integrity check), which the
 * worker raises; and the incidents.
 */
export const auditProjection: Projection = {
  name: AUDIT_PROJECTION_NAME,
  // 2: incident signals and incidents (a deployment rebuilds the live tables at version 1)
  version: 2,
  target: 'record',
  eventTypes: auditRecordEventTypes,
  streamPrefixes: ['audit.trailReviews-', 'identity.user-', 'audit.integrityChecks-', 'audit.incident-'],
  tables: auditTableDefinitions,
  async handle(event, tx) {
    const type = event.type as AuditRecordEventType;
    const schemaVersion = readsSchemaVersion[type];
    if (schemaVersion === undefined) throw new Error(`${AUDIT_PROJECTION_NAME} does not handle ${event.type}`);
    // No upcasters exist yet: a newer shape than this version knows must stop it, not be misread.
    if (event.metadata.schemaVersion !== schemaVersion) {
      throw new Error(
        `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${AUDIT_PROJECTION_NAME} reads version ${schemaVersion}`,
      );
    }
    await handlers[type](event, tx);
  },
};
