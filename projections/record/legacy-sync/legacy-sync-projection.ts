import {
  capturedChangeEventSchemaVersions,
  capturedChangeEventTypes,
  type CapturedChangeReconciledData,
} from '@tracershop/domain/legacy';
import { businessTimeOf, type Projection } from '@tracershop/projections/engine';
import { legacySyncTableDefinitions, legacySyncTables } from './legacy-sync-tables';

export const LEGACY_SYNC_PROJECTION_NAME = 'record.legacySync';

/** `2027-01-04T08:01:02.123456Z` → `2027-01-04 08:01:02.123456` (a UTC DATETIME(6) literal). */
const utcDateTime = (instant: string) => instant.replace('T', ' ').replace(/Z$/, '');

/**
 * Who reconciled which of the old system's captured changes, and why: the reconciliation report
 * (GET /legacy/captured-changes) joins it to `legacy_capture`.
 */
export const legacySyncProjection: Projection = {
  name: LEGACY_SYNC_PROJECTION_NAME,
  version: 1,
  target: 'record',
  eventTypes: capturedChangeEventTypes,
  streamPrefixes: ['legacy.capturedChange-'],
  tables: legacySyncTableDefinitions,
  async handle(event, tx) {
    if (event.type !== 'CapturedChangeReconciled') {
      throw new Error(`${LEGACY_SYNC_PROJECTION_NAME} does not handle ${event.type}`);
    }
    const schemaVersion = capturedChangeEventSchemaVersions[event.type];
    if (event.metadata.schemaVersion !== schemaVersion) {
      throw new Error(
        `${event.type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${LEGACY_SYNC_PROJECTION_NAME} reads version ${schemaVersion}`,
      );
    }
    const data = event.data as CapturedChangeReconciledData;
    const { actor } = event.metadata;
    await tx.query(
      `INSERT INTO ${tx.table(legacySyncTables.reconciliations)}
         (capture_id, captured_at, table_name, row_key, outcome, reason, reconciled_by_id, reconciled_by_name,
          reconciled_at, position)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        data.captureId,
        utcDateTime(data.capturedAt),
        data.table,
        data.rowKey,
        data.outcome,
        data.reason,
        actor.id,
        actor.printedName,
        businessTimeOf(event),
        event.position.toString(),
      ],
    );
  },
};
