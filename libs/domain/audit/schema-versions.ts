import { type AuditExportEvent } from './audit-export';
import { type AuditTrailReviewEvent } from './audit-trail-review';
import { type IncidentEvent } from './incident';
import { type IntegrityCheckEvent } from './integrity-check';
import { type ReconciliationEvent } from './reconciliation';

export type AuditEvent =
  AuditExportEvent | AuditTrailReviewEvent | IncidentEvent | IntegrityCheckEvent | ReconciliationEvent;

/** Stored schema version per event type; a new type without a version is a compile error. */
export const auditEventSchemaVersions: Readonly<Record<AuditEvent['type'], number>> = {
  AuditExportGenerated: 1,
  AuditTrailReviewed: 1,
  IncidentRaised: 1,
  IncidentClosed: 1,
  IntegrityChecked: 1,
  ProjectionReconciled: 1,
};
