import {
  legacyStatusCode,
  type DeliveryDayEvent,
  type InjectionUsage,
  type OrderStatus,
} from '@tracershop/domain/ordering';
import { deliveryDateTime, NOT_RELEASED } from './legacy-time';

/**
 * One delivery day (endpoint × date) as the legacy tables see it, and the `orders` and `t_orders`
 * rows derived from it. Pure: the projection loads the state, applies an event with the facts it
 * looked up (legacy ids, the acting user's name, the local time), and writes the difference between
 * the rows before and after.
 *
 * Rows of `orders` (FDG only, legacy `Tracers.id` 6, invariant O7):
 * - A row per (ordered slot, delivering slot): the orders of a slot that were not moved share one
 *   row (invariant O1); the orders moved from a slot to the same earlier slot share another, with
 *   `run` of the target, `deliver_datetime` unchanged and `COID` = the target's host.
 * - A row's OID is the legacy OID of the first order that made it, and stays while that order is
 *   in the row and active, or no order of the row is (a row of withdrawn orders only is kept,
 *   status 4). When that order leaves (moved, restored) or is withdrawn while others are active,
 *   the row takes the OID of its earliest active order, so a withdrawn order's OID never shows
 *   another order's amount and status, and the leaving order keeps its own OID.
 * - A ghost (GhostOrderCreated) is a row of its own, at the time and run its slot has now;
 *   dissolving it deletes the row (the old convention). While a ghost hosts a slot, a row of that
 *   slot holding withdrawn orders only is left out, so the slot never has two rows (O1).
 * - One row per (BID, deliver_datetime, run) over all of a customer's endpoints (`deriveCustomerDayRows`).
 * - A release marks its host row, the rows moved into it, and adds a row per extra vial.
 */

/** Legacy `Tracers.id` of FDG: the only tracer of `orders`. */
export const FDG_LEGACY_TRACER_ID = 6;
export const GHOST_COMMENT = 'Spøgelse bestilling';
export const extraVialComment = (hostOid: number) =>
  `Extra ordre generated due to multiple vials assigned to order: ${hostOid}`;

export interface DayActivityOrder {
  kind: 'activity';
  orderId: string;
  legacyOid: number;
  /** Placement order within the day. */
  seq: number;
  customerLegacyId: number | null;
  tracerLegacyId: number | null;
  slotId: string;
  deliveryTime: string;
  runNumber: number;
  activityMBq: number;
  overheadPercent: number;
  status: OrderStatus;
  comment: string | null;
  username: string;
  movedTo: { slotId: string; deliveryTime: string; runNumber: number; decayFactor: number } | null;
  /** The old system deleted the order's own row (a customer withdrew it there): no row stands for it. */
  rowRemoved?: boolean;
}

export interface DayInjectionOrder {
  kind: 'injection';
  orderId: string;
  legacyOid: number;
  seq: number;
  customerLegacyId: number | null;
  tracerLegacyId: number | null;
  deliveryTime: string;
  injections: number;
  usage: InjectionUsage;
  status: OrderStatus;
  comment: string | null;
  username: string;
  /** The old system deleted the order's own row (a customer withdrew it there): no row stands for it. */
  rowRemoved?: boolean;
}

export type DayOrder = DayActivityOrder | DayInjectionOrder;

export interface DayGhost {
  ghostId: string;
  legacyOid: number;
  slotId: string;
  deliveryTime: string;
  runNumber: number;
  customerLegacyId: number | null;
  tracerLegacyId: number | null;
  /** Login name of the user whose action created it. */
  username: string | null;
}

export interface DayReleasedVial {
  lot: string;
  activityMBq: number;
  volumeMl: number;
  extraRowLegacyOid: number | null;
}

export interface DayRelease {
  releaseId: string;
  kind: 'activity' | 'injection';
  slotId: string | null;
  ghostId: string | null;
  orderIds: string[];
  vials: DayReleasedVial[];
  lot: string | null;
  /** Legacy `Users.Id` of the releaser (`frigivet_af`). */
  releasedBy: number | null;
  /** Local `YYYY-MM-DD HH:MM:SS`. */
  releasedAt: string;
  status: 'released' | 'corrected';
}

export interface LegacyDayState {
  endpointId: string;
  date: string;
  nextSeq: number;
  orders: Record<string, DayOrder>;
  /** Active ghosts by slot id. */
  ghosts: Record<string, DayGhost>;
  releases: Record<string, DayRelease>;
  /** Row key (`<ordered slot>><delivering slot>`) → the OID of its `orders` row. */
  rowOids: Record<string, number>;
}

/** What the projection looked up for an event; each event reads only its own. */
export interface DayFacts {
  /** Local time of the event (`YYYY-MM-DD HH:MM:SS`). */
  at: string;
  customerLegacyId?: number | null;
  tracerLegacyId?: number | null;
  /** Releaser's legacy `Users.Id`. */
  releasedBy?: number | null;
  /** Login name of the acting user. */
  actorUsername?: string | null;
  /** The old system's row whose deletion the event came from (its captured change), as `<table>:<OID>`. */
  deletedLegacyRow?: string | null;
}

export function newDayState(endpointId: string, date: string): LegacyDayState {
  return { endpointId, date, nextSeq: 1, orders: {}, ghosts: {}, releases: {}, rowOids: {} };
}

function withOrder(state: LegacyDayState, orderId: string, change: (order: DayOrder) => DayOrder): LegacyDayState {
  const order = state.orders[orderId];
  if (!order) throw new Error(`Delivery day ${state.endpointId}/${state.date} has no order ${orderId}`);
  return { ...state, orders: { ...state.orders, [orderId]: change(order) } };
}

function withStatus(state: LegacyDayState, orderIds: readonly string[], status: OrderStatus): LegacyDayState {
  return orderIds.reduce((next, orderId) => withOrder(next, orderId, (order) => ({ ...order, status })), state);
}

/** The state after `event`, with row OIDs assigned. */
export function evolveDay(state: LegacyDayState, event: DeliveryDayEvent, facts: DayFacts): LegacyDayState {
  return assignRowOids(applyEvent(state, event, facts));
}

function applyEvent(state: LegacyDayState, event: DeliveryDayEvent, facts: DayFacts): LegacyDayState {
  switch (event.type) {
    case 'OrderPlaced': {
      const { order } = event.data;
      const common = {
        orderId: order.orderId,
        legacyOid: order.legacyOid,
        seq: state.nextSeq,
        customerLegacyId: facts.customerLegacyId ?? order.customerLegacyId,
        tracerLegacyId: facts.tracerLegacyId ?? order.tracerLegacyId,
        status: 'ordered' as const,
        comment: order.comment,
        username: order.orderedBy.username,
      };
      const placed: DayOrder =
        order.kind === 'activity'
          ? {
              kind: 'activity',
              ...common,
              slotId: order.slotId,
              deliveryTime: order.deliveryTime,
              runNumber: order.runNumber,
              activityMBq: order.activityMBq,
              overheadPercent: order.overheadPercent,
              movedTo: null,
            }
          : {
              kind: 'injection',
              ...common,
              deliveryTime: order.deliveryTime,
              injections: order.injections,
              usage: order.usage,
            };
      return { ...state, nextSeq: state.nextSeq + 1, orders: { ...state.orders, [order.orderId]: placed } };
    }
    case 'OrderAccepted':
      return withStatus(state, [event.data.orderId], 'accepted');
    case 'OrderRejected':
      return withStatus(state, [event.data.orderId], 'rejected');
    case 'OrderCancelled': {
      const cancelled = withStatus(state, [event.data.orderId], 'cancelled');
      // The old system's own delete: its row stays gone, in a rebuild as it is live.
      const removed = (order: DayOrder) =>
        facts.deletedLegacyRow === `${order.kind === 'activity' ? 'orders' : 't_orders'}:${order.legacyOid}`;
      return withOrder(cancelled, event.data.orderId, (order) =>
        removed(order) ? { ...order, rowRemoved: true } : order,
      );
    }
    case 'OrderReinstated':
      // Reinstated in Tracershop, the order has its row again.
      return withOrder(withStatus(state, [event.data.orderId], 'accepted'), event.data.orderId, (order) =>
        order.rowRemoved ? { ...order, rowRemoved: false } : order,
      );
    case 'OrderActivityChanged': {
      const { activityMBq, comment } = event.data;
      return withOrder(state, event.data.orderId, (order) => ({
        ...order,
        ...(activityMBq && order.kind === 'activity' ? { activityMBq: activityMBq.to } : {}),
        ...(comment ? { comment: comment.to } : {}),
      }));
    }
    case 'InjectionOrderChanged': {
      const { injections, usage, deliveryTime, comment } = event.data.changes;
      return withOrder(state, event.data.orderId, (order) =>
        order.kind !== 'injection'
          ? order
          : {
              ...order,
              ...(injections ? { injections: injections.to } : {}),
              ...(usage ? { usage: usage.to } : {}),
              ...(deliveryTime ? { deliveryTime: deliveryTime.to } : {}),
              ...(comment ? { comment: comment.to } : {}),
            },
      );
    }
    case 'OrderMovedToSlot': {
      const { to, decayFactor } = event.data;
      return withOrder(state, event.data.orderId, (order) =>
        order.kind !== 'activity'
          ? order
          : {
              ...order,
              movedTo: { slotId: to.slotId, deliveryTime: to.deliveryTime, runNumber: to.runNumber, decayFactor },
            },
      );
    }
    case 'OrderRestoredToSlot':
      return withOrder(state, event.data.orderId, (order) =>
        order.kind !== 'activity' ? order : { ...order, movedTo: null },
      );
    case 'GhostOrderCreated': {
      const ghost = event.data;
      // The day stream never learns of a slot's new time or run; the orders it hosts follow them here
      // (`followSlotSchedule`), so the ghost takes its placement from them (invariants O2, O3).
      const { deliveryTime, runNumber } = hostedPlacement(state, ghost.slotId, ghost.hostedOrderIds) ?? ghost;
      return {
        ...state,
        ghosts: {
          ...state.ghosts,
          [ghost.slotId]: {
            ghostId: ghost.ghostId,
            legacyOid: ghost.legacyOid,
            slotId: ghost.slotId,
            deliveryTime,
            runNumber,
            customerLegacyId: facts.customerLegacyId ?? ghost.customerLegacyId,
            tracerLegacyId: facts.tracerLegacyId ?? ghost.tracerLegacyId,
            username: facts.actorUsername ?? null,
          },
        },
      };
    }
    case 'GhostOrderDissolved': {
      const { [event.data.slotId]: dissolved, ...ghosts } = state.ghosts;
      if (!dissolved || dissolved.ghostId !== event.data.ghostId) return state;
      return { ...state, ghosts };
    }
    case 'DeadOrderFlagged':
      return state;
    case 'ActivityReleased': {
      const { releaseId, slotId, ghostId, orderIds, vials } = event.data;
      const release: DayRelease = {
        releaseId,
        kind: 'activity',
        slotId,
        ghostId,
        orderIds,
        vials: vials.map(({ lot, activityMBq, volumeMl, extraRowLegacyOid }) => ({
          lot,
          activityMBq,
          volumeMl,
          extraRowLegacyOid,
        })),
        lot: vials[0]?.lot ?? null,
        releasedBy: facts.releasedBy ?? event.data.releasedBy.legacyUserId,
        releasedAt: facts.at,
        status: 'released',
      };
      return withStatus({ ...state, releases: { ...state.releases, [releaseId]: release } }, orderIds, 'released');
    }
    case 'InjectionOrdersReleased': {
      const { releaseId, orderIds, lot } = event.data;
      const release: DayRelease = {
        releaseId,
        kind: 'injection',
        slotId: null,
        ghostId: null,
        orderIds,
        vials: [],
        lot,
        releasedBy: facts.releasedBy ?? event.data.releasedBy.legacyUserId,
        releasedAt: facts.at,
        status: 'released',
      };
      return withStatus({ ...state, releases: { ...state.releases, [releaseId]: release } }, orderIds, 'released');
    }
    case 'ReleasedOrderCorrected': {
      const release = state.releases[event.data.releaseId];
      if (!release)
        throw new Error(`Delivery day ${state.endpointId}/${state.date} has no release ${event.data.releaseId}`);
      return withStatus(
        { ...state, releases: { ...state.releases, [release.releaseId]: { ...release, status: 'corrected' } } },
        event.data.orderIds,
        'accepted',
      );
    }
  }
}

/** Where the orders moved into a slot are delivered now: the slot's current time and run, as the day follows them. */
function hostedPlacement(
  state: LegacyDayState,
  slotId: string,
  hostedOrderIds: readonly string[],
): { deliveryTime: string; runNumber: number } | null {
  for (const orderId of hostedOrderIds) {
    const order = state.orders[orderId];
    if (order?.kind === 'activity' && order.movedTo?.slotId === slotId) return order.movedTo;
  }
  return null;
}

/** What a slot's rows of the days to come follow when its run or its schedule changes. */
export interface SlotSchedule {
  /** The slot's run took this number. */
  runNumber?: number;
  /** The slot delivers at this time now. */
  deliveryTime?: string;
}

/**
 * Slots were renumbered (their production run took a new number) or rescheduled (a new delivery
 * time): the day's orders and ghosts in those slots follow, so an `orders` row's `run` and
 * `deliver_datetime` agree with its slot's `deliverTimes` row (invariants O2, O3), and the old
 * system's `InsertOrder` finds the row by what it reads there. A slot the day has released keeps the
 * rows that made it (history). Returns the same state when nothing changes, and keeps every order it
 * does not change, so only changed orders are written.
 */
export function followSlotSchedule(
  state: LegacyDayState,
  slotIds: ReadonlySet<string>,
  schedule: SlotSchedule,
): LegacyDayState {
  const released = new Set(
    Object.values(state.releases).flatMap((release) =>
      release.status === 'released' && release.slotId !== null ? [release.slotId] : [],
    ),
  );
  const follows = (placement: { slotId: string; runNumber: number; deliveryTime: string }) =>
    slotIds.has(placement.slotId) &&
    !released.has(placement.slotId) &&
    ((schedule.runNumber !== undefined && placement.runNumber !== schedule.runNumber) ||
      (schedule.deliveryTime !== undefined && placement.deliveryTime !== schedule.deliveryTime));
  let changed = false;
  const orders: Record<string, DayOrder> = {};
  for (const [orderId, order] of Object.entries(state.orders)) {
    // An order delivered by a released slot keeps its rows as released, wherever it was ordered.
    if (order.kind !== 'activity' || released.has(order.movedTo?.slotId ?? order.slotId)) {
      orders[orderId] = order;
      continue;
    }
    const own = follows(order);
    const moved = order.movedTo !== null && follows(order.movedTo);
    changed ||= own || moved;
    orders[orderId] =
      own || moved
        ? {
            ...order,
            ...(own ? schedule : {}),
            ...(moved && order.movedTo ? { movedTo: { ...order.movedTo, ...schedule } } : {}),
          }
        : order;
  }
  const ghosts: Record<string, DayGhost> = {};
  for (const [slotId, ghost] of Object.entries(state.ghosts)) {
    const follow = follows(ghost);
    changed ||= follow;
    ghosts[slotId] = follow ? { ...ghost, ...schedule } : ghost;
  }
  return changed ? { ...state, orders, ghosts } : state;
}

// Rows

const isWithdrawn = (order: DayOrder) => order.status === 'rejected' || order.status === 'cancelled';
const isFdg = (order: DayOrder): order is DayActivityOrder =>
  order.kind === 'activity' && order.tracerLegacyId === FDG_LEGACY_TRACER_ID;
const deliveringSlotOf = (order: DayActivityOrder) => order.movedTo?.slotId ?? order.slotId;
const rowKeyOf = (order: DayActivityOrder) => `${order.slotId}>${deliveringSlotOf(order)}`;
const ownRowKey = (slotId: string) => `${slotId}>${slotId}`;

/** FDG orders by row key, each list in placement order; an order whose row the old system deleted is in none. */
function rowMembers(state: LegacyDayState): Map<string, DayActivityOrder[]> {
  const members = new Map<string, DayActivityOrder[]>();
  const orders = Object.values(state.orders)
    .filter((order): order is DayActivityOrder => isFdg(order) && !order.rowRemoved)
    .sort((a, b) => a.seq - b.seq);
  for (const order of orders) {
    const key = rowKeyOf(order);
    members.set(key, [...(members.get(key) ?? []), order]);
  }
  return members;
}

/**
 * A row keeps its OID while the order it came from is in it, and active or the row has no active
 * order; a new row, one whose order left, or one whose order was withdrawn while others are active,
 * takes the OID of its earliest active order (else its earliest). So the row of a withdrawn order
 * never shows another order's amount and status under its OID; the withdrawn order's row leaves
 * `orders` then (invariant O1: one row for the slot). Each OID is one of the row's own orders', and
 * an order is in one row only, so no two rows ever share an OID.
 */
function assignRowOids(state: LegacyDayState): LegacyDayState {
  const rowOids: Record<string, number> = {};
  for (const [key, orders] of rowMembers(state)) {
    const held = orders.find((order) => order.legacyOid === state.rowOids[key]);
    const active = orders.filter((order) => !isWithdrawn(order));
    const keeps = held !== undefined && (!isWithdrawn(held) || active.length === 0);
    rowOids[key] = keeps ? held.legacyOid : ((active[0] ?? orders[0]) as DayActivityOrder).legacyOid;
  }
  return { ...state, rowOids };
}

/** The owned columns of an `orders` row (the old system's pass-through columns and `order_time` aside). */
export interface OrdersRow {
  BID: number | null;
  OID: number;
  amount: number;
  deliver_datetime: string;
  status: number;
  batchnr: string;
  run: number;
  COID: number;
  total_amount: number;
  frigivet_amount: number | null;
  frigivet_datetime: string;
  amount_o: number;
  total_amount_o: number;
  frigivet_af: number | null;
  tracer: number;
  volume: number | null;
  comment: string | null;
  userName: string | null;
}

/** The owned columns of a `t_orders` row. */
export interface TOrdersRow {
  BID: number | null;
  OID: number;
  deliver_datetime: string;
  status: number;
  batchnr: string;
  frigivet_datetime: string | null;
  frigivet_af: number | null;
  tracer: number | null;
  n_injections: number;
  anvendelse: string;
  comment: string | null;
  userName: string | null;
}

export const legacyUsage: Readonly<Record<InjectionUsage, string>> = { human: 'Human', animal: 'Dyr', other: 'Andet' };

/** Guards `trunc` against binary fractions just below a whole number (1000 × 1.15 = 1149.999…). */
const EPSILON = 1e-6;
const trunc = (value: number) => Math.trunc(value + EPSILON);

/**
 * Ordered MBq without and with overhead, added order by order as the old system's `InsertOrder`
 * adds a second order of the slot to its row (`amount += A2`, `amount_o += A2o`): each order's
 * amount rounded into the INT column, and `amount_o` truncated from that whole amount on its own
 * (`trunc(amount · (1 + percent/100))`), so a fractional order gives what the formula gives.
 */
function amountsOf(orders: readonly DayActivityOrder[]): { amount: number; amountO: number } {
  let amount = 0;
  let amountO = 0;
  for (const order of orders) {
    const whole = Math.round(order.activityMBq);
    amount += whole;
    amountO += trunc((whole * (100 + order.overheadPercent)) / 100);
  }
  return { amount, amountO };
}

/** Any ordered → 1, else any accepted → 2, else (all released) → 3; none active → 4. */
function statusOf(active: readonly DayActivityOrder[]): number {
  if (active.length === 0) return 4;
  const codes = active.map((order) => legacyStatusCode[order.status]);
  if (codes.includes(1)) return 1;
  if (codes.includes(2)) return 2;
  return 3;
}

function commentOf(orders: readonly DayActivityOrder[]): string | null {
  const comments = [...new Set(orders.map((order) => order.comment).filter((comment) => !!comment))];
  return comments.length === 0 ? null : comments.join('\n');
}

interface OrderRowPlan {
  key: string;
  oid: number;
  moved: boolean;
  ownSlotId: string;
  deliveringSlotId: string;
  members: DayActivityOrder[];
  active: DayActivityOrder[];
}

/** The `orders` and `t_orders` rows of the day, by OID. */
export function deriveDayRows(state: LegacyDayState): {
  orders: Map<number, OrdersRow>;
  tOrders: Map<number, TOrdersRow>;
} {
  return deriveCustomerDayRows([state]);
}

/**
 * The `orders` and `t_orders` rows of one customer's delivery days of one date, by OID: a day per
 * delivery endpoint, first endpoint first. The old system knows one endpoint per customer, so the
 * rows of all of them make one set, with at most one row per (BID, deliver_datetime, run)
 * (invariant O1, extra-vial rows aside):
 * - a moved row that meets another row at its key (an order moved to an earlier slot of its own
 *   run, whose slot keeps a row or a ghost; two rows of one slot moved to slots of one run) has no
 *   row of its own: its decay-corrected share is in its host's totals, as a moved row's is;
 * - the rows of two endpoints that meet at one key (the same slot time and run) are one row, as
 *   `InsertOrder` merges a customer's second order of the slot: the first endpoint's OID, the
 *   orders and amounts of both, and the rows hosted by either hang under it.
 */
export function deriveCustomerDayRows(states: readonly LegacyDayState[]): {
  orders: Map<number, OrdersRow>;
  tOrders: Map<number, TOrdersRow>;
} {
  const tOrders = new Map<number, TOrdersRow>();
  for (const state of states) for (const [oid, row] of deriveTOrdersRows(state)) tOrders.set(oid, row);
  return { orders: deriveOrdersRows(states), tOrders };
}

/** A delivery day's row plans, ghosts and hosts, before the rows are made one per key. */
interface DayPlans {
  state: LegacyDayState;
  plans: OrderRowPlan[];
  ghostOfSlot: Map<string, DayGhost>;
  /** The OID of the row a slot's delivery is booked on: its own orders' row, else its ghost. */
  hostOf(slotId: string): number | null;
}

function planDay(state: LegacyDayState): DayPlans {
  const plans: OrderRowPlan[] = [...rowMembers(state)].map(([key, members]) => {
    const first = members[0] as DayActivityOrder;
    const oid = state.rowOids[key];
    if (oid === undefined) throw new Error(`Row ${key} of ${state.endpointId}/${state.date} has no OID`);
    return {
      key,
      oid,
      moved: first.movedTo !== null,
      ownSlotId: first.slotId,
      deliveringSlotId: deliveringSlotOf(first),
      members,
      active: members.filter((order) => !isWithdrawn(order)),
    };
  });
  const plansByKey = new Map(plans.map((plan) => [plan.key, plan]));
  const ghosts = Object.values(state.ghosts).filter((ghost) => ghost.tracerLegacyId === FDG_LEGACY_TRACER_ID);
  const ghostOfSlot = new Map(ghosts.map((ghost) => [ghost.slotId, ghost]));
  return {
    state,
    plans,
    ghostOfSlot,
    hostOf(slotId) {
      const own = plansByKey.get(ownRowKey(slotId));
      if (own && own.active.length > 0) return own.oid;
      return ghostOfSlot.get(slotId)?.legacyOid ?? null;
    },
  };
}

/** A row of a day before the rows are made one per key: where it comes from. */
interface CandidateRow {
  row: OrdersRow;
  day: DayPlans;
  /** The orders' row it stands for; null for a ghost. */
  plan: OrderRowPlan | null;
  /** The rows of other endpoints' days it stands for as well (same key), with their orders. */
  joined: CandidateRow[];
}

const rowKeyOfColumns = (row: OrdersRow) => `${row.BID}|${row.deliver_datetime}|${row.run}`;

const NOT_RELEASED_COLUMNS = {
  batchnr: '',
  frigivet_amount: null,
  frigivet_datetime: NOT_RELEASED,
  frigivet_af: null,
  volume: null,
} as const;

/** An orders' row: the amounts, status and comment of its active orders (of all of them when none is). */
function ordersRowOf(plan: OrderRowPlan, date: string): OrdersRow {
  const counted = plan.active.length > 0 ? plan.active : plan.members;
  const owner = plan.members.find((order) => order.legacyOid === plan.oid) as DayActivityOrder;
  const { amount, amountO } = amountsOf(counted);
  return {
    BID: owner.customerLegacyId,
    OID: plan.oid,
    amount,
    deliver_datetime: deliveryDateTime(date, owner.deliveryTime),
    status: statusOf(plan.active),
    ...NOT_RELEASED_COLUMNS,
    run: plan.moved ? (owner.movedTo?.runNumber ?? owner.runNumber) : owner.runNumber,
    // A moved row's host is set once the rows are one per key.
    COID: -1,
    total_amount: plan.moved ? 0 : amount,
    amount_o: amountO,
    total_amount_o: plan.moved ? 0 : amountO,
    tracer: FDG_LEGACY_TRACER_ID,
    comment: commentOf(counted),
    userName: owner.username,
  };
}

function ghostRowOf(ghost: DayGhost, date: string): OrdersRow {
  return {
    BID: ghost.customerLegacyId,
    OID: ghost.legacyOid,
    amount: 0,
    deliver_datetime: deliveryDateTime(date, ghost.deliveryTime),
    status: 2,
    ...NOT_RELEASED_COLUMNS,
    run: ghost.runNumber,
    COID: -1,
    total_amount: 0,
    amount_o: 0,
    total_amount_o: 0,
    tracer: FDG_LEGACY_TRACER_ID,
    comment: GHOST_COMMENT,
    userName: ghost.username,
  };
}

/** The orders of a row and of the rows it stands for as well. */
const ordersOfCandidate = (candidate: CandidateRow): DayActivityOrder[] =>
  [candidate, ...candidate.joined].flatMap((part) => part.plan?.members ?? []);

/**
 * A row that stands for other endpoints' rows too: the amounts, status and comment of the orders of
 * all of them. A ghost stays a ghost unless it stands for another endpoint's active orders.
 */
function joinRows(candidate: CandidateRow): void {
  const orders = ordersOfCandidate(candidate);
  const active = orders.filter((order) => !isWithdrawn(order));
  if (candidate.plan === null && active.length === 0) return;
  const counted = active.length > 0 ? active : orders;
  const { amount, amountO } = amountsOf(counted);
  Object.assign(candidate.row, {
    amount,
    amount_o: amountO,
    total_amount: amount,
    total_amount_o: amountO,
    status: statusOf(active),
    comment: commentOf(counted),
  });
}

function deriveOrdersRows(states: readonly LegacyDayState[]): Map<number, OrdersRow> {
  const days = states.map(planDay);
  const candidates: CandidateRow[] = [];
  for (const day of days) {
    for (const plan of day.plans) {
      // A row of withdrawn orders only gives way to the ghost hosting its slot (one row per slot).
      if (!plan.moved && plan.active.length === 0 && day.ghostOfSlot.has(plan.ownSlotId)) continue;
      candidates.push({ row: ordersRowOf(plan, day.state.date), day, plan, joined: [] });
    }
    for (const ghost of day.ghostOfSlot.values()) {
      candidates.push({ row: ghostRowOf(ghost, day.state.date), day, plan: null, joined: [] });
    }
  }

  // One row per key, taken in this order: rows that deliver at their own slot (a ghost, a row of
  // active orders), moved rows of active orders, then rows of withdrawn orders only.
  const rank = (candidate: CandidateRow) => {
    const { plan } = candidate;
    if (plan === null) return 0;
    return (plan.active.length > 0 ? 0 : 2) + (plan.moved ? 1 : 0);
  };
  const byRank = [0, 1, 2, 3].flatMap((wanted) => candidates.filter((candidate) => rank(candidate) === wanted));
  const standing = new Map<string, CandidateRow>();
  /** OID of a row that another endpoint's row stands for → the OID of that row. */
  const standsFor = new Map<number, number>();
  const kept = new Set<CandidateRow>();
  for (const candidate of byRank) {
    const key = rowKeyOfColumns(candidate.row);
    const holder = standing.get(key);
    if (!holder) {
      standing.set(key, candidate);
      kept.add(candidate);
    } else if (rank(candidate) === 0) {
      holder.joined.push(candidate);
      standsFor.set(candidate.row.OID, holder.row.OID);
    }
    // Else it has no row: a moved row of active orders counts in its host's totals only (below), and
    // a row of withdrawn orders delivers nothing.
  }
  const standingOid = (oid: number) => standsFor.get(oid) ?? oid;

  const rows = new Map<number, OrdersRow>();
  for (const candidate of candidates) {
    if (!kept.has(candidate)) continue;
    if (candidate.joined.length > 0) joinRows(candidate);
    if (candidate.plan?.moved) {
      const host = candidate.day.hostOf(candidate.plan.deliveringSlotId);
      // A moved row keeps its host when its orders are withdrawn: the old system's cancel changed
      // only `status` (the host may be gone, a dissolved ghost: then -1).
      candidate.row.COID = host === null ? -1 : standingOid(host);
    }
    rows.set(candidate.row.OID, candidate.row);
  }

  // Hosts' totals: own amounts plus the decay-corrected amounts of the orders moved into them (O5),
  // each row's share rounded on its own, as each move of the old system stored `total += X·f` in an
  // INT. A withdrawn moved row still hangs under its host, but delivers nothing.
  for (const day of days) {
    for (const plan of day.plans) {
      if (!plan.moved || plan.active.length === 0) continue;
      const hostOid = day.hostOf(plan.deliveringSlotId);
      const host = hostOid === null ? undefined : rows.get(standingOid(hostOid));
      if (!host) continue;
      const factor = (plan.active[0] as DayActivityOrder).movedTo?.decayFactor ?? 1;
      const { amount, amountO } = amountsOf(plan.active);
      host.total_amount += Math.round(amount * factor);
      host.total_amount_o += Math.round(amountO * factor);
    }
  }

  const keptRows = candidates.filter((candidate) => kept.has(candidate));
  releaseRows(days, rows, standingOid, keptRows);
  return rows;
}

/** A release of activity, with the row it was made for before the rows were made one per key. */
interface RowRelease {
  release: DayRelease;
  /** Index of its day among the customer's days (endpoint order). */
  dayIndex: number;
  /** OID of the row of its own day it lands on: the standing row's, or that of a row joined into it. */
  partOid: number;
}

/** Earliest release first; one instant breaks by endpoint order, then by release id, so every rebuild agrees. */
const byReleaseTime = (a: RowRelease, b: RowRelease) =>
  a.release.releasedAt.localeCompare(b.release.releasedAt) ||
  a.dayIndex - b.dayIndex ||
  a.release.releaseId.localeCompare(b.release.releaseId);

/**
 * A release marks its host row, the rows moved into it, and adds a row per extra vial. A row that
 * stands for several endpoints' rows holds their releases together, once all its orders are
 * released: the earliest release's first vial on the row, every other vial as an extra-vial row (the
 * first vial of a later release has no reserved OID: it takes the OID of the joined row it was
 * released for, which has no row of its own in `orders`).
 */
function releaseRows(
  days: readonly DayPlans[],
  rows: Map<number, OrdersRow>,
  standingOid: (oid: number) => number,
  kept: readonly CandidateRow[],
): void {
  const releasesOfHost = new Map<number, RowRelease[]>();
  days.forEach((day, dayIndex) => {
    const { state, ghostOfSlot, plans } = day;
    for (const release of Object.values(state.releases)) {
      if (release.kind !== 'activity' || release.status !== 'released' || release.slotId === null) continue;
      const partOid = release.ghostId
        ? ghostOfSlot.get(release.slotId)?.ghostId === release.ghostId
          ? (ghostOfSlot.get(release.slotId) as DayGhost).legacyOid
          : null
        : (plans.find((plan) => plan.key === ownRowKey(release.slotId as string))?.oid ?? null);
      const host = partOid === null ? undefined : rows.get(standingOid(partOid));
      if (partOid === null || !host) continue;
      // This day's rows under the host: a withdrawn row under it was not released with it.
      for (const candidate of kept) {
        const { row } = candidate;
        if (candidate.day === day && row.COID === host.OID && row.status !== 4) {
          Object.assign(row, { status: 3, frigivet_af: release.releasedBy, frigivet_datetime: release.releasedAt });
        }
      }
      releasesOfHost.set(host.OID, [...(releasesOfHost.get(host.OID) ?? []), { release, dayIndex, partOid }]);
    }
  });

  for (const [hostOid, releases] of releasesOfHost) {
    const host = rows.get(hostOid) as OrdersRow;
    // A row that stands for another endpoint's orders too is released once theirs are.
    const standing = kept.find((candidate) => candidate.row === host);
    const releasedDays = new Set(releases.map(({ dayIndex }) => days[dayIndex]));
    const othersOpen = [...(standing ? [standing] : []), ...(standing?.joined ?? [])]
      .filter((part) => !releasedDays.has(part.day))
      .flatMap((part) => part.plan?.members ?? [])
      .some((order) => !isWithdrawn(order) && order.status !== 'released');
    if (othersOpen) continue;

    const [earliest, ...later] = [...releases].sort(byReleaseTime) as [RowRelease, ...RowRelease[]];
    const [first, ...extras] = earliest.release.vials;
    Object.assign(host, {
      status: 3,
      frigivet_af: earliest.release.releasedBy,
      frigivet_datetime: earliest.release.releasedAt,
      frigivet_amount: first ? trunc(first.activityMBq) : null,
      volume: first?.volumeMl ?? null,
      batchnr: first?.lot ?? '',
    });
    const extraVials = [
      ...extras.map((vial) => ({ vial, release: earliest.release, oid: vial.extraRowLegacyOid })),
      ...later.flatMap(({ release, partOid }) =>
        release.vials.map((vial, index) => ({
          vial,
          release,
          // Only the host's own part can be released later than a joined part: its first vial takes
          // the OID of the earliest release's part, whose first vial is on the host.
          oid: index > 0 ? vial.extraRowLegacyOid : partOid === host.OID ? earliest.partOid : partOid,
        })),
      ),
    ];
    for (const { vial, release, oid } of extraVials) {
      if (oid === null) continue;
      rows.set(oid, {
        BID: host.BID,
        OID: oid,
        amount: 0,
        deliver_datetime: host.deliver_datetime,
        status: 3,
        batchnr: vial.lot,
        run: host.run,
        COID: host.OID,
        total_amount: 0,
        // The old system wrote the vial's activity itself into the INT column, which rounds it
        // (the host's first vial went through int(), which truncates).
        frigivet_amount: Math.round(vial.activityMBq),
        frigivet_af: release.releasedBy,
        frigivet_datetime: release.releasedAt,
        amount_o: 0,
        total_amount_o: 0,
        tracer: host.tracer,
        volume: vial.volumeMl,
        comment: extraVialComment(host.OID),
        userName: host.userName,
      });
    }
  }
}

function deriveTOrdersRows(state: LegacyDayState): Map<number, TOrdersRow> {
  const releaseOf = new Map<string, DayRelease>();
  for (const release of Object.values(state.releases)) {
    if (release.kind !== 'injection' || release.status !== 'released') continue;
    for (const orderId of release.orderIds) releaseOf.set(orderId, release);
  }
  const rows = new Map<number, TOrdersRow>();
  const orders = Object.values(state.orders)
    .filter((order): order is DayInjectionOrder => order.kind === 'injection' && !order.rowRemoved)
    .sort((a, b) => a.seq - b.seq);
  for (const order of orders) {
    const release = releaseOf.get(order.orderId);
    rows.set(order.legacyOid, {
      BID: order.customerLegacyId,
      OID: order.legacyOid,
      deliver_datetime: deliveryDateTime(state.date, order.deliveryTime),
      status: legacyStatusCode[order.status],
      batchnr: release?.lot ?? '',
      frigivet_datetime: release?.releasedAt ?? null,
      frigivet_af: release?.releasedBy ?? null,
      tracer: order.tracerLegacyId,
      n_injections: order.injections,
      anvendelse: legacyUsage[order.usage],
      comment: order.comment,
      userName: order.username,
    });
  }
  return rows;
}
