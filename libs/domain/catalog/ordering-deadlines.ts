import { ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { isClockTime, isIsoWeekday, type ClockTime, type IsoInstant, type IsoWeekday } from './calendar';
import { requireInstant, requireOneOf, requireReason } from './field-validation';

/**
 * The ordering deadline of a delivery date, in local business time. Daily: the day before at a
 * time. Weekly: start at the day before at the time and step back day by day until the weekday is
 * the deadline's weekday.
 */
export type OrderingDeadline =
  { kind: 'daily'; time: ClockTime } | { kind: 'weekly'; weekday: IsoWeekday; time: ClockTime };

/** Activity orders and injection orders have deadlines of their own (rules, "Deadline"). */
export const orderingDeadlineKinds = ['activity', 'injection'] as const;
export type OrderingDeadlineKind = (typeof orderingDeadlineKinds)[number];

/**
 * The shop's ordering deadlines, set by production with a reason (rules: "Configurable ... separate
 * global deadlines for activity and injection"), so every change is on record. One setting for the
 * whole shop, hence one stream. Until a kind is set, the deployment's configured deadline holds.
 */
export const orderingDeadlinesStreamName = () => 'catalog.orderingDeadlines-shop';

export function requireOrderingDeadline(value: unknown, field = 'deadline'): OrderingDeadline {
  const input = (value ?? {}) as { kind?: unknown; weekday?: unknown; time?: unknown };
  const kind = requireOneOf(input.kind, ['daily', 'weekly'] as const, `${field}.kind`, 'INVALID_DEADLINE');
  if (!isClockTime(input.time)) {
    throw ruleViolated('INVALID_DEADLINE', `${field}.time must be HH:MM`, { field: `${field}.time` });
  }
  if (kind === 'daily') {
    if (input.weekday !== undefined && input.weekday !== null) {
      throw ruleViolated('INVALID_DEADLINE', 'A daily deadline takes no weekday', { field: `${field}.weekday` });
    }
    return { kind, time: input.time };
  }
  if (!isIsoWeekday(input.weekday)) {
    throw ruleViolated('INVALID_DEADLINE', `${field}.weekday must be 1 (Monday) … 7 (Sunday)`, {
      field: `${field}.weekday`,
    });
  }
  return { kind, weekday: input.weekday, time: input.time };
}

const sameDeadline = (a: OrderingDeadline | null, b: OrderingDeadline) =>
  a !== null &&
  a.kind === b.kind &&
  a.time === b.time &&
  (a.kind === 'daily' || (b.kind === 'weekly' && a.weekday === b.weekday));

// Commands

export interface SetOrderingDeadline {
  type: 'SetOrderingDeadline';
  kind: OrderingDeadlineKind;
  deadline: OrderingDeadline;
  reason: string;
  at: IsoInstant;
}

export type OrderingDeadlinesCommand = SetOrderingDeadline;

// Events

export interface OrderingDeadlineChangedData {
  kind: OrderingDeadlineKind;
  /** Null: the configured deadline held until now. */
  from: OrderingDeadline | null;
  to: OrderingDeadline;
  reason: string;
}

export type OrderingDeadlineChanged = DomainEvent<'OrderingDeadlineChanged', OrderingDeadlineChangedData>;
export type OrderingDeadlinesEvent = OrderingDeadlineChanged;

// State

export type OrderingDeadlinesState = Record<OrderingDeadlineKind, OrderingDeadline | null>;

const initialState = (): OrderingDeadlinesState => ({ activity: null, injection: null });

const evolve = (state: OrderingDeadlinesState, event: OrderingDeadlinesEvent): OrderingDeadlinesState => ({
  ...state,
  [event.data.kind]: event.data.to,
});

function decide(command: OrderingDeadlinesCommand, state: OrderingDeadlinesState): OrderingDeadlinesEvent[] {
  requireInstant(command.at);
  const kind = requireOneOf(command.kind, orderingDeadlineKinds, 'kind', 'INVALID_DEADLINE_KIND');
  const deadline = requireOrderingDeadline(command.deadline);
  const reason = requireReason(command.reason);
  const current = state[kind];
  if (sameDeadline(current, deadline)) return [];
  return [{ type: 'OrderingDeadlineChanged', data: { kind, from: current, to: deadline, reason } }];
}

export const orderingDeadlinesDecider: Decider<
  OrderingDeadlinesCommand,
  OrderingDeadlinesEvent,
  OrderingDeadlinesState
> = { initialState, evolve, decide };
