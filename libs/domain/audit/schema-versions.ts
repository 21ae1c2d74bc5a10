import { type AuditExportEvent } from './audit-export';
import { type IntegrityCheckEvent } from './integrity-check';

export type AuditEvent = AuditExportEvent | IntegrityCheckEvent;

/** Stored schema version per event type; a new type without a version is a compile error. */
export const auditEventSchemaVersions: Readonly<Record<AuditEvent['type'], number>> = {
  AuditExportGenerated: 1,
  IntegrityChecked: 1,
};
