import {
  auditEventSchemaVersions,
  incidentDecider,
  incidentIds,
  incidentStreamName,
  integrityChecksStreamName,
  type IncidentEvent,
} from '@tracershop/domain/audit';
import { identityEventSchemaVersions, userStreamName, type IdentityEventType } from '@tracershop/domain/identity';
import { openReadModelTestBed, type ReadModelTestBed } from '../../../test/projections/read-model-test-bed';
import { auditProjection } from './audit-projection';
import { AuditReadModel } from './audit-read-model';

const checked = (checkId: string, broken: number, unverified: number) => ({
  streamId: integrityChecksStreamName('2026-12'),
  type: 'IntegrityChecked',
  data: {
    checkId,
    streamId: null,
    streams: 10,
    events: 100,
    upTo: '100',
    broken: Array.from({ length: broken }, (_, n) => ({ streamId: `s-${n}`, brokenAt: '1', problem: 'hash_mismatch' })),
    signatures: {
      checked: 3,
      unverified: Array.from({ length: unverified }, (_, n) => ({
        streamId: `d-${n}`,
        revision: '2',
        eventId: `e-${n}`,
        type: 'ActivityReleased',
        meaning: 'release',
      })),
    },
    checkedAt: '2026-12-07T02:00:00.000Z',
  },
});

describe('record.audit keeps the causes of incidents and the incidents', () => {
  let bed: ReadModelTestBed;
  let readModel: AuditReadModel;
  const until = '2026-12-07T08:15:00.000Z';

  beforeAll(async () => {
    bed = await openReadModelTestBed({
      purpose: 'incidents',
      projection: auditProjection,
      schemaVersionOf: (type) =>
        type in auditEventSchemaVersions
          ? auditEventSchemaVersions[type as keyof typeof auditEventSchemaVersions]
          : identityEventSchemaVersions[type as IdentityEventType],
      actor: { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' },
    });
    readModel = new AuditReadModel(bed.pool, bed.database);
  });

  afterAll(async () => {
    await bed?.close();
  });

  it('given a lockout and integrity checks, then the lockout and the failed check are causes; the clean check is not', async () => {
    await bed.appendEvents(
      { streamId: userStreamName('user-eve'), type: 'UserLockedOut', data: { userId: 'user-eve', until } },
      checked('job-1', 0, 0),
      checked('job-2', 1, 0),
      checked('job-3', 0, 2),
    );
    await bed.caughtUp();
    const pending = await readModel.pendingIncidentSignals();
    expect(pending.map(({ incidentId, kind }) => [incidentId, kind])).toEqual([
      [incidentIds.lockout('user-eve', until), 'account-locked-out'],
      [incidentIds.integrityCheck('job-2'), 'integrity-check-failed'],
      [incidentIds.integrityCheck('job-3'), 'integrity-check-failed'],
    ]);
    expect(pending[0]).toMatchObject({
      summary: `Account locked out after repeated wrong passwords, until ${until}`,
      details: { userId: 'user-eve', until },
    });
    expect(pending[2].summary).toBe('Integrity check job-3: 0 broken chain(s), 2 signature(s) that do not verify');
    expect(await readModel.openIncidentCount()).toBe(0);
  });

  it('given an incident raised and closed, then the cause is no longer pending and the incident shows its closing', async () => {
    const incidentId = incidentIds.integrityCheck('job-2');
    const decide = (events: IncidentEvent[], command: Parameters<typeof incidentDecider.decide>[0]) =>
      incidentDecider.decide(command, events.reduce(incidentDecider.evolve, incidentDecider.initialState()));
    const raised = decide([], {
      type: 'RaiseIncident',
      incidentId,
      kind: 'integrity-check-failed',
      summary: 'Integrity check job-2: 1 broken chain(s), 0 signature(s) that do not verify',
      details: { checkId: 'job-2' },
      at: '2026-12-07T02:00:05.000Z',
    });
    await bed.appendEvents(...raised.map((event) => ({ streamId: incidentStreamName(incidentId), ...event })));
    await bed.caughtUp();
    expect((await readModel.pendingIncidentSignals()).map((signal) => signal.incidentId)).not.toContain(incidentId);
    expect(await readModel.openIncidentCount()).toBe(1);
    expect(await readModel.getIncident(incidentId)).toEqual({
      incidentId,
      kind: 'integrity-check-failed',
      summary: 'Integrity check job-2: 1 broken chain(s), 0 signature(s) that do not verify',
      details: { checkId: 'job-2' },
      status: 'open',
      raisedAt: '2026-12-07T02:00:05.000Z',
      raisedBy: 'Tracershop worker',
      closed: null,
      revision: '0',
      position: expect.any(String),
    });

    bed.actorId = 'user-ada';
    const closed = decide(raised, {
      type: 'CloseIncident',
      incidentId,
      rootCause: 'Disk fault during the restore test',
      correctiveAction: 'Stream restored from backup and verified',
      at: '2026-12-07T09:00:00.000Z',
    });
    await bed.appendEvents(...closed.map((event) => ({ streamId: incidentStreamName(incidentId), ...event })));
    await bed.caughtUp();
    expect(await readModel.getIncident(incidentId)).toMatchObject({
      status: 'closed',
      closed: {
        at: '2026-12-07T09:00:00.000Z',
        by: { userId: 'user-ada', printedName: 'Tracershop worker' },
        rootCause: 'Disk fault during the restore test',
        correctiveAction: 'Stream restored from backup and verified',
      },
      revision: '1',
    });
    expect(await readModel.openIncidentCount()).toBe(0);
    const listed = await readModel.listIncidents({ limit: 10, status: 'closed' });
    expect(listed.items.map((incident) => incident.incidentId)).toEqual([incidentId]);
    expect((await readModel.listIncidents({ limit: 10, status: 'open' })).items).toEqual([]);
  });
});
