import {
  auditEventSchemaVersions,
  incidentIds,
  integrityChecksStreamName,
  type IntegrityCheckedData,
} from '@tracershop/domain/audit';
import { openReadModelTestBed, type ReadModelTestBed } from '../../../test/projections/read-model-test-bed';
import { auditProjection } from './audit-projection';
import { AuditReadModel } from './audit-read-model';

describe('record.audit: an integrity check that found the record disagreeing with an anchor, or a GMP stream set to forget', () => {
  let bed: ReadModelTestBed;

  beforeAll(async () => {
    bed = await openReadModelTestBed({
      purpose: 'anchor',
      projection: auditProjection,
      schemaVersionOf: (type) => auditEventSchemaVersions[type as keyof typeof auditEventSchemaVersions],
      actor: { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' },
    });
  });

  afterAll(async () => {
    await bed?.close();
  });

  const check = (checkId: string, overrides: Partial<IntegrityCheckedData>): IntegrityCheckedData => ({
    checkId,
    streamId: null,
    streams: 10,
    events: 100,
    upTo: '100',
    broken: [],
    checkedAt: '2026-12-07T02:00:00.000Z',
    ...overrides,
  });
  const signing = { keyConfigured: true, verified: 2, unsigned: 0, otherKey: 0, failures: [] };

  it('given a check whose chains held and whose walk reached the head but the record disagrees with an anchor, then it is a cause of an incident', async () => {
    const anchors = {
      checked: 2,
      latest: { anchorId: 'job-2', position: '90' },
      disagreements: [{ anchorId: 'job-2', position: '90', problem: 'not_reached', message: 'the record ends' }],
      signing,
    };
    const agreeing = { ...anchors, disagreements: [] };
    const stream = integrityChecksStreamName('2026-12');
    await bed.appendEvents({ streamId: stream, type: 'IntegrityChecked', data: check('job-7', { anchors: agreeing }) });
    await bed.appendEvents({ streamId: stream, type: 'IntegrityChecked', data: check('job-8', { anchors }) });
    await bed.appendEvents({
      streamId: stream,
      type: 'IntegrityChecked',
      data: check('job-9', { retention: [{ streamId: 'ordering.vial-1', maxAge: 3600 }] }),
    });
    await bed.caughtUp();
    const pending = await new AuditReadModel(bed.pool, bed.database).pendingIncidentSignals();
    expect(pending).toEqual([
      expect.objectContaining({
        incidentId: incidentIds.integrityCheck('job-8'),
        kind: 'integrity-check-failed',
        summary: expect.stringContaining('1 anchor(s) the record or its MAC disagrees with'),
        details: expect.objectContaining({ anchorDisagreements: anchors.disagreements }),
      }),
      expect.objectContaining({
        incidentId: incidentIds.integrityCheck('job-9'),
        summary: expect.stringContaining('1 GMP stream(s) set to forget'),
      }),
    ]);
  });
});
