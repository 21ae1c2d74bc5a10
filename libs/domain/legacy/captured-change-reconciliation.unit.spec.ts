import { specFor } from '../kernel/decider-spec';
import {
  capturedChangeDecider,
  capturedChangeStreamName,
  type CapturedChangeReconciled,
  type CapturedChangeRef,
  type ReconcileCapturedChange,
} from './captured-change-reconciliation';

const at = '2027-01-05T10:00:00.000Z';
const spec = specFor(capturedChangeDecider);
const change: CapturedChangeRef = {
  captureId: 41,
  capturedAt: '2027-01-04T08:01:02.123Z',
  table: 'orders',
  rowKey: '1001',
  outcome: 'unsupported',
};
const reconcile = (reason: string, ref: CapturedChangeRef = change): ReconcileCapturedChange => ({
  type: 'ReconcileCapturedChange',
  change: ref,
  reason,
  at,
});
const reconciled = (reason: string): CapturedChangeReconciled => ({
  type: 'CapturedChangeReconciled',
  data: {
    captureId: 41,
    capturedAt: '2027-01-04T08:01:02.123Z',
    table: 'orders',
    rowKey: '1001',
    outcome: 'unsupported',
    reason,
  },
});

describe('reconciling a captured change of the old system', () => {
  it('names the change by its capture id and time', () => {
    expect(capturedChangeStreamName(change)).toBe('legacy.capturedChange-41@2027-01-04T08:01:02.123Z');
  });

  it('given an open change, when someone reconciles it with a reason, then it is reconciled with what it was', () => {
    spec
      .given([])
      .when(reconcile('Moved in Tracershop by hand'))
      .then([reconciled('Moved in Tracershop by hand')]);
  });

  it('given a reconciled change, when the same statement comes again, then nothing changes', () => {
    spec
      .given([reconciled('Moved in Tracershop by hand')])
      .when(reconcile('Moved in Tracershop by hand'))
      .thenNothing();
  });

  it('given a reconciled change, when another statement comes, then it is refused', () => {
    spec
      .given([reconciled('Moved in Tracershop by hand')])
      .when(reconcile('Not needed'))
      .thenThrows('CAPTURED_CHANGE_ALREADY_RECONCILED', { reason: 'Moved in Tracershop by hand' });
  });

  it('given a change the sync applied or still holds, when someone reconciles it, then it is refused', () => {
    for (const outcome of ['applied', 'unchanged', 'pending'] as const) {
      spec
        .given([])
        .when(reconcile('Not needed', { ...change, outcome }))
        .thenThrows('CAPTURED_CHANGE_NOT_OPEN', { outcome });
    }
  });

  it('given no reason, then it is refused', () => {
    spec.given([]).when(reconcile('  ')).thenThrows('FIELD_REQUIRED', { field: 'reason' });
  });
});
