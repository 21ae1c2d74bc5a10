import { projectionStopIncidentId, type EarlierStopIncident } from './projection-stop-incident';

/** Incidents raised before, by id, as the audit read model answers them. */
const raisedBefore = (incidents: Record<string, EarlierStopIncident>) => async (incidentId: string) =>
  incidents[incidentId] ?? null;

let INCIDENTS: Record<string, EarlierStopIncident> = {};
const FIRST = 'projection-record.ordering-event-9';
const stop = (at: string) =>
  projectionStopIncidentId('record.ordering', 'event-9', new Date(at), raisedBefore(INCIDENTS));

describe('a projection stopping at an event raises an incident for every stop, not only the first', () => {
  beforeEach(() => {
    INCIDENTS = {};
  });

  it('given no incident yet, when record.ordering stops at event-9, then the incident is the first one', async () => {
    await expect(stop('2026-12-06T10:00:00Z')).resolves.toEqual({
      incidentId: FIRST,
      recurrence: 1,
      previousIncidentId: null,
    });
  });

  it('given the incident open, when the stop is seen again, then it is the same incident (raised once)', async () => {
    INCIDENTS = { [FIRST]: { status: 'open', closedAt: null } };
    await expect(stop('2026-12-06T10:00:00Z')).resolves.toMatchObject({ incidentId: FIRST });
  });

  it('given the incident closed while the projection still stood at that stop, then nothing new is raised for it', async () => {
    INCIDENTS = { [FIRST]: { status: 'closed', closedAt: '2026-12-06T11:00:00.000Z' } };
    await expect(stop('2026-12-06T10:00:00Z')).resolves.toMatchObject({ incidentId: FIRST });
  });

  it('given the incident closed, when the projection is retried and stops at the same event again, then a new incident is raised', async () => {
    INCIDENTS = { [FIRST]: { status: 'closed', closedAt: '2026-12-06T11:00:00.000Z' } };
    await expect(stop('2026-12-06T12:00:00Z')).resolves.toEqual({
      incidentId: `${FIRST}-2`,
      recurrence: 2,
      previousIncidentId: FIRST,
    });
  });

  it('given the second incident closed too, when it stops there a third time, then a third incident is raised', async () => {
    INCIDENTS = {
      [FIRST]: { status: 'closed', closedAt: '2026-12-06T11:00:00.000Z' },
      [`${FIRST}-2`]: { status: 'closed', closedAt: '2026-12-06T13:00:00.000Z' },
    };
    await expect(stop('2026-12-06T14:00:00Z')).resolves.toMatchObject({ incidentId: `${FIRST}-3`, recurrence: 3 });
  });

  it('given the recurrence still open, when it stops there again, then it stays that incident', async () => {
    INCIDENTS = {
      [FIRST]: { status: 'closed', closedAt: '2026-12-06T11:00:00.000Z' },
      [`${FIRST}-2`]: { status: 'open', closedAt: null },
    };
    await expect(stop('2026-12-06T14:00:00Z')).resolves.toMatchObject({ incidentId: `${FIRST}-2` });
  });
});
