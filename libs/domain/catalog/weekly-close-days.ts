import { type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant, type IsoWeekday } from './calendar';
import { requireInstant, requireInteger, requireReason } from './field-validation';

/**
 * Weekdays on which nothing is delivered, every week: a bitmask, bit 0 = Monday … bit 6 = Sunday
 * (the current system's encoding). One setting for the whole shop, hence one stream. The old system
 * has no equivalent; see `legacy-tables.md` on materialising these as dated closed days.
 */
export const weeklyCloseDaysStreamName = () => 'catalog.weeklyCloseDays-shop';

export const ALL_WEEKDAYS_MASK = 0b111_1111;

export function weeklyCloseDaysMask(weekdays: readonly IsoWeekday[]): number {
  return weekdays.reduce((mask, weekday) => mask | (1 << (weekday - 1)), 0);
}

export function isWeeklyCloseDay(mask: number, weekday: IsoWeekday): boolean {
  return (mask & (1 << (weekday - 1))) !== 0;
}

// Commands

export interface SetWeeklyCloseDays {
  type: 'SetWeeklyCloseDays';
  mask: number;
  reason: string;
  at: IsoInstant;
}

export type WeeklyCloseDaysCommand = SetWeeklyCloseDays;

// Events

export interface WeeklyCloseDaysChangedData {
  from: number;
  to: number;
  reason: string;
}

export type WeeklyCloseDaysChanged = DomainEvent<'WeeklyCloseDaysChanged', WeeklyCloseDaysChangedData>;
export type WeeklyCloseDaysEvent = WeeklyCloseDaysChanged;

// State

export interface WeeklyCloseDaysState {
  mask: number;
}

const initialState = (): WeeklyCloseDaysState => ({ mask: 0 });

const evolve = (_state: WeeklyCloseDaysState, event: WeeklyCloseDaysEvent): WeeklyCloseDaysState => ({
  mask: event.data.to,
});

function decide(command: WeeklyCloseDaysCommand, state: WeeklyCloseDaysState): WeeklyCloseDaysEvent[] {
  requireInstant(command.at);
  const mask = requireInteger(command.mask, 'mask', { min: 0, max: ALL_WEEKDAYS_MASK, code: 'INVALID_WEEKDAY_MASK' });
  const reason = requireReason(command.reason);
  return mask === state.mask ? [] : [{ type: 'WeeklyCloseDaysChanged', data: { from: state.mask, to: mask, reason } }];
}

export const weeklyCloseDaysDecider: Decider<WeeklyCloseDaysCommand, WeeklyCloseDaysEvent, WeeklyCloseDaysState> = {
  initialState,
  evolve,
  decide,
};
