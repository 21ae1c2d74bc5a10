import { requireId, requireInstant, requireInteger } from '../catalog/field-validation';
import { ruleViolated, type Decider, type DomainEvent } from '../kernel';

/**
 * The result of a projection reconciliation (GMP, auditor capability 8: a read model rebuilt from
 * the record and compared with the live one), kept as evidence: which projection, up to which
 * position, per table how many rows the record makes and how many differ. Who ran it is the
 * envelope's actor. One stream a month, like the integrity checks.
 */
export const reconciliationsStreamName = (month: string) => `audit.reconciliations-${month}`;
export const reconciliationsStreamOf = (at: string) => reconciliationsStreamName(at.slice(0, 7));

export interface ReconciledTable {
  table: string;
  rows: number;
  missing: number;
  different: number;
  extra: number;
}

export interface RecordReconciliation {
  type: 'RecordReconciliation';
  reconciliationId: string;
  projection: string;
  position: string;
  tables: ReconciledTable[];
  at: string;
}

export interface ProjectionReconciledData {
  reconciliationId: string;
  projection: string;
  position: string;
  tables: ReconciledTable[];
  differences: number;
  reconciledAt: string;
}

export type ProjectionReconciled = DomainEvent<'ProjectionReconciled', ProjectionReconciledData>;
export type ReconciliationEvent = ProjectionReconciled;

export interface ReconciliationsState {
  reconciliationIds: string[];
}

const COUNT = { min: 0, max: Number.MAX_SAFE_INTEGER, code: 'INVALID_RECONCILIATION_COUNT' };

function requireTableName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(value)) {
    throw ruleViolated('INVALID_RECONCILIATION', `${field} is not a table name`, { field });
  }
  return value;
}

function decide(command: RecordReconciliation, state: ReconciliationsState): ReconciliationEvent[] {
  const reconciledAt = requireInstant(command.at);
  const reconciliationId = requireId(command.reconciliationId, 'reconciliationId');
  if (state.reconciliationIds.includes(reconciliationId)) return [];
  if (!Array.isArray(command.tables) || command.tables.length === 0) {
    throw ruleViolated('INVALID_RECONCILIATION', 'A reconciliation names the tables it compared', { field: 'tables' });
  }
  const tables = command.tables.map((table, index) => ({
    table: requireTableName(table.table, `tables[${index}].table`),
    rows: requireInteger(table.rows, `tables[${index}].rows`, COUNT),
    missing: requireInteger(table.missing, `tables[${index}].missing`, COUNT),
    different: requireInteger(table.different, `tables[${index}].different`, COUNT),
    extra: requireInteger(table.extra, `tables[${index}].extra`, COUNT),
  }));
  return [
    {
      type: 'ProjectionReconciled',
      data: {
        reconciliationId,
        projection: requireId(command.projection, 'projection'),
        position: command.position,
        tables,
        differences: tables.reduce((sum, table) => sum + table.missing + table.different + table.extra, 0),
        reconciledAt,
      },
    },
  ];
}

export const reconciliationsDecider: Decider<RecordReconciliation, ReconciliationEvent, ReconciliationsState> = {
  initialState: () => ({ reconciliationIds: [] }),
  evolve: (state, event) => ({ reconciliationIds: [...state.reconciliationIds, event.data.reconciliationId] }),
  decide,
};
