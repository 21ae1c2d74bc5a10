import { type AuditAnchorEvent } from './audit-anchor';
import { type AuditExportEvent } from './audit-export';
import { type AuditTrailReviewEvent } from './audit-trail-review';
import { type IncidentEvent } from './incident';
import { type IntegrityCheckEvent } from './integrity-check';
import { type ReconciliationEvent } from './reconciliation';

export type AuditEvent =
  | AuditAnchorEvent
  | AuditExportEvent
  | AuditTrailReviewEvent
  | IncidentEvent
  | IntegrityCheckEvent
  | ReconciliationEvent;

/** Stored schema version per event type; a new type without a version is a compile error. */
export const auditEventSchemaVersions: Readonly<Record<AuditEvent['type'], number>> = {
  AuditAnchorRecorded: 1,
  AuditExportGenerated: 1,
  AuditTrailReviewed: 1,
  IncidentRaised: 1,
  IncidentClosed: 1,
  IntegrityChecked: 1,
  ProjectionReconciled: 1,
};
