import {
  activityServedWithOverhead,
  deliveryDayDecider,
  legacyStatusCode,
  type DeliveryDayEvent,
  type DeliveryDayState,
  type GhostOrder,
  type Order,
} from '@tracershop/domain/ordering';
import {
  customerTopic,
  productionDayTopic,
  type LiveGhost,
  type LiveOrder,
  type RealtimeMessageType,
  type RealtimePayloads,
  type Topic,
} from '@tracershop/realtime';

/** The streams this projection folds: one delivery endpoint on one delivery date each. */
export const DELIVERY_DAY_STREAM_PREFIX = 'ordering.deliveryDay-';

/** A message the projection logs: its topic, type and payload; the position is the event's. */
export interface LoggedMessage<T extends RealtimeMessageType = RealtimeMessageType> {
  topic: Topic;
  type: T;
  payload: RealtimePayloads[T];
}

/** What one event changed on the boards: the orders and ghosts whose live row differs now. */
export interface LiveChanges {
  orders: LiveOrder[];
  ghosts: LiveGhost[];
}

/**
 * An order as the boards show it, computed from the decider's state: the served activity is the
 * decider's own `activityServedWithOverhead`, never arithmetic of this file.
 */
export function liveOrderOf(order: Order, state: DeliveryDayState): LiveOrder {
  const release = order.releaseId ? state.releases[order.releaseId] : undefined;
  const common = {
    orderId: order.orderId,
    customerId: order.customerId,
    endpointId: state.endpointId ?? '',
    tracerId: order.tracerId,
    deliveryDate: state.date ?? '',
    status: order.status,
    statusCode: legacyStatusCode[order.status],
    deliveryTime: order.deliveryTime,
    releaseId: order.releaseId,
    lot: release?.lot ?? null,
    comment: order.comment,
  };
  if (order.kind === 'activity') {
    const active = order.movedTo ?? order;
    return {
      ...common,
      kind: 'activity',
      slotId: order.slotId,
      activeSlotId: active.slotId,
      activeDeliveryTime: active.deliveryTime,
      // The run that produces it: the moved-to slot's run, else the ordered slot's.
      runNumber: active.runNumber,
      activityMBq: order.activityMBq,
      servedMBq: activityServedWithOverhead(order),
      moved: order.movedTo !== null,
      injections: null,
      usage: null,
    };
  }
  return {
    ...common,
    kind: 'injection',
    slotId: null,
    activeSlotId: null,
    activeDeliveryTime: null,
    runNumber: null,
    activityMBq: null,
    servedMBq: null,
    moved: false,
    injections: order.injections,
    usage: order.usage,
  };
}

export function liveGhostOf(ghost: GhostOrder, state: DeliveryDayState, status: LiveGhost['status']): LiveGhost {
  return {
    ghostId: ghost.ghostId,
    slotId: ghost.slotId,
    customerId: ghost.customerId,
    endpointId: state.endpointId ?? '',
    tracerId: ghost.tracerId,
    deliveryDate: state.date ?? '',
    deliveryTime: ghost.deliveryTime,
    runNumber: ghost.runNumber,
    status,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Folds one event into the delivery day with the decider's `evolve` and returns the new state and
 * every order and ghost whose live row it changed. A ghost the event dissolves leaves the state
 * (as in the decider) and stays on the board as `dead`.
 */
export function foldLiveChanges(
  before: DeliveryDayState,
  event: DeliveryDayEvent,
): { state: DeliveryDayState; changes: LiveChanges } {
  const state = deliveryDayDecider.evolve(before, event);
  const orders: LiveOrder[] = [];
  // `evolve` shares what an event leaves alone: an order whose object, release and day are the
  // same as before has the same live row, without computing it twice.
  const sameDay = state.endpointId === before.endpointId && state.date === before.date;
  for (const [orderId, order] of Object.entries(state.orders)) {
    const previous = before.orders[orderId];
    if (
      sameDay &&
      previous === order &&
      (order.releaseId === null || state.releases[order.releaseId] === before.releases[order.releaseId])
    ) {
      continue;
    }
    const now = liveOrderOf(order, state);
    if (!previous || !same(liveOrderOf(previous, before), now)) orders.push(now);
  }
  const ghosts: LiveGhost[] = [];
  const activeAfter = new Map(Object.values(state.ghosts).map((ghost) => [ghost.ghostId, ghost]));
  for (const ghost of Object.values(before.ghosts)) {
    if (!activeAfter.has(ghost.ghostId)) ghosts.push(liveGhostOf(ghost, before, 'dead'));
  }
  const activeBefore = new Map(Object.values(before.ghosts).map((ghost) => [ghost.ghostId, ghost]));
  for (const ghost of activeAfter.values()) {
    const previous = activeBefore.get(ghost.ghostId);
    const now = liveGhostOf(ghost, state, 'active');
    if (!previous || !same(liveGhostOf(previous, before, 'active'), now)) ghosts.push(now);
  }
  return { state, changes: { orders, ghosts } };
}

/**
 * The messages of one event's changes, in the order they are logged: per order, then per ghost,
 * one message for the production day and one for the customer. A shop user's customer topic only
 * ever carries rows of that customer.
 */
export function messagesOf(changes: LiveChanges): LoggedMessage[] {
  const messages: LoggedMessage[] = [];
  for (const order of changes.orders) {
    const payload = { order };
    messages.push({ topic: productionDayTopic(order.deliveryDate), type: 'order.updated', payload });
    messages.push({ topic: customerTopic(order.customerId), type: 'order.updated', payload });
  }
  for (const ghost of changes.ghosts) {
    const payload = { ghost };
    messages.push({ topic: productionDayTopic(ghost.deliveryDate), type: 'ghost.updated', payload });
    messages.push({ topic: customerTopic(ghost.customerId), type: 'ghost.updated', payload });
  }
  return messages;
}
