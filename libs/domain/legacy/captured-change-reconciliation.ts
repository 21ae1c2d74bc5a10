import { conflict, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from '../catalog/calendar';
import { requireInstant, requireInteger, requireReason } from '../catalog/field-validation';
import { type CaptureOutcome } from './legacy-source';

/**
 * A change the old system made that the sync could not carry into Tracershop (`rejected` by a
 * rule, or `unsupported`) stays open on the reconciliation report until a person has dealt with it
 * (made the change in Tracershop, or decided it needs nothing) and says so, with a reason. That
 * statement is an event: who closed which change, when and why is part of the record.
 */

/** The captured change as the handler read it from `legacy_capture`; never taken from a client. */
export interface CapturedChangeRef {
  captureId: number;
  /** When the old system made the change (UTC): with the id, names the change for good. */
  capturedAt: IsoInstant;
  table: string;
  rowKey: string;
  outcome: CaptureOutcome;
}

export const capturedChangeStreamName = (change: Pick<CapturedChangeRef, 'captureId' | 'capturedAt'>) =>
  `legacy.capturedChange-${change.captureId}@${change.capturedAt}`;

// Commands

export interface ReconcileCapturedChange {
  type: 'ReconcileCapturedChange';
  change: CapturedChangeRef;
  reason: string;
  at: IsoInstant;
}

export type CapturedChangeCommand = ReconcileCapturedChange;

// Events

export interface CapturedChangeReconciledData {
  captureId: number;
  capturedAt: IsoInstant;
  table: string;
  rowKey: string;
  /** What the sync had made of it. */
  outcome: 'rejected' | 'unsupported';
  reason: string;
}

export type CapturedChangeReconciled = DomainEvent<'CapturedChangeReconciled', CapturedChangeReconciledData>;
export type CapturedChangeEvent = CapturedChangeReconciled;

// State

export interface CapturedChangeState {
  reconciled: { reason: string } | null;
}

const OPEN_OUTCOMES = ['rejected', 'unsupported'] as const;

function decide(command: CapturedChangeCommand, state: CapturedChangeState): CapturedChangeEvent[] {
  requireInstant(command.at);
  const reason = requireReason(command.reason);
  const { change } = command;
  const captureId = requireInteger(change.captureId, 'captureId', {
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    code: 'INVALID_CAPTURE_ID',
  });
  requireInstant(change.capturedAt);
  const outcome = change.outcome;
  if (!(OPEN_OUTCOMES as readonly string[]).includes(outcome)) {
    throw ruleViolated(
      'CAPTURED_CHANGE_NOT_OPEN',
      `Captured change ${captureId} was ${outcome}: only rejected and unsupported changes are reconciled`,
      { captureId, outcome },
    );
  }
  if (state.reconciled) {
    // The same statement again (a retried request) changes nothing; another one is a conflict.
    if (state.reconciled.reason === reason) return [];
    throw conflict('CAPTURED_CHANGE_ALREADY_RECONCILED', `Captured change ${captureId} is reconciled already`, {
      captureId,
      reason: state.reconciled.reason,
    });
  }
  return [
    {
      type: 'CapturedChangeReconciled',
      data: {
        captureId,
        capturedAt: change.capturedAt,
        table: change.table,
        rowKey: change.rowKey,
        outcome: outcome as 'rejected' | 'unsupported',
        reason,
      },
    },
  ];
}

function evolve(state: CapturedChangeState, event: CapturedChangeEvent): CapturedChangeState {
  switch (event.type) {
    case 'CapturedChangeReconciled':
      return { reconciled: { reason: event.data.reason } };
  }
}

export const capturedChangeDecider: Decider<CapturedChangeCommand, CapturedChangeEvent, CapturedChangeState> = {
  initialState: () => ({ reconciled: null }),
  evolve,
  decide,
};

/** The schema version written into each event's envelope; a new event type without one does not compile. */
export const capturedChangeEventSchemaVersions: Readonly<Record<CapturedChangeEvent['type'], number>> = {
  CapturedChangeReconciled: 1,
};

export const capturedChangeEventTypes = Object.keys(capturedChangeEventSchemaVersions) as CapturedChangeEvent['type'][];
