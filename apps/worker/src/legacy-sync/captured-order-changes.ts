import { nameBasedUuid } from '@tracershop/command-pipeline';
import type { CalendarDate, ClockTime } from '@tracershop/domain/catalog';
import { notFound, ruleViolated } from '@tracershop/domain/kernel';
import { FDG_LEGACY_TRACER_ID } from '@tracershop/projections/legacy';
import {
  type ActivityOrder,
  type DeliveryDayCommand,
  type DeliveryDayState,
  type InjectionUsage,
  type LocalMoment,
  normaliseLotNumber,
  type Order,
  type OrderingDeadline,
} from '@tracershop/domain/ordering';
import { type CapturedChange, type CapturedRow, LEGACY_IMPORT_ACCOUNT } from './captured-change';
import {
  type CapturedChangeDefinitions,
  type CapturedChangeLookups,
  type CapturePlan,
  type CapturePlanning,
  endpointsOfRow,
  invalidRow,
  numberOf,
  onlyEndpointOfRow,
  onlyCommand,
  planned,
  type PlannedCommand,
  same,
  text,
  timeOf,
  tracerOfLegacyId,
  unsupported,
} from './captured-change-plan';

/**
 * A vial the old system's dispenser script recorded: dispensed in the new system with the row's
 * own `VAL.ID`, so the legacy projection writes the same row and never a second one.
 */
export function vialRow(change: CapturedChange, definitions: CapturedChangeDefinitions): CapturePlan {
  if (change.operation !== 'insert' || !change.after) {
    return unsupported(change, 'a dispensed vial is corrected in Tracershop (POST /ordering/vials/:id/correct)');
  }
  const row = change.after;
  return onlyCommand(
    definitions.vial,
    {
      type: 'DispenseVial',
      fromOldSystemRow: true,
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
  );
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

/** The row's production run (1-based), or null where it names none (NULL, or `""` the old server stored as 0). */
function runOf(change: CapturedChange, row: CapturedRow): number | null {
  if (row.run === null || row.run === undefined || String(row.run).trim() === '') return null;
  const run = numberOf(change, row, 'run');
  return run > 0 ? run : null;
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

const isWithdrawn = (order: Order) => order.status === 'cancelled' || order.status === 'rejected';

/**
 * The Tracershop order an existing `orders` row stands for. A row keeps the OID of the order that
 * made it while that order is among its members, withdrawn or not (the legacy projection), so a
 * row whose owner was withdrawn stands for the one order still active on it, if any (the row shows
 * that order's status and activity); with none, for its owner (a reinstate). A row that stands for
 * several active orders (merged on one slot, invariant O1) cannot say which of them the old system
 * meant: refused.
 */
function orderOfRow(change: CapturedChange, oid: number, day: DeliveryDayState): ActivityOrder {
  const owner = Object.values(day.orders).find(
    (order): order is ActivityOrder => order.kind === 'activity' && order.legacyOid === oid,
  );
  if (!owner) {
    throw notFound('LEGACY_ORDER_UNKNOWN', `No order of Tracershop stands for orders row ${oid}`, { oid });
  }
  const onRow = Object.values(day.orders).filter(
    (order): order is ActivityOrder =>
      order.kind === 'activity' &&
      order.slotId === owner.slotId &&
      (order.movedTo?.slotId ?? null) === (owner.movedTo?.slotId ?? null) &&
      !isWithdrawn(order),
  );
  if (onRow.length > 1) {
    throw ruleViolated(
      'LEGACY_ROW_HOLDS_SEVERAL_ORDERS',
      `orders row ${oid} stands for ${onRow.length} orders of Tracershop; change them there`,
      { oid, orderIds: onRow.map((order) => order.orderId) },
    );
  }
  return isWithdrawn(owner) ? (onRow[0] ?? owner) : owner;
}

/**
 * The legacy projection makes one row of a customer's orders delivered at one time from one run,
 * whichever of its endpoints they are for (the old system knows one endpoint per customer). A change
 * of such a row cannot say which endpoint's order the old system meant: refused, as for a row of
 * several orders of one endpoint.
 */
async function requireRowOfOneEndpoint(
  change: CapturedChange,
  row: CapturedRow,
  at: { oid: number; date: CalendarDate; time: ClockTime; endpointId: string },
  lookups: CapturedChangeLookups,
): Promise<void> {
  const run = runOf(change, row);
  const { endpointIds } = await endpointsOfRow(change, row, lookups);
  for (const endpointId of endpointIds.filter((id) => id !== at.endpointId)) {
    const day = await lookups.deliveryDay(endpointId, at.date);
    const beside = Object.values(day.orders).filter(
      (order): order is ActivityOrder =>
        order.kind === 'activity' &&
        !isWithdrawn(order) &&
        order.movedTo === null &&
        order.deliveryTime === at.time &&
        (run === null || order.runNumber === run),
    );
    if (beside.length > 0) {
      throw ruleViolated(
        'LEGACY_ROW_HOLDS_SEVERAL_ORDERS',
        `orders row ${at.oid} stands for orders of several delivery endpoints of Tracershop; change them there`,
        { oid: at.oid, orderIds: beside.map((order) => order.orderId), endpointId },
      );
    }
  }
}

const commentOf = (row: CapturedRow) =>
  row.comment === null || row.comment === undefined || row.comment === '' ? null : String(row.comment);

/** The deadline-override reason of the orders the go-live import brings over. */
export const IMPORTED_AT_GO_LIVE = 'Imported at go-live';

/**
 * What every order the old customer app placed has in common: its `userName` orders as a shop
 * member would, within the shop's deadline as it stood when the row was written (`now`). A row the
 * go-live import queued is an order the old system holds already: its `order_time` is when the row
 * was last changed (an accepted row's, when it was accepted, often after the deadline), so it is
 * placed as production places one, past the deadline with the import as the reason.
 */
function placedInTheOldSystem(change: CapturedChange, row: CapturedRow, now: LocalMoment, deadline: OrderingDeadline) {
  const userName = row.userName === null || row.userName === undefined ? '' : String(row.userName);
  const imported = change.capturedBy === LEGACY_IMPORT_ACCOUNT;
  return {
    orderedBy: {
      userId: `old-tracershop:${userName}`,
      username: userName,
      printedName: userName === '' ? 'Old Tracershop' : userName,
    },
    actingAs: imported ? ('production' as const) : ('shop' as const),
    deadlineOverrideReason: imported ? IMPORTED_AT_GO_LIVE : null,
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
export async function activityOrderRow(
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
    // The slot of its delivery time names the endpoint too, where the customer has several. Every
    // `orders` row is FDG's (O7), and its `run` is its slot's run number (O3).
    const { customerId, endpointIds } = await endpointsOfRow(change, row, lookups);
    const fdg = await tracerOfLegacyId(FDG_LEGACY_TRACER_ID, lookups);
    const run = runOf(change, row);
    const found: Array<{ endpointId: string; slotId: string }> = [];
    for (const endpointId of endpointIds) {
      for (const slot of await lookups.slotsAt(endpointId, date, time)) {
        if (slot.tracerId === fdg && (run === null || slot.runNumber === run)) {
          found.push({ endpointId, slotId: slot.slotId });
        }
      }
    }
    const [slot] = found;
    if (found.length !== 1 || !slot) {
      throw ruleViolated(
        'LEGACY_SLOT_NOT_FOUND',
        `${found.length === 0 ? 'No' : 'More than one'} FDG delivery time slot${run === null ? '' : ` of run ${run}`} ` +
          `of customer ${customerId} delivers on ${date} at ${time}`,
        { customerId, date, time, run, slots: found },
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
            ...placedInTheOldSystem(change, row, now, deadline),
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
  await requireRowOfOneEndpoint(change, before, { oid, date, time, endpointId }, lookups);
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
            ghostLegacyOid: await lookups.newOrdersLegacyId(change.id),
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
          deadlineOverrideReason: null,
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
  const ghostLegacyOid = async () => (kind === 'activity' ? lookups.newOrdersLegacyId(change.id) : 0);
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
    const command = {
      type: 'ReinstateOrder',
      ...onDay,
      reason,
      ghostLegacyOid: await ghostLegacyOid(),
      refs: undefined as never,
    } as const;
    return [{ command, reason }];
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
export async function injectionOrderRow(
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
      ...placedInTheOldSystem(change, row, now, deadline),
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
      deadlineOverrideReason: null,
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
