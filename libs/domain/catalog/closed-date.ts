import { type Decider, type DomainEvent } from '../kernel';
import { type CalendarDate, type IsoInstant } from './calendar';
import { requireCalendarDate, requireInstant, requireReason } from './field-validation';
import { requireLegacyId } from '../legacy/legacy-id-block';
import { nameClaimOf, type NameClaimRef } from './name-claim';

/** A date on which nothing is delivered, for all customers and tracers (legacy `blockDeliverDate`). */
export const closedDateStreamName = (date: CalendarDate) => `catalog.closedDate-${date}`;

// Commands

export interface CloseDate {
  type: 'CloseDate';
  date: CalendarDate;
  reason: string;
  /**
   * Legacy `blockDeliverDate.BDID`, named by the handler: for the first close allocated, or given
   * for a row carried over from the old system; for a re-close the id the date holds, unless the
   * old system closed the date again with a row of its own, which the date then takes over (one row
   * per closed date, and a reopening removes the row the old system reads).
   */
  legacyId: number;
  at: IsoInstant;
}

export interface ReopenDate {
  type: 'ReopenDate';
  date: CalendarDate;
  reason: string;
  at: IsoInstant;
}

export type ClosedDateCommand = CloseDate | ReopenDate;

// Events

export interface DateClosedData {
  date: CalendarDate;
  reason: string;
  legacyId: number;
}
export interface DateReopenedData {
  date: CalendarDate;
  reason: string;
}

export type DateClosed = DomainEvent<'DateClosed', DateClosedData>;
export type DateReopened = DomainEvent<'DateReopened', DateReopenedData>;
export type ClosedDateEvent = DateClosed | DateReopened;

// State

export interface ClosedDateState {
  /** Null until the date was first closed. */
  date: CalendarDate | null;
  closed: boolean;
  /** Legacy `blockDeliverDate.BDID` of the latest close, kept through a reopening. Null until the first close. */
  legacyId: number | null;
}

const initialState = (): ClosedDateState => ({ date: null, closed: false, legacyId: null });

/** A reopened date keeps its legacy id claimed, so a re-close cannot clash. */
export function closedDateNameClaims(state: ClosedDateState): NameClaimRef[] {
  return state.legacyId === null ? [] : [nameClaimOf.legacyId('blockDeliverDate', state.legacyId)];
}

function evolve(state: ClosedDateState, event: ClosedDateEvent): ClosedDateState {
  switch (event.type) {
    case 'DateClosed':
      return { date: event.data.date, closed: true, legacyId: event.data.legacyId };
    case 'DateReopened':
      return { ...state, closed: false };
  }
}

/** Closing a closed date or reopening an open one changes nothing: the date is what was asked. */
function decide(command: ClosedDateCommand, state: ClosedDateState): ClosedDateEvent[] {
  requireInstant(command.at);
  const date = requireCalendarDate(command.date, 'date');
  const reason = requireReason(command.reason);
  switch (command.type) {
    case 'CloseDate':
      if (state.closed) return [];
      return [{ type: 'DateClosed', data: { date, reason, legacyId: requireLegacyId(command.legacyId) } }];
    case 'ReopenDate':
      return state.closed ? [{ type: 'DateReopened', data: { date, reason } }] : [];
  }
}

export const closedDateDecider: Decider<ClosedDateCommand, ClosedDateEvent, ClosedDateState> = {
  initialState,
  evolve,
  decide,
};
