import { conflict, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from '../catalog/calendar';
import { requireId, requireInstant, requireOneOf } from '../catalog/field-validation';

/**
 * An order or a release lives in its delivery day's stream, and a day cannot see the others; yet
 * the id is global (`/ordering/orders/:id`, the record's primary keys). A client may choose the id
 * (a retried request is then safe), so before the day's event the handler claims it on a stream of
 * its own: `OrderingIdClaimed` with the expected revision decides races, and an id held by another
 * day is refused. Ids are never reused, so a claim is never released: a placement the day then
 * refuses leaves the id to that day, where a retry finds it again.
 */
export const orderingIdKinds = ['order', 'release'] as const;
export type OrderingIdKind = (typeof orderingIdKinds)[number];

/** Ids are case-sensitive (binary collation in the record): the stream keeps the case. */
export const orderingIdClaimStreamName = (kind: OrderingIdKind, id: string) =>
  `ordering.idClaim-${kind}-${encodeURIComponent(id)}`;

const MAX_DAY_ID_LENGTH = 300;

// Commands

export interface ClaimOrderingId {
  type: 'ClaimOrderingId';
  kind: OrderingIdKind;
  id: string;
  /** The delivery day (`deliveryDayId`) whose order or release takes the id. */
  deliveryDayId: string;
  at: IsoInstant;
}

export type OrderingIdClaimCommand = ClaimOrderingId;

// Events

export interface OrderingIdClaimData {
  kind: OrderingIdKind;
  id: string;
  deliveryDayId: string;
}

export type OrderingIdClaimed = DomainEvent<'OrderingIdClaimed', OrderingIdClaimData>;
export type OrderingIdClaimEvent = OrderingIdClaimed;

/** Stored schema version per event type (claims are not delivery-day events: no read model folds them). */
export const orderingIdClaimSchemaVersions: Readonly<Record<OrderingIdClaimEvent['type'], number>> = {
  OrderingIdClaimed: 1,
};

// State

export interface OrderingIdClaimState {
  /** Null until claimed; then the day that holds the id, for good. */
  deliveryDayId: string | null;
}

const initialState = (): OrderingIdClaimState => ({ deliveryDayId: null });

function evolve(state: OrderingIdClaimState, event: OrderingIdClaimEvent): OrderingIdClaimState {
  switch (event.type) {
    case 'OrderingIdClaimed':
      return { deliveryDayId: event.data.deliveryDayId };
  }
}

function requireDeliveryDayId(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw ruleViolated('FIELD_REQUIRED', 'deliveryDayId is required', { field: 'deliveryDayId' });
  }
  if (value.length > MAX_DAY_ID_LENGTH) {
    throw ruleViolated('FIELD_TOO_LONG', `deliveryDayId is longer than ${MAX_DAY_ID_LENGTH} characters`, {
      field: 'deliveryDayId',
      maxLength: MAX_DAY_ID_LENGTH,
    });
  }
  return value;
}

function decide(command: OrderingIdClaimCommand, state: OrderingIdClaimState): OrderingIdClaimEvent[] {
  requireInstant(command.at);
  const data: OrderingIdClaimData = {
    kind: requireOneOf(command.kind, orderingIdKinds, 'kind', 'INVALID_ID_KIND'),
    id: requireId(command.id, 'id'),
    deliveryDayId: requireDeliveryDayId(command.deliveryDayId),
  };
  if (state.deliveryDayId === data.deliveryDayId) return [];
  if (state.deliveryDayId !== null) {
    // The other day is not named: it would tell a shop user another customer's endpoint and date.
    throw conflict(
      data.kind === 'order' ? 'ORDER_ID_TAKEN' : 'RELEASE_ID_TAKEN',
      `The ${data.kind} id ${data.id} belongs to another delivery day; choose another id`,
      { field: 'id', id: data.id },
    );
  }
  return [{ type: 'OrderingIdClaimed', data }];
}

export const orderingIdClaimDecider: Decider<OrderingIdClaimCommand, OrderingIdClaimEvent, OrderingIdClaimState> = {
  initialState,
  evolve,
  decide,
};
