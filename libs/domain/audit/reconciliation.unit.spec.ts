import { specFor } from '../kernel/decider-spec';
import { reconciliationsDecider, reconciliationsStreamOf, type RecordReconciliation } from './reconciliation';

const spec = specFor(reconciliationsDecider);
const at = '2026-12-07T06:00:00.000Z';
const tables = [
  { table: 'orders', rows: 40, missing: 0, different: 1, extra: 0 },
  { table: 'tracer_types', rows: 2, missing: 0, different: 0, extra: 0 },
];
const record = (overrides: Partial<RecordReconciliation> = {}): RecordReconciliation => ({
  type: 'RecordReconciliation',
  reconciliationId: 'rec-1',
  projection: 'legacy.tracershop',
  position: '4312',
  tables,
  at,
  ...overrides,
});

describe('Reconciliations', () => {
  it('keeps a month of reconciliations in one stream', () => {
    expect(reconciliationsStreamOf(at)).toBe('audit.reconciliations-2026-12');
  });

  it('given a reconciliation, then its tables and the sum of their differences are on record', () => {
    spec
      .given([])
      .when(record())
      .then([
        {
          type: 'ProjectionReconciled',
          data: {
            reconciliationId: 'rec-1',
            projection: 'legacy.tracershop',
            position: '4312',
            tables,
            differences: 1,
            reconciledAt: at,
          },
        },
      ]);
  });

  it('records one reconciliation once, and refuses one without tables', () => {
    const [event] = reconciliationsDecider.decide(record(), reconciliationsDecider.initialState());
    spec.given([event!]).when(record()).thenNothing();
    spec
      .given([])
      .when(record({ tables: [] }))
      .thenThrows('INVALID_RECONCILIATION', { field: 'tables' });
    spec
      .given([])
      .when(record({ tables: [{ ...tables[0]!, table: 'orders; DROP' }] }))
      .thenThrows('INVALID_RECONCILIATION', { field: 'tables[0].table' });
  });
});
