import { specFor } from '../kernel/decider-spec';
import {
  incidentDecider,
  incidentIds,
  incidentStreamName,
  type CloseIncident,
  type IncidentRaised,
  type RaiseIncident,
} from './incident';

const spec = specFor(incidentDecider);
const at = '2026-12-07T03:00:00.000Z';
const incidentId = incidentIds.integrityCheck('job-41');

const raise = (overrides: Partial<RaiseIncident> = {}): RaiseIncident => ({
  type: 'RaiseIncident',
  incidentId,
  kind: 'integrity-check-failed',
  summary: 'The nightly integrity check found 1 broken chain',
  details: { broken: 1, unverifiedSignatures: 0 },
  at,
  ...overrides,
});
const raised: IncidentRaised = {
  type: 'IncidentRaised',
  data: {
    incidentId,
    kind: 'integrity-check-failed',
    summary: 'The nightly integrity check found 1 broken chain',
    details: { broken: 1, unverifiedSignatures: 0 },
    raisedAt: at,
  },
};
const close = (overrides: Partial<CloseIncident> = {}): CloseIncident => ({
  type: 'CloseIncident',
  incidentId,
  rootCause: 'A restore from backup skipped one page',
  correctiveAction: 'Restored again and verified; the restore procedure now verifies before go-live',
  at: '2026-12-07T10:00:00.000Z',
  ...overrides,
});

describe('Incidents', () => {
  it('names an incident after its cause, in a stream of its own', () => {
    expect(incidentStreamName(incidentId)).toBe('audit.incident-integrity-job-41');
    expect(incidentIds.lockout('user-1', '2026-12-07T03:15:00.000Z')).toBe('lockout-user-1-20261207T031500000Z');
    expect(incidentIds.projectionStopped('record.ordering', 'event-9')).toBe('projection-record.ordering-event-9');
  });

  it('given a cause seen for the first time, then the incident is raised; seen again, nothing is added', () => {
    spec.given([]).when(raise()).then([raised]);
    spec.given([raised]).when(raise()).thenNothing();
  });

  it('refuses an incident of an unknown kind or without a summary', () => {
    spec
      .given([])
      .when(raise({ kind: 'weather' as never }))
      .thenThrows('INVALID_INCIDENT_KIND');
    spec
      .given([])
      .when(raise({ summary: ' ' }))
      .thenThrows('FIELD_REQUIRED');
  });

  it('given an open incident, when closed with its root cause and corrective action, then both are on record', () => {
    spec
      .given([raised])
      .when(close())
      .then([
        {
          type: 'IncidentClosed',
          data: {
            incidentId,
            rootCause: 'A restore from backup skipped one page',
            correctiveAction: 'Restored again and verified; the restore procedure now verifies before go-live',
            closedAt: '2026-12-07T10:00:00.000Z',
          },
        },
      ]);
  });

  it('refuses closing without a root cause or an action, an unknown incident, or one closed already', () => {
    spec
      .given([raised])
      .when(close({ rootCause: '' }))
      .thenThrows('FIELD_REQUIRED');
    spec
      .given([raised])
      .when(close({ correctiveAction: '  ' }))
      .thenThrows('FIELD_REQUIRED');
    spec.given([]).when(close()).thenThrows('INCIDENT_NOT_FOUND');
    const closed = {
      type: 'IncidentClosed' as const,
      data: { incidentId, rootCause: 'x', correctiveAction: 'y', closedAt: at },
    };
    spec.given([raised, closed]).when(close()).thenThrows('INCIDENT_CLOSED');
  });
});
