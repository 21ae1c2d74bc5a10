import type { SignatureMeaning } from '@tracershop/event-store';
import { conflict, forbidden, notFound, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import {
  isoWeekdayOf,
  isWeeklyCloseDay,
  requireCalendarDate,
  requireClockTime,
  requireId,
  requireInstant,
  requireReason,
  slotDeliversOn,
  type CalendarDate,
  type ClockTime,
  type ClosedDays,
  type CustomerState,
  type DeliveryEndpointState,
  type DeliveryTimeSlotState,
  type IsoInstant,
  type IsotopeState,
  type ProductionRunState,
  type TracerPermissionState,
  type TracerState,
} from '../catalog';
import { decayFactor, overheadMultiplier, secondsBetween } from './decay';
import { deadlinePassed, type LocalMoment, type OrderingDeadline } from './deadline';
import { lotDateOf, normaliseLotNumber, parseLotNumber } from './lot-number';
import { refuseVoided, type VialState } from './vial';

/**
 * One delivery endpoint on one delivery date: its activity and injection orders, the ghost orders
 * of its slots, and their releases. Moves stay within an endpoint and a production day and a
 * release covers one slot of one endpoint, so every ordering rule is decided on one stream and
 * appended atomically with its expected revision: no cross-stream saga can leave a move half done.
 */
export const deliveryDayId = (endpointId: string, date: CalendarDate) => `${encodeURIComponent(endpointId)}:${date}`;
export const deliveryDayStreamName = (endpointId: string, date: CalendarDate) =>
  `ordering.deliveryDay-${deliveryDayId(endpointId, date)}`;

/** Legacy status codes: 1 ordered, 2 accepted, 3 released, 4 rejected or cancelled. */
export const orderStatuses = ['ordered', 'accepted', 'released', 'rejected', 'cancelled'] as const;
export type OrderStatus = (typeof orderStatuses)[number];
export const legacyStatusCode: Readonly<Record<OrderStatus, 1 | 2 | 3 | 4>> = {
  ordered: 1,
  accepted: 2,
  released: 3,
  rejected: 4,
  cancelled: 4,
};

/**
 * Shop members order for their customers; production members order on a customer's behalf. A shop
 * admin is a shop member who may also edit and withdraw the orders made from worklist bookings.
 */
export type ActingAs = 'shop' | 'shop-admin' | 'production';

/** The shop's limits (deadline, status, tracers in use) hold for shop members and shop admins alike. */
const forTheShop = (actingAs: ActingAs) => actingAs !== 'production';

/** Legacy `t_orders.anvendelse`: Human, Dyr (animal), Andet (other). */
export const injectionUsages = ['human', 'animal', 'other'] as const;
export type InjectionUsage = (typeof injectionUsages)[number];

export interface OrderedBy {
  userId: string;
  /** Login name: legacy `userName`. */
  username: string;
  printedName: string;
}

export interface ReleasedBy extends OrderedBy {
  /** Legacy `frigivet_af` (`Users.Id`). */
  legacyUserId: number | null;
}

/** Where an activity order is delivered from: its ordered slot, or the slot it was moved to. */
export interface SlotPlacement {
  slotId: string;
  productionRunId: string;
  deliveryTime: ClockTime;
  /** Legacy `run`: the run's number within its weekday. */
  runNumber: number;
  /** Legacy `deliverTimes.DTID` of the slot. */
  slotLegacyId: number | null;
}

interface OrderBase {
  orderId: string;
  /** Legacy `orders.OID` or `t_orders.OID`, allocated before the append. */
  legacyOid: number;
  customerId: string;
  /** Legacy `Users.Id` of the customer (`BID`). */
  customerLegacyId: number | null;
  tracerId: string;
  /** Legacy `Tracers.id`. */
  tracerLegacyId: number | null;
  comment: string | null;
  orderedBy: OrderedBy;
  status: OrderStatus;
}

export interface ActivityOrder extends OrderBase, SlotPlacement {
  kind: 'activity';
  /** MBq at the ordered slot's delivery time, without overhead. */
  activityMBq: number;
  /** Effective at placement: the catalogue page's override, else the customer's percent. */
  overheadPercent: number;
  halfLifeSeconds: number;
  /** Set while the order is delivered from an earlier slot. */
  movedTo: (SlotPlacement & { decayFactor: number }) | null;
  releaseId: string | null;
  bookingIds: string[];
}

export interface InjectionOrder extends OrderBase {
  kind: 'injection';
  deliveryTime: ClockTime;
  injections: number;
  usage: InjectionUsage;
  releaseId: string | null;
  /** Worklist bookings this order was made for (mass order). */
  bookingIds: string[];
}

export type Order = ActivityOrder | InjectionOrder;

export interface GhostOrder extends SlotPlacement {
  ghostId: string;
  legacyOid: number;
  customerId: string;
  customerLegacyId: number | null;
  tracerId: string;
  tracerLegacyId: number | null;
}

export interface ReleasedVial {
  vialId: string;
  lot: string;
  fillDate: CalendarDate;
  fillTime: string;
  activityMBq: number;
  volumeMl: number;
  dispenserNumber: number;
  legacyValId: number;
  /** Legacy extra-vial row (`orders.OID`) for every vial after the first; null for the first. */
  extraRowLegacyOid: number | null;
}

export interface Release {
  releaseId: string;
  kind: 'activity' | 'injection';
  slotId: string | null;
  orderIds: string[];
  ghostId: string | null;
  vials: ReleasedVial[];
  lot: string | null;
  releasedBy: ReleasedBy;
  /** Injection releases: the largest volume one injection may take, as released; null when not given. */
  maxInjectionVolumeMl: number | null;
  status: 'released' | 'corrected';
}

export interface DeliveryDayState {
  endpointId: string | null;
  date: CalendarDate | null;
  orders: Record<string, Order>;
  /** Active ghost orders by slot id. */
  ghosts: Record<string, GhostOrder>;
  releases: Record<string, Release>;
}

// Commands

interface DayCommand {
  endpointId: string;
  date: CalendarDate;
  at: IsoInstant;
}

/** The moment of the command in local business time and the deadline that applies. */
export interface DeadlineCheck {
  now: LocalMoment;
  deadline: OrderingDeadline;
}

export interface ActivityOrderRefs {
  slot: DeliveryTimeSlotState & { legacyId?: number };
  productionRun: ProductionRunState;
  tracer: TracerState & { legacyId?: number };
  isotope: IsotopeState;
  endpoint: DeliveryEndpointState;
  customer: CustomerState & { legacyId?: number };
  permission: TracerPermissionState;
  closedDays: ClosedDays;
}

export interface PlaceActivityOrder extends DayCommand, DeadlineCheck {
  type: 'PlaceActivityOrder';
  orderId: string;
  legacyOid: number;
  slotId: string;
  activityMBq: number;
  comment: string | null;
  orderedBy: OrderedBy;
  actingAs: ActingAs;
  /** Production may order after the deadline, with a reason. */
  deadlineOverrideReason: string | null;
  bookingIds: string[];
  /** A ghost of the slot that the new order makes superfluous is dissolved. */
  refs: ActivityOrderRefs;
}

export interface InjectionOrderRefs {
  tracer: TracerState & { legacyId?: number };
  endpoint: DeliveryEndpointState;
  customer: CustomerState & { legacyId?: number };
  permission: TracerPermissionState;
  closedDays: ClosedDays;
}

export interface PlaceInjectionOrder extends DayCommand, DeadlineCheck {
  type: 'PlaceInjectionOrder';
  orderId: string;
  legacyOid: number;
  tracerId: string;
  deliveryTime: ClockTime;
  injections: number;
  usage: InjectionUsage;
  comment: string | null;
  orderedBy: OrderedBy;
  actingAs: ActingAs;
  deadlineOverrideReason: string | null;
  bookingIds: string[];
  refs: InjectionOrderRefs;
}

export interface AcceptOrder extends DayCommand {
  type: 'AcceptOrder';
  orderId: string;
}

export interface RejectOrder extends DayCommand {
  type: 'RejectOrder';
  orderId: string;
  reason: string;
  /** A rejected host leaves its moved-in orders to a ghost. */
  ghostLegacyOid: number;
}

export interface CancelOrder extends DayCommand, DeadlineCheck {
  type: 'CancelOrder';
  orderId: string;
  reason: string;
  actingAs: ActingAs;
  ghostLegacyOid: number;
}

/** A slot and its run as the catalogue holds them now (the handler loads them). */
export interface SlotRefs {
  slot: DeliveryTimeSlotState & { legacyId?: number };
  productionRun: ProductionRunState;
}

/** The order in force a booking's own record names (the bookings context keeps it on the booking's stream). */
export interface BookingOrderInForce {
  accessionNumber: string;
  orderId: string;
  endpointId: string;
  date: CalendarDate;
}

export interface ReinstateOrder extends DayCommand {
  type: 'ReinstateOrder';
  orderId: string;
  reason: string;
  ghostLegacyOid: number;
  /**
   * Loaded by the handler: the closed days, and for an activity order the slot it returns to (the
   * moved-to slot, else the ordered one) as it is now, with its current maximum. `bookingOrders`:
   * for each of the order's bookings whose own record names an order in force, that order (on any
   * day); a booking ordered again meanwhile names another one.
   */
  refs: { closedDays: ClosedDays; activeSlot: SlotRefs | null; bookingOrders: readonly BookingOrderInForce[] };
}

export interface ChangeActivityOrder extends DayCommand, DeadlineCheck {
  type: 'ChangeActivityOrder';
  orderId: string;
  activityMBq?: number;
  comment?: string | null;
  actingAs: ActingAs;
  /** The slot's current maximum. */
  maxActivityMBq: number | null;
  /** Production changing the order after the deadline says why (it goes in the envelope too). */
  deadlineOverrideReason: string | null;
}

export interface ChangeInjectionOrder extends DayCommand, DeadlineCheck {
  type: 'ChangeInjectionOrder';
  orderId: string;
  changes: Partial<Pick<InjectionOrder, 'injections' | 'usage' | 'deliveryTime' | 'comment'>>;
  actingAs: ActingAs;
  maxInjections: number | null;
  /** Production changing the order after the deadline says why (it goes in the envelope too). */
  deadlineOverrideReason: string | null;
}

export interface MoveOrderToSlot extends DayCommand {
  type: 'MoveOrderToSlot';
  orderId: string;
  targetSlotId: string;
  reason: string;
  ghostLegacyOid: number;
  /**
   * A move can need two ghosts: at the target (it has no order of its own) and at the order's own
   * slot (the order hosted others there). Each takes its own legacy id; an unused one is a gap.
   */
  secondGhostLegacyOid: number;
  /** The business time zone the slot times are wall-clock times of: decay counts real seconds. */
  timeZone: string;
  /**
   * Both slots as they are now: a slot rescheduled since the order was placed is compared and
   * decayed at its current time, not at the one the order recorded.
   */
  refs: {
    targetSlot: DeliveryTimeSlotState & { legacyId?: number };
    targetRun: ProductionRunState;
    orderedSlot: DeliveryTimeSlotState & { legacyId?: number };
    orderedRun: ProductionRunState;
    closedDays: ClosedDays;
    /**
     * The isotope of the order's tracer as the catalogue holds it now: the move decays with its
     * current half-life (a corrected one too), not the one the order froze at placing. Absent
     * (or not given, as by commands recorded before this rule) when the catalogue holds none: the
     * order's own then counts.
     */
    isotope?: IsotopeState;
  };
}

export interface RestoreOrder extends DayCommand {
  type: 'RestoreOrder';
  orderId: string;
  reason: string;
  ghostLegacyOid: number;
  /** The order's ordered slot as it is now, and the closed days: it must still deliver there. */
  refs: SlotRefs & { closedDays: ClosedDays };
}

export interface ReleaseSlot extends DayCommand {
  type: 'ReleaseSlot';
  releaseId: string;
  slotId: string;
  orderIds: string[];
  /** Vial states in the order given: the first is the host's vial. */
  vials: { vialId: string; state: VialState; extraRowLegacyOid: number }[];
  releasedBy: ReleasedBy;
  signatureMeaning: SignatureMeaning | null;
  /** Tracers the signer holds a release right for that is valid on the delivery date. */
  releaseRightTracerIds: string[];
  /**
   * The server's local date: releasing another day's delivery needs an explicit confirmation, and
   * so does a vial filled (or of a lot dated) on another day than the delivery.
   */
  today: CalendarDate;
  confirmOtherDate: boolean;
  refs: { tracer: TracerState; customer: CustomerState };
}

export interface ReleaseInjectionOrders extends DayCommand {
  type: 'ReleaseInjectionOrders';
  releaseId: string;
  orderIds: string[];
  lot: string;
  /** The largest volume one injection may take from the batch, typed in at release; null when not given. */
  maxInjectionVolumeMl?: number | null;
  releasedBy: ReleasedBy;
  signatureMeaning: SignatureMeaning | null;
  releaseRightTracerIds: string[];
  refs: { tracer: TracerState };
}

export interface CorrectRelease extends DayCommand {
  type: 'CorrectRelease';
  releaseId: string;
  reason: string;
  signatureMeaning: SignatureMeaning | null;
}

export type DeliveryDayCommand =
  | PlaceActivityOrder
  | PlaceInjectionOrder
  | AcceptOrder
  | RejectOrder
  | CancelOrder
  | ReinstateOrder
  | ChangeActivityOrder
  | ChangeInjectionOrder
  | MoveOrderToSlot
  | RestoreOrder
  | ReleaseSlot
  | ReleaseInjectionOrders
  | CorrectRelease;

// Events

type Change<T> = { from: T; to: T };

export interface OrderPlacedData {
  endpointId: string;
  date: CalendarDate;
  order: Omit<ActivityOrder, 'status' | 'movedTo' | 'releaseId'> | Omit<InjectionOrder, 'status' | 'releaseId'>;
  deadlineOverrideReason: string | null;
}
export type OrderPlaced = DomainEvent<'OrderPlaced', OrderPlacedData>;
export type OrderAccepted = DomainEvent<'OrderAccepted', { orderId: string }>;
export type OrderRejected = DomainEvent<
  'OrderRejected',
  { orderId: string; previousStatus: OrderStatus; reason: string }
>;
export type OrderCancelled = DomainEvent<
  'OrderCancelled',
  { orderId: string; previousStatus: OrderStatus; reason: string; actingAs: ActingAs }
>;
export type OrderReinstated = DomainEvent<
  'OrderReinstated',
  { orderId: string; previousStatus: OrderStatus; reason: string }
>;
export type OrderActivityChanged = DomainEvent<
  'OrderActivityChanged',
  { orderId: string; activityMBq?: Change<number>; comment?: Change<string | null> }
>;
export type InjectionOrderChanged = DomainEvent<
  'InjectionOrderChanged',
  {
    orderId: string;
    changes: {
      injections?: Change<number>;
      usage?: Change<InjectionUsage>;
      deliveryTime?: Change<ClockTime>;
      comment?: Change<string | null>;
    };
  }
>;
export type OrderMovedToSlot = DomainEvent<
  'OrderMovedToSlot',
  {
    orderId: string;
    from: SlotPlacement;
    to: SlotPlacement;
    reason: string;
    /** exp(ln2 · (ordered slot time − target time) / T½). */
    decayFactor: number;
    /** Ordered activity decay-corrected to the target slot, without and with overhead. */
    activityAtTargetMBq: number;
    activityAtTargetWithOverheadMBq: number;
  }
>;
export type OrderRestoredToSlot = DomainEvent<
  'OrderRestoredToSlot',
  { orderId: string; from: SlotPlacement; to: SlotPlacement; reason: string }
>;
export type GhostOrderCreated = DomainEvent<'GhostOrderCreated', GhostOrder & { hostedOrderIds: string[] }>;
export type GhostOrderDissolved = DomainEvent<
  'GhostOrderDissolved',
  { ghostId: string; slotId: string; legacyOid: number; because: 'hosts_nothing' | 'slot_has_own_order' }
>;
/** A dissolved ghost holds neither ordered nor delivered activity: it stays on the board as dead. */
export type DeadOrderFlagged = DomainEvent<
  'DeadOrderFlagged',
  { orderId: string; slotId: string; legacyOid: number; kind: 'ghost' }
>;
export type ActivityReleased = DomainEvent<
  'ActivityReleased',
  {
    releaseId: string;
    slotId: string;
    tracerId: string;
    orderIds: string[];
    /** The ghost that hosts the slot's moved-in orders, when it has no order of its own. */
    ghostId: string | null;
    vials: ReleasedVial[];
    deliveredActivityMBq: number;
    releasedBy: ReleasedBy;
  }
>;
export type InjectionOrdersReleased = DomainEvent<
  'InjectionOrdersReleased',
  {
    releaseId: string;
    tracerId: string;
    orderIds: string[];
    lot: string;
    releasedBy: ReleasedBy;
    /** Addition to the contract (absent from earlier events): the maximum injection volume typed in. */
    maxInjectionVolumeMl?: number | null;
  }
>;
/**
 * Old and new values of everything the correction withdraws. `releasedBy`, and an injection
 * release's `maxInjectionVolumeMl`, are additions to the contract: absent from earlier events.
 */
export type ReleasedOrderCorrected = DomainEvent<
  'ReleasedOrderCorrected',
  {
    releaseId: string;
    orderIds: string[];
    reason: string;
    old: {
      status: 'released';
      vials: ReleasedVial[];
      lot: string | null;
      releasedBy?: ReleasedBy;
      maxInjectionVolumeMl?: number | null;
    };
    new: { status: 'accepted'; vials: []; lot: null; releasedBy?: null; maxInjectionVolumeMl?: null };
  }
>;

export type DeliveryDayEvent =
  | OrderPlaced
  | OrderAccepted
  | OrderRejected
  | OrderCancelled
  | OrderReinstated
  | OrderActivityChanged
  | InjectionOrderChanged
  | OrderMovedToSlot
  | OrderRestoredToSlot
  | GhostOrderCreated
  | GhostOrderDissolved
  | DeadOrderFlagged
  | ActivityReleased
  | InjectionOrdersReleased
  | ReleasedOrderCorrected;

// Rules

const isWithdrawn = (order: Order) => order.status === 'rejected' || order.status === 'cancelled';
const activeSlotOf = (order: ActivityOrder) => order.movedTo?.slotId ?? order.slotId;

function requireOrder(state: DeliveryDayState, orderId: string): Order {
  const order = state.orders[orderId];
  if (!order) throw notFound('ORDER_NOT_FOUND', `No order ${orderId} on this delivery day`, { orderId });
  return order;
}

function requireActivityOrder(state: DeliveryDayState, orderId: string): ActivityOrder {
  const order = requireOrder(state, orderId);
  if (order.kind !== 'activity') {
    throw ruleViolated('NOT_AN_ACTIVITY_ORDER', `Order ${orderId} is an injection order`, { orderId });
  }
  return order;
}

function wrongStatus(order: Order, action: string, allowed: OrderStatus[]) {
  const code = order.status === 'released' ? 'ORDER_RELEASED' : 'ORDER_STATUS_FORBIDS';
  return conflict(code, `An order that is ${order.status} cannot be ${action}`, {
    orderId: order.orderId,
    status: order.status,
    allowedStatuses: allowed,
  });
}

function requireStatus(order: Order, action: string, allowed: OrderStatus[]) {
  if (!allowed.includes(order.status)) throw wrongStatus(order, action, allowed);
}

function requireDay(command: DayCommand) {
  requireId(command.endpointId, 'endpointId');
  requireCalendarDate(command.date, 'date');
  requireInstant(command.at);
}

function requireDeadline(command: DeadlineCheck & { date: CalendarDate }, actingAs: ActingAs, override: string | null) {
  if (!deadlinePassed(command.date, command.deadline, command.now)) return;
  if (actingAs === 'production' && override !== null) {
    requireReason(override);
    return;
  }
  throw ruleViolated('ORDER_DEADLINE_PASSED', `The ordering deadline for ${command.date} has passed`, {
    date: command.date,
    deadline: command.deadline,
    now: command.now,
    overridable: actingAs === 'production',
  });
}

/** Release rights are checked here too, for every release path (the old activity release skipped it). */
function requireReleaseRight(tracerIds: string[], tracerId: string) {
  if (!tracerIds.includes(tracerId)) {
    throw ruleViolated('NO_RELEASE_RIGHT', 'The signer holds no valid release right for this tracer', { tracerId });
  }
}

function requireSignature(meaning: SignatureMeaning | null, expected: SignatureMeaning) {
  if (meaning !== expected) {
    throw ruleViolated('SIGNATURE_REQUIRED', `This needs an electronic signature meaning "${expected}"`, {
      expected,
      given: meaning,
    });
  }
}

function requireActivity(activityMBq: unknown): number {
  if (typeof activityMBq !== 'number' || !Number.isFinite(activityMBq) || activityMBq <= 0 || activityMBq > 1_000_000) {
    throw ruleViolated('INVALID_ACTIVITY', 'activityMBq must be a positive number of MBq (at most 1,000,000)', {
      field: 'activityMBq',
      value: activityMBq,
    });
  }
  return activityMBq;
}

function optionalComment(comment: unknown): string | null {
  if (comment === null || comment === undefined || comment === '') return null;
  if (typeof comment !== 'string' || comment.length > 8000) {
    throw ruleViolated('INVALID_COMMENT', 'comment must be text of at most 8000 characters', { field: 'comment' });
  }
  return comment;
}

/**
 * A booking is ordered once: a new order may not name a booking an order of the day in force
 * already names (two mass orders racing, or one run again with other bookings selected). Checked
 * here, atomically with the append; the booking's own stream is marked only afterwards.
 */
function requireBookingsNotOrdered(state: DeliveryDayState, bookingIds: readonly string[]): void {
  if (bookingIds.length === 0) return;
  const wanted = new Set(bookingIds);
  for (const order of Object.values(state.orders)) {
    if (isWithdrawn(order)) continue;
    const accessionNumber = order.bookingIds.find((id) => wanted.has(id));
    if (accessionNumber !== undefined) {
      throw conflict('BOOKING_ALREADY_ORDERED', `Booking ${accessionNumber} is already ordered`, {
        accessionNumber,
        orderId: order.orderId,
      });
    }
  }
}

/** An order's bookings whose own records name another order in force: reinstating would order them twice. */
function requireBookingsNotOrderedElsewhere(order: Order, bookingOrders: readonly BookingOrderInForce[]): void {
  const wanted = new Set(order.bookingIds);
  const other = bookingOrders.find(
    (booking) => wanted.has(booking.accessionNumber) && booking.orderId !== order.orderId,
  );
  if (other === undefined) return;
  throw conflict(
    'BOOKING_ALREADY_ORDERED',
    `Booking ${other.accessionNumber} is ordered again by ${other.orderId} of ${other.date}; withdraw that order first`,
    {
      accessionNumber: other.accessionNumber,
      orderId: other.orderId,
      orderEndpointId: other.endpointId,
      orderDate: other.date,
    },
  );
}

/** Own, not withdrawn, activity orders of a slot: what the slot delivers besides moved-in orders. */
const ownOrdersOf = (state: DeliveryDayState, slotId: string) =>
  Object.values(state.orders).filter(
    (order): order is ActivityOrder =>
      order.kind === 'activity' && order.slotId === slotId && order.movedTo === null && !isWithdrawn(order),
  );

const hostedOrdersOf = (state: DeliveryDayState, slotId: string) =>
  Object.values(state.orders).filter(
    (order): order is ActivityOrder =>
      order.kind === 'activity' && order.movedTo?.slotId === slotId && !isWithdrawn(order),
  );

function requireSlotMax(
  state: DeliveryDayState,
  slotId: string,
  maxActivityMBq: number | null,
  extra: number,
  except?: string,
) {
  if (maxActivityMBq === null) return;
  const total = ownOrdersOf(state, slotId)
    .filter((order) => order.orderId !== except)
    .reduce((sum, order) => sum + order.activityMBq, extra);
  if (total > maxActivityMBq) {
    throw ruleViolated('SLOT_MAX_ACTIVITY_EXCEEDED', `The slot delivers at most ${maxActivityMBq} MBq`, {
      slotId,
      maxActivityMBq,
      orderedMBq: total,
    });
  }
}

function requireSameDay(state: DeliveryDayState, command: DayCommand) {
  if (state.endpointId !== null && (state.endpointId !== command.endpointId || state.date !== command.date)) {
    throw new Error(`Command for ${command.endpointId}/${command.date} reached the stream of another day`);
  }
}

/** The same ids, in any order: a repeated command names what the first one named. */
const sameMembers = (recorded: readonly string[], given: readonly string[]) =>
  recorded.length === given.length && given.every((id) => recorded.includes(id));

/**
 * A slot's delivery of the day, once released, takes no more orders (placed, moved or restored
 * into it, or reinstated there): they would join a shipment already certified, and a ghost that
 * hosts the release would be dissolved under it. Correcting the release opens the slot again.
 */
function requireSlotNotReleased(state: DeliveryDayState, slotId: string) {
  const release = Object.values(state.releases).find(
    (candidate) => candidate.kind === 'activity' && candidate.slotId === slotId && candidate.status === 'released',
  );
  if (release) {
    throw conflict(
      'SLOT_RELEASED',
      `The delivery from slot ${slotId} on ${state.date} is released; correct the release first, or use another slot`,
      { slotId, releaseId: release.releaseId },
    );
  }
}

/**
 * After any change: a slot whose delivery holds moved-in orders but no order of its own has a
 * ghost order as host; a ghost whose reason to exist is gone is dissolved and stays on the
 * record as a dead order. A new ghost stands at its slot's current placement when the command
 * loaded it (`currentPlacements`), else where its first hosted order was moved to.
 */
function ghostEvents(
  before: DeliveryDayState,
  events: DeliveryDayEvent[],
  ghostLegacyOids: readonly number[],
  currentPlacements: readonly SlotPlacement[] = [],
): DeliveryDayEvent[] {
  const after = events.reduce(evolve, before);
  const slots = new Set<string>();
  for (const order of Object.values(after.orders)) {
    if (order.kind !== 'activity') continue;
    slots.add(order.slotId);
    if (order.movedTo) slots.add(order.movedTo.slotId);
  }
  for (const slotId of Object.keys(after.ghosts)) slots.add(slotId);
  const extra: DeliveryDayEvent[] = [];
  // Each ghost is a row of its own in the old system's `orders`: one legacy id each.
  const unusedLegacyOids = [...ghostLegacyOids];
  for (const slotId of [...slots].sort()) {
    const hosted = hostedOrdersOf(after, slotId);
    const own = ownOrdersOf(after, slotId);
    const ghost = after.ghosts[slotId];
    if (hosted.length > 0 && own.length === 0 && !ghost) {
      const ghostLegacyOid = unusedLegacyOids.shift();
      if (ghostLegacyOid === undefined) {
        throw new Error('A ghost order is needed but the command carries no legacy id left for it');
      }
      const first = hosted[0] as ActivityOrder;
      const placement =
        currentPlacements.find((current) => current.slotId === slotId) ?? (first.movedTo as SlotPlacement);
      extra.push({
        type: 'GhostOrderCreated',
        data: {
          ghostId: `ghost:${slotId}:${ghostLegacyOid}`,
          legacyOid: ghostLegacyOid,
          slotId,
          productionRunId: placement.productionRunId,
          deliveryTime: placement.deliveryTime,
          runNumber: placement.runNumber,
          slotLegacyId: placement.slotLegacyId,
          customerId: first.customerId,
          customerLegacyId: first.customerLegacyId,
          tracerId: first.tracerId,
          tracerLegacyId: first.tracerLegacyId,
          hostedOrderIds: hosted.map((order) => order.orderId),
        },
      });
    } else if (ghost && (hosted.length === 0 || own.length > 0)) {
      const because = hosted.length === 0 ? 'hosts_nothing' : 'slot_has_own_order';
      extra.push(
        { type: 'GhostOrderDissolved', data: { ghostId: ghost.ghostId, slotId, legacyOid: ghost.legacyOid, because } },
        {
          type: 'DeadOrderFlagged',
          data: { orderId: ghost.ghostId, slotId, legacyOid: ghost.legacyOid, kind: 'ghost' },
        },
      );
    }
  }
  return [...events, ...extra];
}

function placementOfSlot(slot: DeliveryTimeSlotState & { legacyId?: number }, run: ProductionRunState): SlotPlacement {
  if (slot.status === 'absent' || run.status === 'absent') throw new Error('placementOfSlot needs present states');
  return {
    slotId: slot.id,
    productionRunId: run.id,
    deliveryTime: slot.deliveryTime,
    runNumber: run.runNumber,
    slotLegacyId: slot.legacyId ?? null,
  };
}

function requireDeliveringSlot(
  slot: DeliveryTimeSlotState,
  run: ProductionRunState,
  slotId: string,
  endpointId: string,
  date: CalendarDate,
  closedDays: ClosedDays,
) {
  if (slot.status === 'absent' || slot.id !== slotId) {
    throw notFound('DELIVERY_TIME_SLOT_NOT_FOUND', `The delivery time slot ${slotId} does not exist`, { slotId });
  }
  if (slot.endpointId !== endpointId) {
    throw ruleViolated('SLOT_OF_ANOTHER_ENDPOINT', `Slot ${slotId} delivers to another endpoint`, {
      slotId,
      endpointId,
    });
  }
  if (run.status !== 'active' || run.id !== slot.productionRunId) {
    throw ruleViolated('PRODUCTION_RUN_ARCHIVED', `The production run of slot ${slotId} is not active`, { slotId });
  }
  const closedDates = new Set(closedDays.dates);
  if (closedDates.has(date) || isWeeklyCloseDay(closedDays.weeklyCloseDays, isoWeekdayOf(date))) {
    throw ruleViolated('DATE_CLOSED', `Nothing is delivered on ${date}`, { date });
  }
  if (!slotDeliversOn(slot, run.weekday, date, closedDays)) {
    throw ruleViolated('SLOT_DOES_NOT_DELIVER', `Slot ${slotId} does not deliver on ${date}`, {
      slotId,
      date,
      weekday: run.weekday,
      dateWeekday: isoWeekdayOf(date),
      repeat: slot.repeat,
      expiryDate: slot.expiryDate,
      status: slot.status,
    });
  }
}

function requireOrderingParties(
  refs: {
    endpoint: DeliveryEndpointState;
    customer: CustomerState;
    permission: TracerPermissionState;
    tracer: TracerState;
  },
  endpointId: string,
  tracerId: string,
  actingAs: ActingAs,
) {
  const { endpoint, customer, permission, tracer } = refs;
  if (endpoint.status === 'absent' || endpoint.id !== endpointId) {
    throw notFound('DELIVERY_ENDPOINT_NOT_FOUND', `The delivery endpoint ${endpointId} does not exist`, { endpointId });
  }
  if (endpoint.status !== 'active') {
    throw ruleViolated('DELIVERY_ENDPOINT_ARCHIVED', `The delivery endpoint ${endpointId} is archived`, { endpointId });
  }
  if (customer.status !== 'active' || customer.id !== endpoint.customerId) {
    throw ruleViolated('CUSTOMER_ARCHIVED', `The customer of endpoint ${endpointId} is not active`, { endpointId });
  }
  if (tracer.status === 'absent' || tracer.id !== tracerId) {
    throw notFound('TRACER_NOT_FOUND', `The tracer ${tracerId} does not exist`, { tracerId });
  }
  if (tracer.status !== 'active' || (forTheShop(actingAs) && !tracer.inUse)) {
    throw ruleViolated('TRACER_NOT_ORDERABLE', `The tracer ${tracer.shortName} is not offered`, { tracerId });
  }
  if (permission.status !== 'active' || permission.endpointId !== endpointId || permission.tracerId !== tracerId) {
    throw ruleViolated('TRACER_NOT_PERMITTED', `Endpoint ${endpointId} may not order ${tracer.shortName}`, {
      endpointId,
      tracerId,
    });
  }
  return { customer, tracer, permission };
}

function placeActivityOrder(command: PlaceActivityOrder, state: DeliveryDayState): DeliveryDayEvent[] {
  const { refs } = command;
  const orderId = requireId(command.orderId, 'orderId');
  const existing = state.orders[orderId];
  if (existing) {
    if (
      existing.kind === 'activity' &&
      existing.slotId === command.slotId &&
      existing.activityMBq === command.activityMBq
    ) {
      return [];
    }
    throw conflict('ORDER_EXISTS', `Order ${orderId} exists with other values`, { orderId });
  }
  if (refs.slot.status === 'absent') {
    throw notFound('DELIVERY_TIME_SLOT_NOT_FOUND', `The delivery time slot ${command.slotId} does not exist`, {
      slotId: command.slotId,
    });
  }
  const run = refs.productionRun;
  if (run.status === 'absent') throw new Error('The slot refers to a production run that does not exist');
  const { customer, tracer, permission } = requireOrderingParties(
    refs,
    command.endpointId,
    run.tracerId,
    command.actingAs,
  );
  if (tracer.kind !== 'activity') {
    throw ruleViolated('NOT_AN_ACTIVITY_TRACER', `${tracer.shortName} is ordered as injections`, {
      tracerId: tracer.id,
    });
  }
  requireDeliveringSlot(refs.slot, run, command.slotId, command.endpointId, command.date, refs.closedDays);
  requireSlotNotReleased(state, command.slotId);
  requireBookingsNotOrdered(state, command.bookingIds);
  const activityMBq = requireActivity(command.activityMBq);
  requireSlotMax(state, command.slotId, refs.slot.maxActivityMBq, activityMBq);
  requireDeadline(command, command.actingAs, command.deadlineOverrideReason);
  if (refs.isotope.status === 'absent' || refs.isotope.id !== tracer.isotopeId) {
    throw new Error('The handler loaded the wrong isotope');
  }
  const order: OrderPlacedData['order'] = {
    kind: 'activity',
    orderId,
    legacyOid: command.legacyOid,
    customerId: customer.id,
    customerLegacyId: refs.customer.legacyId ?? null,
    tracerId: tracer.id,
    tracerLegacyId: refs.tracer.legacyId ?? null,
    comment: optionalComment(command.comment),
    orderedBy: command.orderedBy,
    ...placementOfSlot(refs.slot, run),
    activityMBq,
    overheadPercent: permission.overheadPercent ?? customer.overheadPercent,
    halfLifeSeconds: refs.isotope.halfLifeSeconds,
    bookingIds: command.bookingIds,
  };
  const placed: OrderPlaced = {
    type: 'OrderPlaced',
    data: {
      endpointId: command.endpointId,
      date: command.date,
      order,
      deadlineOverrideReason: deadlinePassed(command.date, command.deadline, command.now)
        ? command.deadlineOverrideReason
        : null,
    },
  };
  return ghostEvents(state, [placed], []);
}

function placeInjectionOrder(command: PlaceInjectionOrder, state: DeliveryDayState): DeliveryDayEvent[] {
  const { refs } = command;
  const orderId = requireId(command.orderId, 'orderId');
  const existing = state.orders[orderId];
  if (existing) {
    // A retried request: the same order again. Anything else under its id is another order.
    const repeated =
      existing.kind === 'injection' &&
      existing.tracerId === command.tracerId &&
      existing.injections === command.injections &&
      existing.usage === command.usage &&
      existing.deliveryTime === command.deliveryTime;
    if (repeated) return [];
    throw conflict('ORDER_EXISTS', `Order ${orderId} exists with other values`, { orderId });
  }
  const { customer, tracer, permission } = requireOrderingParties(
    refs,
    command.endpointId,
    command.tracerId,
    command.actingAs,
  );
  if (tracer.kind !== 'injection') {
    throw ruleViolated('NOT_AN_INJECTION_TRACER', `${tracer.shortName} is ordered in MBq per slot`, {
      tracerId: tracer.id,
    });
  }
  if (new Set(refs.closedDays.dates).has(command.date)) {
    throw ruleViolated('DATE_CLOSED', `Nothing is delivered on ${command.date}`, { date: command.date });
  }
  if (isWeeklyCloseDay(refs.closedDays.weeklyCloseDays, isoWeekdayOf(command.date))) {
    throw ruleViolated('DATE_CLOSED', `Nothing is delivered on ${command.date}'s weekday`, { date: command.date });
  }
  const injections = requireInjections(command.injections, permission.maxInjections);
  if (!injectionUsages.includes(command.usage)) {
    throw ruleViolated('INVALID_USAGE', `usage must be one of ${injectionUsages.join(', ')}`, { field: 'usage' });
  }
  requireDeadline(command, command.actingAs, command.deadlineOverrideReason);
  requireBookingsNotOrdered(state, command.bookingIds);
  const order: OrderPlacedData['order'] = {
    kind: 'injection',
    orderId,
    legacyOid: command.legacyOid,
    customerId: customer.id,
    customerLegacyId: refs.customer.legacyId ?? null,
    tracerId: tracer.id,
    tracerLegacyId: refs.tracer.legacyId ?? null,
    comment: optionalComment(command.comment),
    orderedBy: command.orderedBy,
    deliveryTime: requireClockTime(command.deliveryTime, 'deliveryTime'),
    injections,
    usage: command.usage,
    bookingIds: command.bookingIds,
  };
  return [
    {
      type: 'OrderPlaced',
      data: {
        endpointId: command.endpointId,
        date: command.date,
        order,
        deadlineOverrideReason: deadlinePassed(command.date, command.deadline, command.now)
          ? command.deadlineOverrideReason
          : null,
      },
    },
  ];
}

function requireInjections(value: unknown, max: number | null): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 127) {
    throw ruleViolated('INVALID_INJECTIONS', 'injections must be a whole number from 1 to 127', {
      field: 'injections',
      value,
    });
  }
  if (max !== null && value > max) {
    throw ruleViolated('MAX_INJECTIONS_EXCEEDED', `At most ${max} injections may be ordered`, { maxInjections: max });
  }
  return value;
}

function moveOrder(command: MoveOrderToSlot, state: DeliveryDayState): DeliveryDayEvent[] {
  const order = requireActivityOrder(state, command.orderId);
  const reason = requireReason(command.reason);
  const { targetSlot, targetRun, orderedSlot, orderedRun, closedDays } = command.refs;
  if (command.targetSlotId === order.slotId) {
    return restoreOrder(
      { ...command, type: 'RestoreOrder', refs: { slot: targetSlot, productionRun: targetRun, closedDays } },
      state,
    );
  }
  requireStatus(order, 'moved', ['ordered', 'accepted']);
  if (activeSlotOf(order) === command.targetSlotId) return [];
  requireSlotNotReleased(state, command.targetSlotId);
  requireDeliveringSlot(targetSlot, targetRun, command.targetSlotId, command.endpointId, command.date, closedDays);
  if (targetRun.status === 'absent' || targetSlot.status === 'absent') throw new Error('unreachable');
  if (targetRun.tracerId !== order.tracerId) {
    throw ruleViolated('MOVE_TO_ANOTHER_TRACER', 'The target slot is served by a run of another tracer', {
      orderId: order.orderId,
      targetSlotId: command.targetSlotId,
    });
  }
  // The ordered slot as it is now (it may have been rescheduled, or archived: that is why its
  // orders move); its delivery time is what the customer's activity is ordered for. A slot the
  // catalogue does not hold (an order carried over without it) counts as the order recorded it.
  const ordered =
    orderedSlot.status === 'absent' ? pickPlacement(order) : currentPlacementOf(orderedSlot, orderedRun, order.slotId);
  if (targetSlot.deliveryTime > ordered.deliveryTime) {
    throw ruleViolated('MOVE_TO_LATER_SLOT', 'An order can only be served from an earlier (or the same) delivery', {
      orderId: order.orderId,
      orderedTime: ordered.deliveryTime,
      targetTime: targetSlot.deliveryTime,
    });
  }
  const to = placementOfSlot(targetSlot, targetRun);
  const day = { date: command.date, timeZone: command.timeZone };
  // Rules: "always take the value from the isotope record", as it is now.
  const isotope = command.refs.isotope ?? { status: 'absent' };
  const halfLifeSeconds = isotope.status === 'absent' ? order.halfLifeSeconds : isotope.halfLifeSeconds;
  const factor = decayFactor(secondsBetween(to.deliveryTime, ordered.deliveryTime, day), halfLifeSeconds);
  const atTarget = order.activityMBq * factor;
  const from: SlotPlacement = order.movedTo ?? ordered;
  return ghostEvents(
    state,
    [
      {
        type: 'OrderMovedToSlot',
        data: {
          orderId: order.orderId,
          from: pickPlacement(from),
          to,
          reason,
          decayFactor: factor,
          activityAtTargetMBq: atTarget,
          activityAtTargetWithOverheadMBq: atTarget * overheadMultiplier(order.overheadPercent),
        },
      },
    ],
    [command.ghostLegacyOid, command.secondGhostLegacyOid],
    [to, ordered],
  );
}

/** A slot's placement as the handler loaded it; the handler loads the slot the order names. */
function currentPlacementOf(
  slot: DeliveryTimeSlotState & { legacyId?: number },
  run: ProductionRunState,
  slotId: string,
): SlotPlacement {
  if (slot.status === 'absent' || slot.id !== slotId || run.status === 'absent' || run.id !== slot.productionRunId) {
    throw new Error(`The handler loaded another slot than ${slotId}, or not its run`);
  }
  return placementOfSlot(slot, run);
}

const pickPlacement = (placement: SlotPlacement): SlotPlacement => ({
  slotId: placement.slotId,
  productionRunId: placement.productionRunId,
  deliveryTime: placement.deliveryTime,
  runNumber: placement.runNumber,
  slotLegacyId: placement.slotLegacyId,
});

/**
 * Back to its ordered slot: the same checks as placing or reinstating there, against the slot as
 * it is now. It must still deliver on the date, and its own orders, placed meanwhile too, stay
 * within its maximum. The order returns at the slot's current placement.
 */
function restoreOrder(command: RestoreOrder, state: DeliveryDayState): DeliveryDayEvent[] {
  const order = requireActivityOrder(state, command.orderId);
  const reason = requireReason(command.reason);
  if (order.movedTo === null) return [];
  requireStatus(order, 'moved', ['ordered', 'accepted']);
  requireSlotNotReleased(state, order.slotId);
  const { slot, productionRun, closedDays } = command.refs;
  requireDeliveringSlot(slot, productionRun, order.slotId, command.endpointId, command.date, closedDays);
  if (slot.status === 'absent') throw new Error('unreachable');
  requireSlotMax(state, order.slotId, slot.maxActivityMBq, order.activityMBq, order.orderId);
  return ghostEvents(
    state,
    [
      {
        type: 'OrderRestoredToSlot',
        data: {
          orderId: order.orderId,
          from: pickPlacement(order.movedTo),
          to: currentPlacementOf(slot, productionRun, order.slotId),
          reason,
        },
      },
    ],
    [command.ghostLegacyOid],
  );
}

function releaseSlot(command: ReleaseSlot, state: DeliveryDayState): DeliveryDayEvent[] {
  requireId(command.releaseId, 'releaseId');
  const existing = state.releases[command.releaseId];
  if (existing) {
    const repeated =
      existing.status === 'released' &&
      existing.slotId === command.slotId &&
      sameMembers(existing.orderIds, command.orderIds) &&
      sameMembers(
        existing.vials.map((vial) => vial.vialId),
        command.vials.map((vial) => vial.vialId),
      );
    if (repeated) return [];
    throw conflict('RELEASE_EXISTS', `Release ${command.releaseId} was already recorded`, {
      releaseId: command.releaseId,
    });
  }
  requireSignature(command.signatureMeaning, 'release');
  // One release per slot-day: the slot's orders share one row in the old system's tables, which
  // holds one release's lot and amounts. A second release waits for a correction of the first.
  requireSlotNotReleased(state, command.slotId);
  if (command.orderIds.length === 0) throw ruleViolated('NO_ORDERS', 'A release needs at least one order', {});
  if (command.vials.length === 0) throw ruleViolated('NO_VIALS', 'A release needs at least one vial', {});
  if (
    new Set(command.orderIds).size !== command.orderIds.length ||
    new Set(command.vials.map((v) => v.vialId)).size !== command.vials.length
  ) {
    throw ruleViolated('DUPLICATE_IN_RELEASE', 'Orders and vials may each be named once', {});
  }
  if (command.date !== command.today && !command.confirmOtherDate) {
    throw ruleViolated(
      'RELEASE_DATE_NOT_TODAY',
      `The delivery date ${command.date} is not today; confirm to release it`,
      {
        date: command.date,
        today: command.today,
      },
    );
  }
  const orders = command.orderIds.map((orderId) => requireActivityOrder(state, orderId));
  for (const order of orders) {
    requireStatus(order, 'released', ['accepted']);
    if (activeSlotOf(order) !== command.slotId) {
      throw ruleViolated('ORDER_NOT_IN_SLOT', `Order ${order.orderId} is not delivered from slot ${command.slotId}`, {
        orderId: order.orderId,
        slotId: command.slotId,
      });
    }
  }
  // The release covers the slot-day: an order left out could never be released after it.
  const named = new Set(command.orderIds);
  const leftOut = Object.values(state.orders).filter(
    (order) =>
      order.kind === 'activity' &&
      activeSlotOf(order) === command.slotId &&
      (order.status === 'ordered' || order.status === 'accepted') &&
      !named.has(order.orderId),
  );
  if (leftOut.length > 0) {
    throw ruleViolated(
      'RELEASE_LEAVES_ORDERS_OUT',
      `The release of slot ${command.slotId} on ${state.date} must name every order delivered from it; accept or reject the others first`,
      { slotId: command.slotId, orderIds: leftOut.map((order) => order.orderId) },
    );
  }
  const { tracer, customer } = command.refs;
  const tracerId = (orders[0] as ActivityOrder).tracerId;
  requireReleaseRight(command.releaseRightTracerIds, tracerId);
  if (tracer.status === 'absent' || tracer.id !== tracerId) throw new Error('The handler loaded the wrong tracer');
  if (customer.status === 'absent' || customer.id !== (orders[0] as ActivityOrder).customerId) {
    throw new Error('The handler loaded the wrong customer');
  }
  const vials: ReleasedVial[] = command.vials.map(({ vialId, state: vial, extraRowLegacyOid }, index) => {
    if (vial.status === 'absent') throw notFound('VIAL_NOT_FOUND', `No vial ${vialId} has been dispensed`, { vialId });
    refuseVoided(vial, vialId);
    if (vial.assignedTo && vial.assignedTo.releaseId !== command.releaseId) {
      throw conflict('VIAL_ALREADY_ASSIGNED', `Vial ${vialId} already belongs to another release`, {
        vialId,
        releaseId: vial.assignedTo.releaseId,
      });
    }
    if (parseLotNumber(vial.lot)?.vialTag !== tracer.vialTag) {
      throw ruleViolated(
        'VIAL_OF_ANOTHER_TRACER',
        `Lot ${vial.lot} is not a lot of ${tracer.shortName} (${tracer.vialTag})`,
        {
          vialId,
          lot: vial.lot,
          vialTag: tracer.vialTag,
        },
      );
    }
    const lotDate = lotDateOf(vial.lot);
    if (lotDate === null) {
      throw ruleViolated('INVALID_LOT_NUMBER', `Lot ${vial.lot} names no real date (${tracer.vialTag}-YYMMDD-n)`, {
        vialId,
        lot: vial.lot,
      });
    }
    // A release certifies these vials for this delivery: a vial filled, or of a lot dated, on
    // another day (a spare, or one freed by a correction) is released only when confirmed.
    if ((vial.fillDate !== command.date || lotDate !== command.date) && !command.confirmOtherDate) {
      throw ruleViolated(
        'VIAL_OF_ANOTHER_DAY',
        `Vial ${vialId} was filled on ${vial.fillDate} (lot ${vial.lot}), not on the delivery date ${command.date}; confirm to release it`,
        { vialId, lot: vial.lot, fillDate: vial.fillDate, lotDate, date: command.date },
      );
    }
    if (vial.dispenserNumber !== customer.dispenserNumber) {
      throw ruleViolated(
        'VIAL_OF_ANOTHER_CUSTOMER',
        `Vial ${vialId} was dispensed for customer number ${vial.dispenserNumber}`,
        {
          vialId,
          dispenserNumber: vial.dispenserNumber,
          expected: customer.dispenserNumber,
        },
      );
    }
    return {
      vialId,
      lot: vial.lot,
      fillDate: vial.fillDate,
      fillTime: vial.fillTime,
      activityMBq: vial.activityMBq,
      volumeMl: vial.volumeMl,
      dispenserNumber: vial.dispenserNumber,
      legacyValId: vial.legacyValId,
      extraRowLegacyOid: index === 0 ? null : extraRowLegacyOid,
    };
  });
  return [
    {
      type: 'ActivityReleased',
      data: {
        releaseId: command.releaseId,
        slotId: command.slotId,
        tracerId,
        orderIds: command.orderIds,
        ghostId: state.ghosts[command.slotId]?.ghostId ?? null,
        vials,
        deliveredActivityMBq: vials.reduce((sum, vial) => sum + vial.activityMBq, 0),
        releasedBy: command.releasedBy,
      },
    },
  ];
}

function releaseInjectionOrders(command: ReleaseInjectionOrders, state: DeliveryDayState): DeliveryDayEvent[] {
  requireId(command.releaseId, 'releaseId');
  const existing = state.releases[command.releaseId];
  if (existing) {
    const repeated =
      existing.status === 'released' &&
      existing.lot === normaliseLotNumber(command.lot) &&
      sameMembers(existing.orderIds, command.orderIds);
    if (repeated) return [];
    throw conflict('RELEASE_EXISTS', `Release ${command.releaseId} was already recorded`, {
      releaseId: command.releaseId,
    });
  }
  requireSignature(command.signatureMeaning, 'release');
  if (command.orderIds.length === 0) throw ruleViolated('NO_ORDERS', 'A release needs at least one order', {});
  if (new Set(command.orderIds).size !== command.orderIds.length) {
    throw ruleViolated('DUPLICATE_IN_RELEASE', 'Orders may each be named once', {});
  }
  const orders = command.orderIds.map((orderId) => requireOrder(state, orderId));
  const tracerId = (orders[0] as Order).tracerId;
  requireReleaseRight(command.releaseRightTracerIds, tracerId);
  for (const order of orders) {
    if (order.kind !== 'injection') {
      throw ruleViolated('NOT_AN_INJECTION_ORDER', `Order ${order.orderId} is an activity order`, {
        orderId: order.orderId,
      });
    }
    requireStatus(order, 'released', ['accepted']);
    if (order.tracerId !== tracerId) {
      throw ruleViolated('MIXED_TRACERS', 'One lot number releases orders of one tracer', { orderId: order.orderId });
    }
  }
  const { tracer } = command.refs;
  if (tracer.status === 'absent' || tracer.id !== tracerId) throw new Error('The handler loaded the wrong tracer');
  const parsed = parseLotNumber(command.lot);
  if (!parsed || parsed.vialTag !== tracer.vialTag || lotDateOf(command.lot) === null) {
    throw ruleViolated(
      'INVALID_LOT_NUMBER',
      `"${command.lot}" is not a lot of ${tracer.shortName} (${tracer.vialTag}-YYMMDD-n)`,
      {
        lot: command.lot,
        vialTag: tracer.vialTag,
      },
    );
  }
  return [
    {
      type: 'InjectionOrdersReleased',
      data: {
        releaseId: command.releaseId,
        tracerId,
        orderIds: command.orderIds,
        lot: normaliseLotNumber(command.lot),
        releasedBy: command.releasedBy,
        maxInjectionVolumeMl: optionalInjectionVolume(command.maxInjectionVolumeMl),
      },
    },
  ];
}

function optionalInjectionVolume(volumeMl: unknown): number | null {
  if (volumeMl === null || volumeMl === undefined) return null;
  if (typeof volumeMl !== 'number' || !Number.isFinite(volumeMl) || volumeMl <= 0 || volumeMl > 1_000) {
    throw ruleViolated(
      'INVALID_INJECTION_VOLUME',
      'maxInjectionVolumeMl must be a positive number of ml (at most 1,000)',
      {
        field: 'maxInjectionVolumeMl',
        value: volumeMl,
      },
    );
  }
  return volumeMl;
}

function correctRelease(command: CorrectRelease, state: DeliveryDayState): DeliveryDayEvent[] {
  const release = state.releases[command.releaseId];
  if (!release)
    throw notFound('RELEASE_NOT_FOUND', `No release ${command.releaseId} on this delivery day`, {
      releaseId: command.releaseId,
    });
  const reason = requireReason(command.reason);
  if (release.status === 'corrected') return [];
  requireSignature(command.signatureMeaning, 'correct');
  return [
    {
      type: 'ReleasedOrderCorrected',
      data: {
        releaseId: release.releaseId,
        orderIds: release.orderIds,
        reason,
        old: {
          status: 'released',
          vials: release.vials,
          lot: release.lot,
          releasedBy: release.releasedBy,
          ...(release.kind === 'injection' ? { maxInjectionVolumeMl: release.maxInjectionVolumeMl } : {}),
        },
        new: {
          status: 'accepted',
          vials: [],
          lot: null,
          releasedBy: null,
          ...(release.kind === 'injection' ? { maxInjectionVolumeMl: null } : {}),
        },
      },
    },
  ];
}

/**
 * An order made from worklist bookings (mass order) is the shop admin's to edit or withdraw, or
 * production's (rules: "Edit orders generated from bookings"); a shop member may not.
 */
function requireMayChangeBookingOrder(order: Order, actingAs: ActingAs) {
  if (actingAs !== 'shop' || order.bookingIds.length === 0) return;
  throw forbidden(
    'BOOKING_ORDER_NEEDS_SHOP_ADMIN',
    `Order ${order.orderId} was made from bookings: a shop admin of its customer changes or withdraws it`,
    { orderId: order.orderId, bookingIds: order.bookingIds },
  );
}

function changeActivityOrder(command: ChangeActivityOrder, state: DeliveryDayState): DeliveryDayEvent[] {
  const order = requireActivityOrder(state, command.orderId);
  requireStatus(order, 'changed', ['ordered']);
  requireMayChangeBookingOrder(order, command.actingAs);
  const data: OrderActivityChanged['data'] = { orderId: order.orderId };
  if (command.activityMBq !== undefined && command.activityMBq !== order.activityMBq) {
    const to = requireActivity(command.activityMBq);
    if (order.movedTo === null) requireSlotMax(state, order.slotId, command.maxActivityMBq, to, order.orderId);
    data.activityMBq = { from: order.activityMBq, to };
  }
  if (command.comment !== undefined) {
    const to = optionalComment(command.comment);
    if (to !== order.comment) data.comment = { from: order.comment, to };
  }
  if (!data.activityMBq && !data.comment) return [];
  // The shop may not change the order after the deadline; production may, saying why (a change by
  // hand to another's order).
  requireDeadline(command, command.actingAs, forTheShop(command.actingAs) ? null : command.deadlineOverrideReason);
  return [{ type: 'OrderActivityChanged', data }];
}

function changeInjectionOrder(command: ChangeInjectionOrder, state: DeliveryDayState): DeliveryDayEvent[] {
  const order = requireOrder(state, command.orderId);
  if (order.kind !== 'injection') {
    throw ruleViolated('NOT_AN_INJECTION_ORDER', `Order ${order.orderId} is an activity order`, {
      orderId: order.orderId,
    });
  }
  requireStatus(order, 'changed', ['ordered']);
  requireMayChangeBookingOrder(order, command.actingAs);
  const { changes: input } = command;
  const changes: InjectionOrderChanged['data']['changes'] = {};
  if (input.injections !== undefined && input.injections !== order.injections) {
    changes.injections = { from: order.injections, to: requireInjections(input.injections, command.maxInjections) };
  }
  if (input.usage !== undefined && input.usage !== order.usage) {
    if (!injectionUsages.includes(input.usage)) {
      throw ruleViolated('INVALID_USAGE', `usage must be one of ${injectionUsages.join(', ')}`, { field: 'usage' });
    }
    changes.usage = { from: order.usage, to: input.usage };
  }
  if (input.deliveryTime !== undefined && input.deliveryTime !== order.deliveryTime) {
    changes.deliveryTime = { from: order.deliveryTime, to: requireClockTime(input.deliveryTime, 'deliveryTime') };
  }
  if (input.comment !== undefined) {
    const to = optionalComment(input.comment);
    if (to !== order.comment) changes.comment = { from: order.comment, to };
  }
  if (Object.keys(changes).length === 0) return [];
  // The shop may not change the order after the deadline; production may, saying why (a change by
  // hand to another's order).
  requireDeadline(command, command.actingAs, forTheShop(command.actingAs) ? null : command.deadlineOverrideReason);
  return [{ type: 'InjectionOrderChanged', data: { orderId: order.orderId, changes } }];
}

/**
 * Un-cancel (4 → 2): the order returns where it was delivered from, which must still deliver on the
 * date, as when placing or moving there: a slot archived, expired or closed since takes it back no
 * more, nor does a closed date an injection order.
 */
function reinstateOrder(command: ReinstateOrder, state: DeliveryDayState): DeliveryDayEvent[] {
  const order = requireOrder(state, command.orderId);
  const reason = requireReason(command.reason);
  requireStatus(order, 'reinstated', ['rejected', 'cancelled']);
  // Its bookings may have been ordered again meanwhile: on this day (a mass order of another
  // grouping), or on another (the study rescheduled), as the bookings' own records tell.
  requireBookingsNotOrdered(state, order.bookingIds);
  requireBookingsNotOrderedElsewhere(order, command.refs.bookingOrders);
  const { closedDays, activeSlot } = command.refs;
  const currentPlacements: SlotPlacement[] = [];
  if (order.kind === 'activity') {
    const slotId = activeSlotOf(order);
    requireSlotNotReleased(state, slotId);
    if (!activeSlot) throw new Error(`The handler loaded no slot for activity order ${order.orderId}`);
    requireDeliveringSlot(
      activeSlot.slot,
      activeSlot.productionRun,
      slotId,
      command.endpointId,
      command.date,
      closedDays,
    );
    currentPlacements.push(currentPlacementOf(activeSlot.slot, activeSlot.productionRun, slotId));
    // Back among its slot's orders: they may have filled the slot meanwhile. A moved order is not
    // its ordered slot's to deliver, and counts towards it no more than when placing there.
    if (order.movedTo === null && activeSlot.slot.status !== 'absent') {
      requireSlotMax(state, order.slotId, activeSlot.slot.maxActivityMBq, order.activityMBq, order.orderId);
    }
  } else if (
    new Set(closedDays.dates).has(command.date) ||
    isWeeklyCloseDay(closedDays.weeklyCloseDays, isoWeekdayOf(command.date))
  ) {
    throw ruleViolated('DATE_CLOSED', `Nothing is delivered on ${command.date}`, { date: command.date });
  }
  return ghostEvents(
    state,
    [{ type: 'OrderReinstated', data: { orderId: order.orderId, previousStatus: order.status, reason } }],
    [command.ghostLegacyOid],
    currentPlacements,
  );
}

function decide(command: DeliveryDayCommand, state: DeliveryDayState): DeliveryDayEvent[] {
  requireDay(command);
  requireSameDay(state, command);
  switch (command.type) {
    case 'PlaceActivityOrder':
      return placeActivityOrder(command, state);
    case 'PlaceInjectionOrder':
      return placeInjectionOrder(command, state);
    case 'AcceptOrder': {
      const order = requireOrder(state, command.orderId);
      if (order.status === 'accepted') return [];
      requireStatus(order, 'accepted', ['ordered']);
      return [{ type: 'OrderAccepted', data: { orderId: order.orderId } }];
    }
    case 'RejectOrder': {
      const order = requireOrder(state, command.orderId);
      const reason = requireReason(command.reason);
      if (order.status === 'rejected') return [];
      requireStatus(order, 'rejected', ['ordered']);
      return ghostEvents(
        state,
        [{ type: 'OrderRejected', data: { orderId: order.orderId, previousStatus: order.status, reason } }],
        [command.ghostLegacyOid],
      );
    }
    case 'CancelOrder': {
      const order = requireOrder(state, command.orderId);
      const reason = requireReason(command.reason);
      if (order.status === 'cancelled') return [];
      requireStatus(order, 'cancelled', forTheShop(command.actingAs) ? ['ordered'] : ['ordered', 'accepted']);
      requireMayChangeBookingOrder(order, command.actingAs);
      if (forTheShop(command.actingAs)) requireDeadline(command, command.actingAs, null);
      return ghostEvents(
        state,
        [
          {
            type: 'OrderCancelled',
            data: { orderId: order.orderId, previousStatus: order.status, reason, actingAs: command.actingAs },
          },
        ],
        [command.ghostLegacyOid],
      );
    }
    case 'ReinstateOrder':
      return reinstateOrder(command, state);
    case 'ChangeActivityOrder':
      return changeActivityOrder(command, state);
    case 'ChangeInjectionOrder':
      return changeInjectionOrder(command, state);
    case 'MoveOrderToSlot':
      return moveOrder(command, state);
    case 'RestoreOrder':
      return restoreOrder(command, state);
    case 'ReleaseSlot':
      return releaseSlot(command, state);
    case 'ReleaseInjectionOrders':
      return releaseInjectionOrders(command, state);
    case 'CorrectRelease':
      return correctRelease(command, state);
  }
}

function withOrder(state: DeliveryDayState, orderId: string, change: (order: Order) => Order): DeliveryDayState {
  const order = state.orders[orderId];
  if (!order) return state;
  return { ...state, orders: { ...state.orders, [orderId]: change(order) } };
}

function evolve(state: DeliveryDayState, event: DeliveryDayEvent): DeliveryDayState {
  switch (event.type) {
    case 'OrderPlaced': {
      const { order } = event.data;
      const placed: Order =
        order.kind === 'activity'
          ? { ...order, status: 'ordered', movedTo: null, releaseId: null }
          : { ...order, status: 'ordered', releaseId: null };
      return {
        ...state,
        endpointId: event.data.endpointId,
        date: event.data.date,
        orders: { ...state.orders, [order.orderId]: placed },
      };
    }
    case 'OrderAccepted':
      return withOrder(state, event.data.orderId, (order) => ({ ...order, status: 'accepted' }));
    case 'OrderRejected':
      return withOrder(state, event.data.orderId, (order) => ({ ...order, status: 'rejected' }));
    case 'OrderCancelled':
      return withOrder(state, event.data.orderId, (order) => ({ ...order, status: 'cancelled' }));
    case 'OrderReinstated':
      return withOrder(state, event.data.orderId, (order) => ({ ...order, status: 'accepted' }));
    case 'OrderActivityChanged':
      return withOrder(state, event.data.orderId, (order) => ({
        ...order,
        ...(event.data.activityMBq ? { activityMBq: event.data.activityMBq.to } : {}),
        ...(event.data.comment ? { comment: event.data.comment.to } : {}),
      }));
    case 'InjectionOrderChanged': {
      const changed: Record<string, unknown> = {};
      for (const [field, change] of Object.entries(event.data.changes)) changed[field] = change?.to;
      return withOrder(state, event.data.orderId, (order) => ({ ...order, ...changed }) as Order);
    }
    case 'OrderMovedToSlot':
      return withOrder(state, event.data.orderId, (order) => ({
        ...order,
        movedTo: { ...event.data.to, decayFactor: event.data.decayFactor },
      }));
    case 'OrderRestoredToSlot':
      // Back at its ordered slot as the restore found it (rescheduled or renumbered since, maybe).
      return withOrder(state, event.data.orderId, (order) =>
        order.kind === 'activity' ? { ...order, ...pickPlacement(event.data.to), movedTo: null } : order,
      );
    case 'GhostOrderCreated': {
      const { hostedOrderIds: _hosted, ...ghost } = event.data;
      return { ...state, ghosts: { ...state.ghosts, [ghost.slotId]: ghost } };
    }
    case 'GhostOrderDissolved': {
      const { [event.data.slotId]: _dissolved, ...ghosts } = state.ghosts;
      return { ...state, ghosts };
    }
    case 'DeadOrderFlagged':
      return state;
    case 'ActivityReleased':
    case 'InjectionOrdersReleased': {
      const { releaseId, orderIds } = event.data;
      let next: DeliveryDayState = {
        ...state,
        releases: {
          ...state.releases,
          [releaseId]: {
            releaseId,
            kind: event.type === 'ActivityReleased' ? 'activity' : 'injection',
            slotId: event.type === 'ActivityReleased' ? event.data.slotId : null,
            orderIds,
            ghostId: event.type === 'ActivityReleased' ? event.data.ghostId : null,
            vials: event.type === 'ActivityReleased' ? event.data.vials : [],
            lot: event.type === 'InjectionOrdersReleased' ? event.data.lot : (event.data.vials[0]?.lot ?? null),
            releasedBy: event.data.releasedBy,
            maxInjectionVolumeMl:
              event.type === 'InjectionOrdersReleased' ? (event.data.maxInjectionVolumeMl ?? null) : null,
            status: 'released',
          },
        },
      };
      for (const orderId of orderIds) {
        next = withOrder(next, orderId, (order) => ({ ...order, status: 'released', releaseId }));
      }
      return next;
    }
    case 'ReleasedOrderCorrected': {
      const release = state.releases[event.data.releaseId];
      if (!release) return state;
      let next: DeliveryDayState = {
        ...state,
        releases: { ...state.releases, [release.releaseId]: { ...release, status: 'corrected' } },
      };
      for (const orderId of event.data.orderIds) {
        next = withOrder(next, orderId, (order) => ({ ...order, status: 'accepted', releaseId: null }));
      }
      return next;
    }
  }
}

export const deliveryDayDecider: Decider<DeliveryDayCommand, DeliveryDayEvent, DeliveryDayState> = {
  initialState: () => ({ endpointId: null, date: null, orders: {}, ghosts: {}, releases: {} }),
  evolve,
  decide,
};

/** Activity the slot must deliver, with overhead, for each order it serves (own and moved-in). */
export function activityServedWithOverhead(order: ActivityOrder): number {
  const factor = order.movedTo?.decayFactor ?? 1;
  return order.activityMBq * factor * overheadMultiplier(order.overheadPercent);
}
