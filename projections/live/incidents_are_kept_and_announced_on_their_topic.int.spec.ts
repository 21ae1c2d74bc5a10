import { auditEventSchemaVersions, incidentStreamName, type AuditEvent } from '@tracershop/domain/audit';
import { INCIDENTS_TOPIC, START_KEY, type LiveIncident } from '@tracershop/realtime';
import { openReadModelTestBed, type ReadModelTestBed } from '../../test/projections/read-model-test-bed';
import { liveDashboardsProjection } from './live-dashboards-projection';
import { LiveReadModel } from './live-read-model';

const raised = (incidentId: string, kind: string, summary: string) => ({
  streamId: incidentStreamName(incidentId),
  type: 'IncidentRaised',
  data: { incidentId, kind, summary, details: { why: summary }, raisedAt: '2026-12-07T02:00:05.000Z' },
});

describe('live.dashboards: incidents are kept and announced on their topic', () => {
  let bed: ReadModelTestBed;
  let read: LiveReadModel;
  const positions: string[] = [];

  beforeAll(async () => {
    bed = await openReadModelTestBed({
      purpose: 'live_incident',
      projection: liveDashboardsProjection,
      schemaVersionOf: (type) => auditEventSchemaVersions[type as AuditEvent['type']],
      actor: { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' },
    });
    read = new LiveReadModel(bed.pool, bed.database);
  }, 60_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('given two incidents raised and one closed, then the snapshot holds the open one and the topic tells all three changes', async () => {
    positions.push((await bed.appendEvents(raised('lockout-u1', 'account-locked-out', 'Eve locked out'))).toString());
    positions.push(
      (await bed.appendEvents(raised('integrity-c1', 'integrity-check-failed', 'A chain is broken'))).toString(),
    );
    bed.actorId = 'user-quinn';
    positions.push(
      (
        await bed.appendEvents({
          streamId: incidentStreamName('lockout-u1'),
          type: 'IncidentClosed',
          data: {
            incidentId: 'lockout-u1',
            rootCause: 'Forgot her password',
            correctiveAction: 'Reset after an identity check',
            closedAt: '2026-12-07T08:00:00.000Z',
          },
        })
      ).toString(),
    );
    await bed.caughtUp();

    const integrity: LiveIncident = {
      incidentId: 'integrity-c1',
      kind: 'integrity-check-failed',
      status: 'open',
      summary: 'A chain is broken',
      raisedAt: '2026-12-07T02:00:05.000Z',
      raisedBy: 'Tracershop worker',
      closedAt: null,
      closedBy: null,
    };
    const snapshot = await read.openIncidents();
    expect(snapshot).toMatchObject({ position: positions[2], rows: [integrity] });

    const logged = await read.topicAfter(INCIDENTS_TOPIC, START_KEY, 10);
    expect(logged.map(({ message }) => [message.position, message.type])).toEqual(
      positions.map((position) => [position, 'incident.updated']),
    );
    expect(logged.map(({ message }) => message.payload)).toEqual([
      { incident: { ...integrity, incidentId: 'lockout-u1', kind: 'account-locked-out', summary: 'Eve locked out' } },
      { incident: integrity },
      {
        incident: {
          ...integrity,
          incidentId: 'lockout-u1',
          kind: 'account-locked-out',
          summary: 'Eve locked out',
          status: 'closed',
          closedAt: '2026-12-07T08:00:00.000Z',
          closedBy: 'Tracershop worker',
        },
      },
    ]);
  });
});
