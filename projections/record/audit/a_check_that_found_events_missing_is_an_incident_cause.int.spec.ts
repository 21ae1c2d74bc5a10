import {
  auditEventSchemaVersions,
  incidentIds,
  integrityChecksStreamName,
  type IntegrityCheckedData,
} from '@tracershop/domain/audit';
import { openReadModelTestBed, type ReadModelTestBed } from '../../../test/projections/read-model-test-bed';
import { auditProjection } from './audit-projection';
import { AuditReadModel } from './audit-read-model';

describe('record.audit: an integrity check that found events missing', () => {
  let bed: ReadModelTestBed;

  beforeAll(async () => {
    bed = await openReadModelTestBed({
      purpose: 'gap',
      projection: auditProjection,
      schemaVersionOf: (type) => auditEventSchemaVersions[type as keyof typeof auditEventSchemaVersions],
      actor: { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' },
    });
  });

  afterAll(async () => {
    await bed?.close();
  });

  it('given a check whose chains all held but whose walk of $all stopped short of the head, then it is a cause of an incident', async () => {
    const data: IntegrityCheckedData = {
      checkId: 'job-7',
      streamId: null,
      streams: 10,
      events: 100,
      upTo: '100',
      broken: [],
      gap: { after: '100', head: '140' },
      checkedAt: '2026-12-07T02:00:00.000Z',
    };
    await bed.appendEvents({ streamId: integrityChecksStreamName('2026-12'), type: 'IntegrityChecked', data });
    await bed.caughtUp();
    const pending = await new AuditReadModel(bed.pool, bed.database).pendingIncidentSignals();
    expect(pending).toEqual([
      expect.objectContaining({
        incidentId: incidentIds.integrityCheck('job-7'),
        kind: 'integrity-check-failed',
        summary: expect.stringContaining('events missing after position 100'),
      }),
    ]);
  });
});
