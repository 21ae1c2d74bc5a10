import { requireId, requireInstant, requireOneOf, requireText } from '../catalog/field-validation';
import { conflict, notFound, type Decider, type DomainEvent } from '../kernel';

/**
 * Incidents (GMP, Annex 11 §13: "incidents recorded; root cause"): what the system itself found
 * wrong, raised by the worker from the record (a failed integrity check, an account locked out by
 * repeated wrong passwords) and from the projector's state (a read model stopped at an event it
 * could not apply), and closed by a person with the root cause and what was done. Each incident has
 * a stream of its own, named after what caused it, so raising it again is recorded once.
 */
export const incidentStreamName = (incidentId: string) => `audit.incident-${incidentId}`;

export const incidentKinds = ['integrity-check-failed', 'account-locked-out', 'projection-stopped'] as const;
export type IncidentKind = (typeof incidentKinds)[number];

/** The incident ids of what causes them: the same cause, the same incident. */
export const incidentIds = {
  integrityCheck: (checkId: string) => `integrity-${checkId}`,
  lockout: (userId: string, until: string) => `lockout-${userId}-${until.replace(/[^0-9A-Za-z]/g, '')}`,
  projectionStopped: (projection: string, eventId: string) => `projection-${projection}-${eventId}`,
};

const MAX_SUMMARY = 500;
const MAX_FINDING = 4000;

// Commands

export interface RaiseIncident {
  type: 'RaiseIncident';
  incidentId: string;
  kind: IncidentKind;
  summary: string;
  /** What the detector saw: counts, ids, positions. */
  details: Record<string, unknown>;
  at: string;
}

export interface CloseIncident {
  type: 'CloseIncident';
  incidentId: string;
  rootCause: string;
  correctiveAction: string;
  at: string;
}

export type IncidentCommand = RaiseIncident | CloseIncident;

// Events

export interface IncidentRaisedData {
  incidentId: string;
  kind: IncidentKind;
  summary: string;
  details: Record<string, unknown>;
  raisedAt: string;
}

export interface IncidentClosedData {
  incidentId: string;
  rootCause: string;
  correctiveAction: string;
  closedAt: string;
}

export type IncidentRaised = DomainEvent<'IncidentRaised', IncidentRaisedData>;
export type IncidentClosed = DomainEvent<'IncidentClosed', IncidentClosedData>;
export type IncidentEvent = IncidentRaised | IncidentClosed;

// State

export type IncidentState =
  { status: 'absent' } | { status: 'open' | 'closed'; incidentId: string; kind: IncidentKind };

function decide(command: IncidentCommand, state: IncidentState): IncidentEvent[] {
  const at = requireInstant(command.at);
  const incidentId = requireId(command.incidentId, 'incidentId');
  if (command.type === 'RaiseIncident') {
    // Raised once: a detector that sees the same cause again adds nothing.
    if (state.status !== 'absent') return [];
    return [
      {
        type: 'IncidentRaised',
        data: {
          incidentId,
          kind: requireOneOf(command.kind, incidentKinds, 'kind', 'INVALID_INCIDENT_KIND'),
          summary: requireText(command.summary, 'summary', MAX_SUMMARY),
          details: command.details ?? {},
          raisedAt: at,
        },
      },
    ];
  }
  if (state.status === 'absent') throw notFound('INCIDENT_NOT_FOUND', `No incident ${incidentId}`, { incidentId });
  if (state.status === 'closed') {
    throw conflict('INCIDENT_CLOSED', 'The incident is closed already', { incidentId });
  }
  return [
    {
      type: 'IncidentClosed',
      data: {
        incidentId,
        rootCause: requireText(command.rootCause, 'rootCause', MAX_FINDING),
        correctiveAction: requireText(command.correctiveAction, 'correctiveAction', MAX_FINDING),
        closedAt: at,
      },
    },
  ];
}

function evolve(state: IncidentState, event: IncidentEvent): IncidentState {
  if (event.type === 'IncidentRaised') {
    return { status: 'open', incidentId: event.data.incidentId, kind: event.data.kind };
  }
  return state.status === 'absent' ? state : { ...state, status: 'closed' };
}

export const incidentDecider: Decider<IncidentCommand, IncidentEvent, IncidentState> = {
  initialState: () => ({ status: 'absent' }),
  evolve,
  decide,
};
