import { nameBasedUuid, type CommandDefinition } from '@tracershop/command-pipeline';
import type {
  CalendarDate,
  ClockTime,
  ClosedDateCommand,
  ClosedDateEvent,
  ClosedDateState,
  CustomerCommand,
  CustomerDetails,
  CustomerEvent,
  CustomerState,
  DeliveryTimeSlotCommand,
  DeliveryTimeSlotDetails,
  DeliveryTimeSlotEvent,
  DeliveryTimeSlotState,
  IsoWeekday,
  ProductionRunCommand,
  ProductionRunDetails,
  ProductionRunEvent,
  ProductionRunState,
  TracerCommand,
  TracerDetails,
  TracerEvent,
  TracerState,
  TracerPermissionCommand,
  TracerPermissionEvent,
  TracerPermissionState,
  WeeklyRepeat,
} from '@tracershop/domain/catalog';
import { notFound, ruleViolated, type DomainEvent } from '@tracershop/domain/kernel';
import {
  normaliseLotNumber,
  type ActivityOrder,
  type DeliveryDayCommand,
  type DeliveryDayEvent,
  type DeliveryDayState,
  type InjectionUsage,
  type LocalMoment,
  type Order,
  type OrderingDeadline,
  type VialCommand,
  type VialEvent,
  type VialState,
} from '@tracershop/domain/ordering';
import { legacyIdAllocatedByHandler, refsLoadedByHandler } from '../../../api/src/catalog/catalog-commands';
import type { CapturedChange, CapturedRow } from './captured-change';

/** One command a captured change becomes, with the reason its events carry. */
export interface PlannedCommand {
  definition: CommandDefinition<unknown, DomainEvent, unknown>;
  command: unknown;
  reason: string;
}

/**
 * What to do with a captured change: the commands that make the new system agree with it (in
 * order), or why the sync does not translate changes of that kind (listed for reconciliation).
 */
export type CapturePlan =
  { kind: 'commands'; commands: PlannedCommand[] } | { kind: 'unsupported'; code: string; message: string };

/** The command definitions a plan may use. */
export interface CapturedChangeDefinitions {
  closedDate: CommandDefinition<ClosedDateCommand, ClosedDateEvent, ClosedDateState>;
  vial: CommandDefinition<VialCommand, VialEvent, VialState>;
  deliveryDay: CommandDefinition<DeliveryDayCommand, DeliveryDayEvent, DeliveryDayState>;
  customer: CommandDefinition<CustomerCommand, CustomerEvent, CustomerState>;
  deliveryTimeSlot: CommandDefinition<DeliveryTimeSlotCommand, DeliveryTimeSlotEvent, DeliveryTimeSlotState>;
  productionRun: CommandDefinition<ProductionRunCommand, ProductionRunEvent, ProductionRunState>;
  tracer: CommandDefinition<TracerCommand, TracerEvent, TracerState>;
  tracerPermission: CommandDefinition<TracerPermissionCommand, TracerPermissionEvent, TracerPermissionState>;
}

/** What a plan reads: Tracershop's view of the customers, slots and days the old rows name. */
export interface CapturedChangeLookups {
  /** The active customer whose legacy `Users.Id` this is, or null. */
  customerIdOfLegacyUser(legacyId: number): Promise<string | null>;
  /** The tracer whose legacy `Tracers.id` this is, or null. */
  tracerIdOfLegacyTracer(legacyId: number): Promise<string | null>;
  activeEndpointIds(customerId: string): Promise<string[]>;
  /** The tracer's active production runs on the weekday with this run number. */
  productionRunIdsOf(tracerId: string, weekday: number, runNumber: number): Promise<string[]>;
  /** The production run that holds legacy `productionTimes.PTID`, or null. */
  productionRunOfLegacyId(legacyId: number): Promise<{ productionRunId: string; active: boolean } | null>;
  /** The slot that holds legacy `deliverTimes.DTID`, or null. */
  deliveryTimeSlotOfLegacyId(legacyId: number): Promise<{ slotId: string; active: boolean } | null>;
  /** The permission that holds legacy `TracerCustomer.ID`, or null. */
  tracerPermissionOfLegacyId(legacyId: number): Promise<{ endpointId: string; tracerId: string } | null>;
  /** Active slots of the endpoint that deliver on the date at that time (`HH:MM`). */
  slotsAt(endpointId: string, date: CalendarDate, time: ClockTime): Promise<string[]>;
  deliveryDay(endpointId: string, date: CalendarDate): Promise<DeliveryDayState>;
  /** A legacy `orders.OID` for a ghost a command may create. */
  newOrdersLegacyId(): Promise<number>;
  /** Wall-clock date and time of an instant in business time (deadlines are judged then). */
  localMomentOf(instant: string): LocalMoment;
  activityDeadline: OrderingDeadline;
  injectionDeadline: OrderingDeadline;
}

export interface CapturePlanning {
  definitions: CapturedChangeDefinitions;
  lookups: CapturedChangeLookups;
}

const planned = <C, E extends DomainEvent, S>(
  definition: CommandDefinition<C, E, S>,
  command: C,
  reason: string,
): PlannedCommand => ({
  definition: definition as unknown as CommandDefinition<unknown, DomainEvent, unknown>,
  command,
  reason,
});

const unsupported = (change: CapturedChange, message: string): CapturePlan => ({
  kind: 'unsupported',
  code: 'LEGACY_CHANGE_NOT_SYNCED',
  message: `${change.operation} of ${change.table} ${change.rowKey}: ${message}`,
});

const invalidRow = (change: CapturedChange, column: string, problem: string) =>
  ruleViolated('INVALID_CAPTURED_ROW', `${change.table} ${change.rowKey}: ${column} ${problem}`, {
    table: change.table,
    rowKey: change.rowKey,
    column,
  });

function text(change: CapturedChange, row: CapturedRow, column: string): string {
  const value = row[column];
  if (value === null || value === undefined || String(value).trim() === '') {
    throw invalidRow(change, column, 'is empty');
  }
  return String(value).trim();
}

function numberOf(change: CapturedChange, row: CapturedRow, column: string, fallback?: number): number {
  const value = row[column];
  if ((value === null || value === undefined) && fallback !== undefined) return fallback;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || String(value).trim() === '' || !Number.isFinite(parsed)) {
    throw invalidRow(change, column, `is not a number (${JSON.stringify(value ?? null)})`);
  }
  return parsed;
}

/** `HH:MM:SS` of a TIME value (the server may add fractions). */
function timeOf(change: CapturedChange, row: CapturedRow, column: string): string {
  const value = text(change, row, column);
  const match = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(value);
  if (!match) throw invalidRow(change, column, `is not a time of day (${JSON.stringify(value)})`);
  return `${match[1]}:${match[2]}:${match[3]}`;
}

/**
 * A vial the old system's dispenser script recorded: dispensed in the new system with the row's
 * own `VAL.ID`, so the legacy projection writes the same row and never a second one.
 */
function vialRow(change: CapturedChange, definitions: CapturedChangeDefinitions): CapturePlan {
  if (change.operation !== 'insert' || !change.after) {
    return unsupported(change, 'a dispensed vial is corrected in Tracershop (POST /ordering/vials/:id/correct)');
  }
  const row = change.after;
  return {
    kind: 'commands',
    commands: [
      planned(
        definitions.vial,
        {
          type: 'DispenseVial',
          lot: normaliseLotNumber(text(change, row, 'charge')),
          fillDate: text(change, row, 'filldate'),
          fillTime: timeOf(change, row, 'filltime'),
          activityMBq: numberOf(change, row, 'activity'),
          volumeMl: numberOf(change, row, 'volume'),
          dispenserNumber: numberOf(change, row, 'customer'),
          depotPosition: numberOf(change, row, 'depotpos', 0),
          grossG: numberOf(change, row, 'gros', 0),
          tareG: numberOf(change, row, 'tare', 0),
          netG: numberOf(change, row, 'net', 0),
          product: row.product === null || row.product === undefined ? '18F' : String(row.product),
          legacyValId: numberOf(change, row, 'ID'),
          at: change.capturedAt,
        },
        'Dispensed in the old system',
      ),
    ],
  };
}

/** A date the old system closed (row inserted) or reopened (row deleted). */
function closedDateRow(change: CapturedChange, definitions: CapturedChangeDefinitions): CapturePlan {
  if (change.operation === 'insert' && change.after) {
    const reason = 'Closed in the old system';
    return {
      kind: 'commands',
      commands: [
        planned(
          definitions.closedDate,
          {
            type: 'CloseDate',
            date: text(change, change.after, 'ddate'),
            reason,
            legacyId: numberOf(change, change.after, 'BDID'),
            at: change.capturedAt,
          },
          reason,
        ),
      ],
    };
  }
  if (change.operation === 'delete' && change.before) {
    const reason = 'Reopened in the old system';
    return {
      kind: 'commands',
      commands: [
        planned(
          definitions.closedDate,
          { type: 'ReopenDate', date: text(change, change.before, 'ddate'), reason, at: change.capturedAt },
          reason,
        ),
      ],
    };
  }
  return unsupported(change, 'a closed date row changed in place; close and reopen dates instead');
}

/**
 * The commands a captured change becomes. Tables and operations the sync does not translate yet
 * are `unsupported`: recorded and listed, never dropped or guessed at.
 */
export async function planCapturedChange(change: CapturedChange, planning: CapturePlanning): Promise<CapturePlan> {
  switch (change.table) {
    case 'VAL':
      return vialRow(change, planning.definitions);
    case 'blockDeliverDate':
      return closedDateRow(change, planning.definitions);
    case 'orders':
      return activityOrderRow(change, planning);
    case 't_orders':
      return injectionOrderRow(change, planning);
    case 'Users':
      return customerRow(change, planning);
    case 'deliverTimes':
      return deliveryTimeRow(change, planning);
    case 'productionTimes':
      return productionTimeRow(change, planning);
    case 'Tracers':
      return tracerRow(change, planning);
    case 'TracerCustomer':
      return tracerCustomerRow(change, planning);
    default:
      return unsupported(change, 'changes of this table are not synced into Tracershop yet; make them there');
  }
}

/** The id of the order an old-system `orders` or `t_orders` row stands for: the same for every sync of the row. */
export function orderIdOfLegacyRow(table: 'orders' | 't_orders', oid: number): string {
  return nameBasedUuid(`old-tracershop:${table}:${oid}`);
}

/** Legacy status codes (legacy-tables.md): 1 ordered, 2 accepted, 3 released, 4 cancelled or rejected. */
const ORDERED = 1;
const ACCEPTED = 2;
const CANCELLED = 4;

/** Columns whose change is a move, a release or a re-dating: production does those in Tracershop. */
const PRODUCTION_COLUMNS = [
  'BID',
  'deliver_datetime',
  'run',
  'COID',
  'batchnr',
  'frigivet_amount',
  'frigivet_datetime',
  'frigivet_af',
  'volume',
  'tracer',
];

/** Delivery date and `HH:MM` of a DATETIME (naive business time). */
function deliveryOf(change: CapturedChange, row: CapturedRow): { date: CalendarDate; time: ClockTime } {
  const value = text(change, row, 'deliver_datetime');
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}):00(\.0+)?$/.exec(value);
  if (!match)
    throw invalidRow(change, 'deliver_datetime', `is not a delivery date and time (${JSON.stringify(value)})`);
  return { date: match[1] as CalendarDate, time: match[2] as ClockTime };
}

/**
 * The active delivery endpoints of the customer a row names (`BID`, or `customer_id` in
 * `TracerCustomer`); the old system knows only the customer.
 */
async function endpointsOfRow(
  change: CapturedChange,
  row: CapturedRow,
  lookups: CapturedChangeLookups,
  customerColumn = 'BID',
) {
  const legacyUserId = numberOf(change, row, customerColumn);
  const customerId = await lookups.customerIdOfLegacyUser(legacyUserId);
  if (customerId === null) {
    throw notFound('LEGACY_CUSTOMER_UNKNOWN', `No active customer has legacy Users.Id ${legacyUserId}`, {
      legacyUserId,
    });
  }
  const endpointIds = await lookups.activeEndpointIds(customerId);
  if (endpointIds.length === 0) {
    throw ruleViolated('LEGACY_CUSTOMER_HAS_NO_ENDPOINT', `Customer ${customerId} has no active delivery endpoint`, {
      customerId,
    });
  }
  return { customerId, endpointIds };
}

/** The tracer a row names by its legacy `Tracers.id`. */
async function tracerOfLegacyId(legacyTracerId: number, lookups: CapturedChangeLookups): Promise<string> {
  const tracerId = await lookups.tracerIdOfLegacyTracer(legacyTracerId);
  if (tracerId === null) {
    throw notFound('LEGACY_TRACER_UNKNOWN', `No tracer has legacy Tracers.id ${legacyTracerId}`, { legacyTracerId });
  }
  return tracerId;
}

/** The one endpoint an injection order or a delivery time goes to: a customer with several cannot say which. */
async function onlyEndpointOfRow(change: CapturedChange, row: CapturedRow, lookups: CapturedChangeLookups) {
  const { customerId, endpointIds } = await endpointsOfRow(change, row, lookups);
  if (endpointIds.length > 1) {
    throw ruleViolated(
      'LEGACY_CUSTOMER_ENDPOINT_AMBIGUOUS',
      `Customer ${customerId} has ${endpointIds.length} active delivery endpoints; the old system's ${change.table} row names none`,
      { customerId, endpointIds },
    );
  }
  return endpointIds[0] as string;
}

/** The delivery day (of one of the customer's endpoints) that holds the order a row stands for. */
async function dayHolding(
  change: CapturedChange,
  row: CapturedRow,
  date: CalendarDate,
  holds: (order: Order) => boolean,
  lookups: CapturedChangeLookups,
): Promise<{ endpointId: string; day: DeliveryDayState }> {
  const { endpointIds } = await endpointsOfRow(change, row, lookups);
  for (const endpointId of endpointIds) {
    const day = await lookups.deliveryDay(endpointId, date);
    if (Object.values(day.orders).some(holds)) return { endpointId, day };
  }
  const oid = numberOf(change, row, 'OID');
  throw notFound('LEGACY_ORDER_UNKNOWN', `No order of Tracershop stands for ${change.table} row ${oid}`, { oid });
}

/**
 * The Tracershop order an existing `orders` row stands for. A row that stands for several orders
 * (merged on one slot, invariant O1) cannot say which of them the old system meant: refused.
 */
function orderOfRow(change: CapturedChange, oid: number, day: DeliveryDayState): ActivityOrder {
  const owner = Object.values(day.orders).find(
    (order): order is ActivityOrder => order.kind === 'activity' && order.legacyOid === oid,
  );
  if (!owner) {
    throw notFound('LEGACY_ORDER_UNKNOWN', `No order of Tracershop stands for orders row ${oid}`, { oid });
  }
  const onRow = Object.values(day.orders).filter(
    (order) =>
      order.kind === 'activity' &&
      order.slotId === owner.slotId &&
      (order.movedTo?.slotId ?? null) === (owner.movedTo?.slotId ?? null) &&
      order.status !== 'cancelled' &&
      order.status !== 'rejected',
  );
  if (onRow.length > 1) {
    throw ruleViolated(
      'LEGACY_ROW_HOLDS_SEVERAL_ORDERS',
      `orders row ${oid} stands for ${onRow.length} orders of Tracershop; change them there`,
      { oid, orderIds: onRow.map((order) => order.orderId) },
    );
  }
  return owner;
}

const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

const commentOf = (row: CapturedRow) =>
  row.comment === null || row.comment === undefined || row.comment === '' ? null : String(row.comment);

/**
 * What every order the old customer app placed has in common: its `userName` orders as a shop
 * member would, within the shop's deadline as it stood when the row was written (`now`).
 */
function placedInTheOldSystem(row: CapturedRow, now: LocalMoment, deadline: OrderingDeadline) {
  const userName = row.userName === null || row.userName === undefined ? '' : String(row.userName);
  return {
    orderedBy: {
      userId: `old-tracershop:${userName}`,
      username: userName,
      printedName: userName === '' ? 'Old Tracershop' : userName,
    },
    actingAs: 'shop' as const,
    deadlineOverrideReason: null,
    bookingIds: [],
    now,
    deadline,
    refs: undefined as never,
  };
}

/** A delivery-day command without what every one of them carries (endpoint, date, time). */
type DayCommandBody = DeliveryDayCommand extends infer C
  ? C extends DeliveryDayCommand
    ? Omit<C, 'endpointId' | 'date' | 'at'>
    : never
  : never;

/**
 * An FDG order row: a customer's new order (`InsertOrder`), its edit or delete while ordered, and
 * production's accept, reject, cancel and reinstate become the same commands as in Tracershop.
 * Moves, ghosts, releases and extra-vial rows are production's, made in Tracershop.
 */
async function activityOrderRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
  const row = (change.after ?? change.before) as CapturedRow;
  const oid = numberOf(change, row, 'OID');
  const { date, time } = deliveryOf(change, row);
  const at = change.capturedAt;
  const now = lookups.localMomentOf(at);
  const deadline = lookups.activityDeadline;
  const day = (command: DayCommandBody, endpointId: string, reason: string) =>
    planned(definitions.deliveryDay, { ...command, endpointId, date, at } as DeliveryDayCommand, reason);

  if (change.operation === 'insert') {
    if (numberOf(change, row, 'status') !== ORDERED || numberOf(change, row, 'COID', -1) !== -1) {
      return unsupported(change, 'rows production makes (accepted, ghost or extra-vial rows) are made in Tracershop');
    }
    // The slot of its delivery time names the endpoint too, where the customer has several.
    const { customerId, endpointIds } = await endpointsOfRow(change, row, lookups);
    const found: Array<{ endpointId: string; slotId: string }> = [];
    for (const endpointId of endpointIds) {
      for (const slotId of await lookups.slotsAt(endpointId, date, time)) found.push({ endpointId, slotId });
    }
    const [slot] = found;
    if (found.length !== 1 || !slot) {
      throw ruleViolated(
        'LEGACY_SLOT_NOT_FOUND',
        `${found.length === 0 ? 'No' : 'More than one'} delivery time slot of customer ${customerId} delivers on ${date} at ${time}`,
        { customerId, date, time, slots: found },
      );
    }
    const reason = 'Ordered in the old system';
    return {
      kind: 'commands',
      commands: [
        day(
          {
            type: 'PlaceActivityOrder',
            orderId: orderIdOfLegacyRow('orders', oid),
            legacyOid: oid,
            slotId: slot.slotId,
            activityMBq: numberOf(change, row, 'amount'),
            comment: commentOf(row),
            ...placedInTheOldSystem(row, now, deadline),
          },
          slot.endpointId,
          reason,
        ),
      ],
    };
  }

  const before = change.before as CapturedRow;
  const holds = (order: Order) => order.kind === 'activity' && order.legacyOid === oid;
  const { endpointId, day: held } = await dayHolding(change, before, date, holds, lookups);
  const order = orderOfRow(change, oid, held);
  const onDay = { orderId: order.orderId };

  if (change.operation === 'delete') {
    if (numberOf(change, before, 'status') !== ORDERED) {
      return unsupported(change, 'only an ordered row is deleted by a customer; production removes rows in Tracershop');
    }
    const reason = 'Deleted in the old system';
    return {
      kind: 'commands',
      commands: [
        day(
          {
            type: 'CancelOrder',
            ...onDay,
            reason,
            actingAs: 'shop',
            ghostLegacyOid: await lookups.newOrdersLegacyId(),
            now,
            deadline,
          },
          endpointId,
          reason,
        ),
      ],
    };
  }

  const after = change.after as CapturedRow;
  const moved = PRODUCTION_COLUMNS.filter((column) => !same(before[column], after[column]));
  if (moved.length > 0) {
    return unsupported(change, `${moved.join(', ')} changed: moves and releases are made in Tracershop`);
  }
  const commands: PlannedCommand[] = [];
  const activityChanged = !same(before.amount, after.amount);
  const commentChanged = !same(before.comment, after.comment);
  if (activityChanged || commentChanged) {
    const reason = 'Changed in the old system';
    commands.push(
      day(
        {
          type: 'ChangeActivityOrder',
          ...onDay,
          ...(activityChanged ? { activityMBq: numberOf(change, after, 'amount') } : {}),
          ...(commentChanged ? { comment: after.comment === null ? null : String(after.comment) } : {}),
          actingAs: 'shop',
          maxActivityMBq: undefined as never,
          now,
          deadline,
        },
        endpointId,
        reason,
      ),
    );
  }
  const status = await statusCommands(change, before, after, onDay, lookups, 'activity');
  if (status === 'unsupported') return unsupported(change, statusUnsupported(before, after));
  commands.push(...status.map(({ command, reason }) => day(command, endpointId, reason)));
  if (commands.length === 0) {
    return unsupported(change, 'only derived columns changed (amount_o, totals): moves are made in Tracershop');
  }
  return { kind: 'commands', commands };
}

function statusUnsupported(before: CapturedRow, after: CapturedRow): string {
  return `status ${String(before.status)} to ${String(after.status)}: releases and their corrections are made in Tracershop`;
}

/**
 * Production's status changes of a row: accept (1→2), reject (1→4), cancel (2→4), reinstate
 * (4→2). Anything else (a release, 3) is production's work in Tracershop.
 */
async function statusCommands(
  change: CapturedChange,
  before: CapturedRow,
  after: CapturedRow,
  onDay: { orderId: string },
  lookups: CapturedChangeLookups,
  kind: 'activity' | 'injection',
): Promise<Array<{ command: DayCommandBody; reason: string }> | 'unsupported'> {
  const from = numberOf(change, before, 'status');
  const to = numberOf(change, after, 'status');
  if (from === to) return [];
  // Only an activity order can leave moved-in orders to a ghost.
  const ghostLegacyOid = async () => (kind === 'activity' ? lookups.newOrdersLegacyId() : 0);
  const now = lookups.localMomentOf(change.capturedAt);
  const deadline = kind === 'activity' ? lookups.activityDeadline : lookups.injectionDeadline;
  if (from === ORDERED && to === ACCEPTED) {
    return [{ command: { type: 'AcceptOrder', ...onDay }, reason: 'Accepted in the old system' }];
  }
  if (from === ORDERED && to === CANCELLED) {
    const reason = 'Rejected in the old system';
    return [{ command: { type: 'RejectOrder', ...onDay, reason, ghostLegacyOid: await ghostLegacyOid() }, reason }];
  }
  if (from === ACCEPTED && to === CANCELLED) {
    const reason = 'Cancelled in the old system';
    const command: DayCommandBody = {
      type: 'CancelOrder',
      ...onDay,
      reason,
      actingAs: 'production',
      ghostLegacyOid: await ghostLegacyOid(),
      now,
      deadline,
    };
    return [{ command, reason }];
  }
  if (from === CANCELLED && to === ACCEPTED) {
    const reason = 'Reinstated in the old system';
    return [{ command: { type: 'ReinstateOrder', ...onDay, reason, ghostLegacyOid: await ghostLegacyOid() }, reason }];
  }
  return 'unsupported';
}

/** Legacy `anvendelse` (matched without regard to case, as the old readers do). */
const USAGES: Readonly<Record<string, InjectionUsage>> = { human: 'human', dyr: 'animal', andet: 'other' };

function usageOf(change: CapturedChange, row: CapturedRow): InjectionUsage {
  const value = text(change, row, 'anvendelse');
  const usage = USAGES[value.toLowerCase()];
  if (!usage) throw invalidRow(change, 'anvendelse', `is not Human, Dyr or Andet (${JSON.stringify(value)})`);
  return usage;
}

/** Delivery date and `HH:MM` of an injection order's DATETIME (any time of day). */
function injectionTimeOf(change: CapturedChange, row: CapturedRow): { date: CalendarDate; time: ClockTime } {
  const value = text(change, row, 'deliver_datetime');
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/.exec(value);
  if (!match)
    throw invalidRow(change, 'deliver_datetime', `is not a delivery date and time (${JSON.stringify(value)})`);
  return { date: match[1] as CalendarDate, time: match[2] as ClockTime };
}

/** Columns whose change is a release or a re-assignment: production does those in Tracershop. */
const INJECTION_PRODUCTION_COLUMNS = [
  'BID',
  'tracer',
  'batchnr',
  'frigivet_datetime',
  'frigivet_af',
  'frigivet_amount',
];

/**
 * An injection order row (`t_orders`, one row per order): a customer's new order, its edit or
 * delete while ordered, and production's status changes. Releases are made in Tracershop.
 */
async function injectionOrderRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
  const row = (change.after ?? change.before) as CapturedRow;
  const oid = numberOf(change, row, 'OID');
  const at = change.capturedAt;
  const now = lookups.localMomentOf(at);
  const deadline = lookups.injectionDeadline;
  const dayOf = (command: DayCommandBody, endpointId: string, date: CalendarDate, reason: string) =>
    planned(definitions.deliveryDay, { ...command, endpointId, date, at } as DeliveryDayCommand, reason);

  if (change.operation === 'insert') {
    if (numberOf(change, row, 'status') !== ORDERED) {
      return unsupported(change, 'rows production makes are made in Tracershop');
    }
    const endpointId = await onlyEndpointOfRow(change, row, lookups);
    const legacyTracerId = numberOf(change, row, 'tracer');
    const tracerId = await tracerOfLegacyId(legacyTracerId, lookups);
    const { date, time } = injectionTimeOf(change, row);
    const reason = 'Ordered in the old system';
    const command: DayCommandBody = {
      type: 'PlaceInjectionOrder',
      orderId: orderIdOfLegacyRow('t_orders', oid),
      legacyOid: oid,
      tracerId,
      deliveryTime: time,
      injections: numberOf(change, row, 'n_injections'),
      usage: usageOf(change, row),
      comment: commentOf(row),
      ...placedInTheOldSystem(row, now, deadline),
    };
    return { kind: 'commands', commands: [dayOf(command, endpointId, date, reason)] };
  }

  const before = change.before as CapturedRow;
  const { date, time } = injectionTimeOf(change, before);
  const holds = (order: Order) => order.kind === 'injection' && order.legacyOid === oid;
  const { endpointId, day } = await dayHolding(change, before, date, holds, lookups);
  const onDay = { orderId: (Object.values(day.orders).find(holds) as Order).orderId };

  if (change.operation === 'delete') {
    if (numberOf(change, before, 'status') !== ORDERED) {
      return unsupported(change, 'only an ordered row is deleted by a customer; production removes rows in Tracershop');
    }
    const reason = 'Deleted in the old system';
    const command: DayCommandBody = {
      type: 'CancelOrder',
      ...onDay,
      reason,
      actingAs: 'shop',
      ghostLegacyOid: 0,
      now,
      deadline,
    };
    return { kind: 'commands', commands: [dayOf(command, endpointId, date, reason)] };
  }

  const after = change.after as CapturedRow;
  const released = INJECTION_PRODUCTION_COLUMNS.filter((column) => !same(before[column], after[column]));
  const moved = injectionTimeOf(change, after).date !== date;
  if (released.length > 0 || moved) {
    const what = moved ? [...released, 'the delivery date'] : released;
    return unsupported(change, `${what.join(', ')} changed: releases and moves to another day are made in Tracershop`);
  }
  const changes: Record<string, unknown> = {};
  if (!same(before.n_injections, after.n_injections)) changes.injections = numberOf(change, after, 'n_injections');
  if (!same(before.anvendelse, after.anvendelse)) changes.usage = usageOf(change, after);
  if (injectionTimeOf(change, after).time !== time) changes.deliveryTime = injectionTimeOf(change, after).time;
  if (!same(before.comment, after.comment)) changes.comment = commentOf(after);
  const commands: PlannedCommand[] = [];
  if (Object.keys(changes).length > 0) {
    const command: DayCommandBody = {
      type: 'ChangeInjectionOrder',
      ...onDay,
      changes,
      actingAs: 'shop',
      maxInjections: undefined as never,
      now,
      deadline,
    };
    commands.push(dayOf(command, endpointId, date, 'Changed in the old system'));
  }
  const status = await statusCommands(change, before, after, onDay, lookups, 'injection');
  if (status === 'unsupported') return unsupported(change, statusUnsupported(before, after));
  commands.push(...status.map(({ command, reason }) => dayOf(command, endpointId, date, reason)));
  if (commands.length === 0) return unsupported(change, 'no column the sync translates changed');
  return { kind: 'commands', commands };
}

const optionalText = (value: string | number | null | undefined): string | null =>
  value === null || value === undefined || String(value).trim() === '' ? null : String(value).trim();

const EMAIL_COLUMNS = ['EMail', 'EMail2', 'EMail3', 'EMail4'];
const LEGACY_ATTRIBUTE_COLUMNS = ['title', 'shortname', 'addr3', 'addr4'];

/**
 * A customer's `Users` row edited in the old system (Zope keeps its customers' contact details):
 * the changed columns become the customer's changed details, as the legacy projection maps them
 * the other way. New users, staff users and removals are Tracershop's, made there.
 */
async function customerRow(change: CapturedChange, { definitions, lookups }: CapturePlanning): Promise<CapturePlan> {
  if (change.operation !== 'update' || !change.before || !change.after) {
    return unsupported(change, 'customers are registered and archived in Tracershop');
  }
  const { before, after } = change;
  if (optionalText(before.kundenr) === null && optionalText(after.kundenr) === null) {
    return unsupported(change, "staff users are Tracershop's (identity)");
  }
  const legacyId = numberOf(change, after, 'Id');
  const customerId = await lookups.customerIdOfLegacyUser(legacyId);
  if (customerId === null) {
    throw notFound('LEGACY_CUSTOMER_UNKNOWN', `No active customer has legacy Users.Id ${legacyId}`, {
      legacyUserId: legacyId,
    });
  }
  const changed = (column: string) => !same(before[column], after[column]);
  const changes: Partial<CustomerDetails> = {};
  if (changed('Username')) changes.shortName = text(change, after, 'Username');
  if (changed('Realname')) changes.longName = text(change, after, 'Realname');
  if (changed('kundenr')) changes.dispenserNumber = numberOf(change, after, 'kundenr');
  if (changed('overhead')) changes.overheadPercent = numberOf(change, after, 'overhead', 0);
  if (EMAIL_COLUMNS.some(changed)) {
    changes.emails = EMAIL_COLUMNS.map((column) => optionalText(after[column])).filter((email) => email !== null);
  }
  if (changed('tlf')) changes.phone = optionalText(after.tlf);
  if (changed('contact')) changes.contactPerson = optionalText(after.contact);
  if (changed('addr1')) changes.billingAddress = optionalText(after.addr1);
  if (changed('addr2')) changes.billingCity = optionalText(after.addr2);
  if (LEGACY_ATTRIBUTE_COLUMNS.some(changed)) {
    // `shortname` shows the login name unless the customer has a label name of its own.
    const labelName = optionalText(after.shortname);
    changes.legacy = {
      title: optionalText(after.title),
      labelName: labelName === optionalText(after.Username) ? null : labelName,
      addressLine3: optionalText(after.addr3),
      addressLine4: optionalText(after.addr4),
    };
  }
  if (Object.keys(changes).length === 0) return unsupported(change, 'no column the sync translates changed');
  return {
    kind: 'commands',
    commands: [
      planned(
        definitions.customer,
        { type: 'UpdateCustomer', customerId, changes, at: change.capturedAt },
        'Changed in the old system',
      ),
    ],
  };
}

/** Legacy `deliverTimes.repeat_t`: 1 every week, 2 even ISO weeks, 3 odd ones. */
const REPEATS: Readonly<Record<string, WeeklyRepeat>> = { 1: 'every', 2: 'even', 3: 'odd' };
/** The old system's delivery times are FDG's (legacy-tables.md: `Tracers.id` 6). */
const FDG_LEGACY_TRACER_ID = 6;

/** The id of the slot an old-system `deliverTimes` row stands for: the same for every sync of the row. */
export function slotIdOfLegacyRow(dtid: number): string {
  return nameBasedUuid(`old-tracershop:deliverTimes:${dtid}`);
}

function repeatOf(change: CapturedChange, row: CapturedRow): WeeklyRepeat {
  const repeat = REPEATS[String(numberOf(change, row, 'repeat_t'))];
  if (!repeat) throw invalidRow(change, 'repeat_t', `is not 1, 2 or 3 (${JSON.stringify(row.repeat_t ?? null)})`);
  return repeat;
}

const maxActivityOf = (change: CapturedChange, row: CapturedRow): number | null =>
  row.max === null || row.max === undefined ? null : numberOf(change, row, 'max');

/** `HH:MM` of the row's `dtime`: the old system's delivery times are whole minutes. */
const deliveryTimeOf = (change: CapturedChange, row: CapturedRow): ClockTime =>
  timeOf(change, row, 'dtime').slice(0, 5);

/** The slot a `deliverTimes` row that Tracershop already knows stands for. */
async function slotOfRow(change: CapturedChange, row: CapturedRow, lookups: CapturedChangeLookups) {
  const dtid = numberOf(change, row, 'DTID');
  const slot = await lookups.deliveryTimeSlotOfLegacyId(dtid);
  if (!slot) {
    throw notFound(
      'LEGACY_SLOT_NOT_FOUND',
      `No delivery time slot of Tracershop has legacy deliverTimes.DTID ${dtid}`,
      {
        dtid,
      },
    );
  }
  return slot;
}

/** The id of the production run an old-system `productionTimes` row stands for: the same for every sync of the row. */
export function productionRunIdOfLegacyRow(ptid: number): string {
  return nameBasedUuid(`old-tracershop:productionTimes:${ptid}`);
}

/** The production run a `productionTimes` row that Tracershop already knows stands for. */
async function productionRunOfRow(change: CapturedChange, row: CapturedRow, lookups: CapturedChangeLookups) {
  const ptid = numberOf(change, row, 'PTID');
  const run = await lookups.productionRunOfLegacyId(ptid);
  if (!run) {
    throw notFound(
      'LEGACY_PRODUCTION_RUN_UNKNOWN',
      `No production run of Tracershop has legacy productionTimes.PTID ${ptid}`,
      { ptid },
    );
  }
  return run;
}

/**
 * An FDG production run (`productionTimes`) written in the old system: a new row schedules a run,
 * an edit of its time, run number or maximum updates it, a removed row archives it (refused while
 * it serves slots). A run keeps its weekday, so a row moved to another day is listed instead.
 */
async function productionTimeRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
  const timeOfRun = (row: CapturedRow): ClockTime => timeOf(change, row, 'ptime').slice(0, 5);
  if (change.operation === 'insert' && change.after) {
    const row = change.after;
    const ptid = numberOf(change, row, 'PTID');
    return {
      kind: 'commands',
      commands: [
        planned(
          definitions.productionRun,
          {
            type: 'ScheduleProductionRun',
            productionRunId: productionRunIdOfLegacyRow(ptid),
            tracerId: await tracerOfLegacyId(FDG_LEGACY_TRACER_ID, lookups),
            weekday: numberOf(change, row, 'day') as IsoWeekday,
            productionTime: timeOfRun(row),
            runNumber: numberOf(change, row, 'run'),
            maxActivityMBq: maxActivityOf(change, row),
            legacyId: ptid,
            at: change.capturedAt,
            refs: refsLoadedByHandler,
          },
          'Scheduled in the old system',
        ),
      ],
    };
  }
  if (change.operation === 'delete' && change.before) {
    const run = await productionRunOfRow(change, change.before, lookups);
    const reason = 'Removed in the old system';
    return {
      kind: 'commands',
      commands: [
        planned(
          definitions.productionRun,
          {
            type: 'ArchiveProductionRun',
            productionRunId: run.productionRunId,
            reason,
            at: change.capturedAt,
            refs: refsLoadedByHandler,
          },
          reason,
        ),
      ],
    };
  }
  if (change.operation !== 'update' || !change.before || !change.after) {
    return unsupported(change, 'the captured change holds no row');
  }
  const { before, after } = change;
  const changed = (column: string) => !same(before[column], after[column]);
  const fixed = ['PTID', 'day'].filter(changed);
  if (fixed.length > 0) {
    return unsupported(
      change,
      `${fixed.join(', ')} changed: a run keeps its weekday; schedule another run in Tracershop`,
    );
  }
  const run = await productionRunOfRow(change, after, lookups);
  const changes: Partial<ProductionRunDetails> = {};
  if (changed('ptime')) changes.productionTime = timeOfRun(after);
  if (changed('run')) changes.runNumber = numberOf(change, after, 'run');
  if (changed('max')) changes.maxActivityMBq = maxActivityOf(change, after);
  if (Object.keys(changes).length === 0) return unsupported(change, 'no column the sync translates changed');
  return {
    kind: 'commands',
    commands: [
      planned(
        definitions.productionRun,
        {
          type: 'UpdateProductionRun',
          productionRunId: run.productionRunId,
          changes,
          at: change.capturedAt,
          refs: refsLoadedByHandler,
        },
        'Changed in the old system',
      ),
    ],
  };
}

/**
 * A customer's FDG delivery time (`deliverTimes`) written in the old system: a new row schedules a
 * slot on the production run of that weekday with the row's run number, an edit of its time,
 * repeat or maximum updates the slot, a removed row archives it. A slot's endpoint and run are
 * fixed, so a row moved to another customer, weekday or run is listed instead.
 */
async function deliveryTimeRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
  if (change.operation === 'insert' && change.after) {
    const row = change.after;
    const endpointId = await onlyEndpointOfRow(change, row, lookups);
    const fdg = await tracerOfLegacyId(FDG_LEGACY_TRACER_ID, lookups);
    const weekday = numberOf(change, row, 'day');
    const runNumber = numberOf(change, row, 'run');
    const runs = await lookups.productionRunIdsOf(fdg, weekday, runNumber);
    if (runs.length !== 1) {
      throw notFound(
        'LEGACY_PRODUCTION_RUN_UNKNOWN',
        `FDG has ${runs.length === 0 ? 'no' : runs.length} active production run${runs.length === 1 ? '' : 's'} ` +
          `numbered ${runNumber} on weekday ${weekday}`,
        { weekday, runNumber, productionRunIds: runs },
      );
    }
    const reason = 'Scheduled in the old system';
    return {
      kind: 'commands',
      commands: [
        planned(
          definitions.deliveryTimeSlot,
          {
            type: 'ScheduleDeliveryTimeSlot',
            slotId: slotIdOfLegacyRow(numberOf(change, row, 'DTID')),
            endpointId,
            productionRunId: runs[0] as string,
            deliveryTime: deliveryTimeOf(change, row),
            repeat: repeatOf(change, row),
            maxActivityMBq: maxActivityOf(change, row),
            expiryDate: null,
            legacyId: numberOf(change, row, 'DTID'),
            at: change.capturedAt,
            refs: refsLoadedByHandler,
          },
          reason,
        ),
      ],
    };
  }
  if (change.operation === 'delete' && change.before) {
    const slot = await slotOfRow(change, change.before, lookups);
    const reason = 'Removed in the old system';
    return {
      kind: 'commands',
      commands: [
        planned(
          definitions.deliveryTimeSlot,
          { type: 'ArchiveDeliveryTimeSlot', slotId: slot.slotId, reason, at: change.capturedAt },
          reason,
        ),
      ],
    };
  }
  if (change.operation !== 'update' || !change.before || !change.after) {
    return unsupported(change, 'the captured change holds no row');
  }
  const { before, after } = change;
  const changed = (column: string) => !same(before[column], after[column]);
  const fixed = ['DTID', 'BID', 'day', 'run'].filter(changed);
  if (fixed.length > 0) {
    return unsupported(
      change,
      `${fixed.join(', ')} changed: a slot keeps its endpoint and production run; schedule another slot in Tracershop`,
    );
  }
  const slot = await slotOfRow(change, after, lookups);
  const changes: Partial<DeliveryTimeSlotDetails> = {};
  if (changed('dtime')) changes.deliveryTime = deliveryTimeOf(change, after);
  if (changed('repeat_t')) changes.repeat = repeatOf(change, after);
  if (changed('max')) changes.maxActivityMBq = maxActivityOf(change, after);
  if (Object.keys(changes).length === 0) return unsupported(change, 'no column the sync translates changed');
  return {
    kind: 'commands',
    commands: [
      planned(
        definitions.deliveryTimeSlot,
        {
          type: 'UpdateDeliveryTimeSlot',
          slotId: slot.slotId,
          changes,
          at: change.capturedAt,
          refs: refsLoadedByHandler,
        },
        'Changed in the old system',
      ),
    ],
  };
}

/**
 * A customer's permission to order an injection tracer (`TracerCustomer`), granted (row inserted)
 * or revoked (row deleted) in the old system. The old system knows only the customer: a grant
 * goes to each of its active endpoints, and the first takes the row's own `ID`, so the legacy
 * projection keeps that row; a revoke goes to the permission that holds the row's `ID`.
 */
async function tracerCustomerRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
  if (change.operation === 'insert' && change.after) {
    const row = change.after;
    const { endpointIds } = await endpointsOfRow(change, row, lookups, 'customer_id');
    const legacyTracerId = numberOf(change, row, 'tracer_id');
    const tracerId = await tracerOfLegacyId(legacyTracerId, lookups);
    const legacyId = numberOf(change, row, 'ID');
    return {
      kind: 'commands',
      commands: endpointIds.map((endpointId, index) =>
        planned(
          definitions.tracerPermission,
          {
            type: 'GrantTracerPermission',
            endpointId,
            tracerId,
            // The other endpoints' permissions take ids of their own.
            legacyId: index === 0 ? legacyId : legacyIdAllocatedByHandler,
            at: change.capturedAt,
            refs: refsLoadedByHandler,
          },
          'Granted in the old system',
        ),
      ),
    };
  }
  if (change.operation === 'delete' && change.before) {
    const legacyId = numberOf(change, change.before, 'ID');
    const permission = await lookups.tracerPermissionOfLegacyId(legacyId);
    if (!permission) return unsupported(change, `no permission of Tracershop holds TracerCustomer.ID ${legacyId}`);
    const reason = 'Revoked in the old system';
    return {
      kind: 'commands',
      commands: [
        planned(
          definitions.tracerPermission,
          { type: 'RevokeTracerPermission', ...permission, reason, at: change.capturedAt },
          reason,
        ),
      ],
    };
  }
  return unsupported(change, 'a permission row changed in place; revoke and grant permissions instead');
}

/**
 * A tracer's row edited in the old system: its names, whether the shop offers it (`in_use`) and
 * the legacy attributes become the tracer's changed details. New and removed tracers, and a change
 * of isotope or type, are Tracershop's (the isotope is a correction with its own command).
 */
async function tracerRow(change: CapturedChange, { definitions, lookups }: CapturePlanning): Promise<CapturePlan> {
  if (change.operation !== 'update' || !change.before || !change.after) {
    return unsupported(change, 'tracers are registered and archived in Tracershop');
  }
  const { before, after } = change;
  const changed = (column: string) => !same(before[column], after[column]);
  const fixed = ['id', 'isotope', 'tracer_type'].filter(changed);
  if (fixed.length > 0) {
    return unsupported(
      change,
      `${fixed.join(', ')} changed: a tracer's isotope is corrected in Tracershop, its type is fixed`,
    );
  }
  const tracerId = await tracerOfLegacyId(numberOf(change, after, 'id'), lookups);
  const changes: Partial<TracerDetails> = {};
  if (changed('name')) changes.shortName = text(change, after, 'name');
  if (changed('longName')) changes.clinicalName = text(change, after, 'longName');
  if (changed('in_use')) changes.inUse = numberOf(change, after, 'in_use', 0) !== 0;
  if (changed('n_injections') || changed('order_block')) {
    const injections = numberOf(change, after, 'n_injections', -1);
    changes.legacy = {
      // The legacy -1 means unset.
      injections: injections === -1 ? null : injections,
      orderBlock:
        after.order_block === null || after.order_block === undefined ? null : numberOf(change, after, 'order_block'),
    };
  }
  if (Object.keys(changes).length === 0) return unsupported(change, 'no column the sync translates changed');
  return {
    kind: 'commands',
    commands: [
      planned(
        definitions.tracer,
        { type: 'UpdateTracer', tracerId, changes, at: change.capturedAt },
        'Changed in the old system',
      ),
    ],
  };
}
