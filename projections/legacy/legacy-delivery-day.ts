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
 *   in the row, also when it is withdrawn (a row of withdrawn orders only is kept, status 4). When
 *   that order leaves (moved, restored), the row takes the OID of its earliest remaining order, so
 *   the leaving order keeps its own OID.
 * - A ghost (GhostOrderCreated) is a row of its own; dissolving it deletes the row (the old
 *   convention). While a ghost hosts a slot, a row of that slot holding withdrawn orders only is
 *   left out, so the slot never has two rows (O1).
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
      return {
        ...state,
        ghosts: {
          ...state.ghosts,
          [ghost.slotId]: {
            ghostId: ghost.ghostId,
            legacyOid: ghost.legacyOid,
            slotId: ghost.slotId,
            deliveryTime: ghost.deliveryTime,
            runNumber: ghost.runNumber,
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
 * A row keeps its OID while the order it came from is in it; a new row, or one whose order left,
 * takes the OID of its earliest order. Each OID is one of the row's own orders', and an order is in
 * one row only, so no two rows ever share an OID.
 */
function assignRowOids(state: LegacyDayState): LegacyDayState {
  const members = rowMembers(state);
  const rowOids: Record<string, number> = {};
  for (const [key, oid] of Object.entries(state.rowOids)) {
    if (members.get(key)?.some((order) => order.legacyOid === oid)) rowOids[key] = oid;
  }
  for (const [key, orders] of members) {
    if (rowOids[key] === undefined) rowOids[key] = (orders[0] as DayActivityOrder).legacyOid;
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
  return { orders: deriveOrdersRows(state), tOrders: deriveTOrdersRows(state) };
}

function deriveOrdersRows(state: LegacyDayState): Map<number, OrdersRow> {
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

  /** The row a slot's delivery is booked on: its own orders' row, else its ghost. */
  const hostOf = (slotId: string): number | null => {
    const own = plansByKey.get(ownRowKey(slotId));
    if (own && own.active.length > 0) return own.oid;
    return ghostOfSlot.get(slotId)?.legacyOid ?? null;
  };

  const rows = new Map<number, OrdersRow>();
  const notReleased = {
    batchnr: '',
    frigivet_amount: null,
    frigivet_datetime: NOT_RELEASED,
    frigivet_af: null,
    volume: null,
  };
  for (const plan of plans) {
    const counted = plan.active.length > 0 ? plan.active : plan.members;
    const owner = plan.members.find((order) => order.legacyOid === plan.oid) as DayActivityOrder;
    if (!plan.moved && plan.active.length === 0 && ghostOfSlot.has(plan.ownSlotId)) continue;
    const { amount, amountO } = amountsOf(counted);
    // A moved row keeps its host when its orders are withdrawn: the old system's cancel changed
    // only `status` (the host may be gone, a dissolved ghost: then -1).
    const host = plan.moved ? hostOf(plan.deliveringSlotId) : null;
    rows.set(plan.oid, {
      BID: owner.customerLegacyId,
      OID: plan.oid,
      amount,
      deliver_datetime: deliveryDateTime(state.date, owner.deliveryTime),
      status: statusOf(plan.active),
      ...notReleased,
      run: plan.moved ? (owner.movedTo?.runNumber ?? owner.runNumber) : owner.runNumber,
      COID: host ?? -1,
      total_amount: plan.moved ? 0 : amount,
      amount_o: amountO,
      total_amount_o: plan.moved ? 0 : amountO,
      tracer: FDG_LEGACY_TRACER_ID,
      comment: commentOf(counted),
      userName: owner.username,
    });
  }
  for (const ghost of ghosts) {
    rows.set(ghost.legacyOid, {
      BID: ghost.customerLegacyId,
      OID: ghost.legacyOid,
      amount: 0,
      deliver_datetime: deliveryDateTime(state.date, ghost.deliveryTime),
      status: 2,
      ...notReleased,
      run: ghost.runNumber,
      COID: -1,
      total_amount: 0,
      amount_o: 0,
      total_amount_o: 0,
      tracer: FDG_LEGACY_TRACER_ID,
      comment: GHOST_COMMENT,
      userName: ghost.username,
    });
  }

  // Hosts' totals: own amounts plus the decay-corrected amounts of the rows moved into them (O5),
  // each share rounded on its own, as each move of the old system stored `total += X·f` in an INT.
  const hosted = new Map<number, { amount: number; amountO: number }>();
  for (const plan of plans) {
    const row = rows.get(plan.oid);
    // A withdrawn row still hangs under its host, but delivers nothing.
    if (!row || !plan.moved || row.COID === -1 || plan.active.length === 0) continue;
    const factor = (plan.active[0] as DayActivityOrder).movedTo?.decayFactor ?? 1;
    const sum = hosted.get(row.COID) ?? { amount: 0, amountO: 0 };
    hosted.set(row.COID, {
      amount: sum.amount + Math.round(row.amount * factor),
      amountO: sum.amountO + Math.round(row.amount_o * factor),
    });
  }
  for (const [oid, extra] of hosted) {
    const host = rows.get(oid);
    if (!host) continue;
    host.total_amount = host.amount + extra.amount;
    host.total_amount_o = host.amount_o + extra.amountO;
  }

  for (const release of Object.values(state.releases)) {
    if (release.kind !== 'activity' || release.status !== 'released' || release.slotId === null) continue;
    const hostOid = release.ghostId
      ? ghostOfSlot.get(release.slotId)?.ghostId === release.ghostId
        ? (ghostOfSlot.get(release.slotId) as DayGhost).legacyOid
        : null
      : (plansByKey.get(ownRowKey(release.slotId))?.oid ?? null);
    const host = hostOid === null ? undefined : rows.get(hostOid);
    if (!host) continue;
    const releasedBy = { frigivet_af: release.releasedBy, frigivet_datetime: release.releasedAt };
    for (const row of rows.values()) {
      // A withdrawn row under the host was not released with it.
      if (row.COID === host.OID && row.status !== 4) Object.assign(row, { status: 3, ...releasedBy });
    }
    const [first, ...extras] = release.vials;
    Object.assign(host, {
      status: 3,
      ...releasedBy,
      frigivet_amount: first ? trunc(first.activityMBq) : null,
      volume: first?.volumeMl ?? null,
      batchnr: first?.lot ?? '',
    });
    for (const vial of extras) {
      if (vial.extraRowLegacyOid === null) continue;
      rows.set(vial.extraRowLegacyOid, {
        BID: host.BID,
        OID: vial.extraRowLegacyOid,
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
        ...releasedBy,
        amount_o: 0,
        total_amount_o: 0,
        tracer: host.tracer,
        volume: vial.volumeMl,
        comment: extraVialComment(host.OID),
        userName: host.userName,
      });
    }
  }
  return rows;
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
