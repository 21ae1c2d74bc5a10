import type { CommandDefinition } from '@tracershop/command-pipeline';
import type {
  CalendarDate,
  ClockTime,
  ClosedDateCommand,
  ClosedDateEvent,
  ClosedDateState,
  CustomerCommand,
  CustomerEvent,
  CustomerState,
  DeliveryEndpointCommand,
  DeliveryEndpointEvent,
  DeliveryEndpointState,
  DeliveryTimeSlotCommand,
  DeliveryTimeSlotEvent,
  DeliveryTimeSlotState,
  ProductionRunCommand,
  ProductionRunEvent,
  ProductionRunState,
  TracerCommand,
  TracerEvent,
  TracerPermissionCommand,
  TracerPermissionEvent,
  TracerPermissionState,
  TracerState,
} from '@tracershop/domain/catalog';
import { type DomainEvent, notFound, ruleViolated } from '@tracershop/domain/kernel';
import type {
  DeliveryDayCommand,
  DeliveryDayEvent,
  DeliveryDayState,
  LocalMoment,
  OrderingDeadline,
  VialCommand,
  VialEvent,
  VialState,
} from '@tracershop/domain/ordering';
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
  deliveryEndpoint: CommandDefinition<DeliveryEndpointCommand, DeliveryEndpointEvent, DeliveryEndpointState>;
}

/** What a plan reads: Tracershop's view of the customers, slots and days the old rows name. */
export interface CapturedChangeLookups {
  /** The active customer whose legacy `Users.Id` this is, or null. */
  customerIdOfLegacyUser(legacyId: number): Promise<string | null>;
  /** The old system's `Users` row as its table holds it now (never its password), or null. */
  legacyUserRow(legacyId: number): Promise<CapturedRow | null>;
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
  /** Active slots of the endpoint that deliver on the date at that time (`HH:MM`), with their run's tracer and number. */
  slotsAt(endpointId: string, date: CalendarDate, time: ClockTime): Promise<SlotAt[]>;
  deliveryDay(endpointId: string, date: CalendarDate): Promise<DeliveryDayState>;
  /**
   * A legacy `orders.OID` for a ghost a command of the change may create: the same for every
   * attempt at the change while this process syncs it.
   */
  newOrdersLegacyId(changeId: number): Promise<number>;
  /** The command side's own state (the event store, never behind): whether it holds the customer, in any status. */
  customerRegistered(customerId: string): Promise<boolean>;
  /** Whether the command side holds the delivery endpoint, in any status. */
  deliveryEndpointRegistered(endpointId: string): Promise<boolean>;
  /** The (endpoint, tracer) permission as the command side holds it. */
  tracerPermissionStatus(endpointId: string, tracerId: string): Promise<'absent' | 'active' | 'archived'>;
  /** Wall-clock date and time of an instant in business time (deadlines are judged then). */
  localMomentOf(instant: string): LocalMoment;
  activityDeadline: OrderingDeadline;
  injectionDeadline: OrderingDeadline;
}

/** A delivery time slot, with what names its production run. */
export interface SlotAt {
  slotId: string;
  tracerId: string;
  runNumber: number;
}

export interface CapturePlanning {
  definitions: CapturedChangeDefinitions;
  lookups: CapturedChangeLookups;
}

export const planned = <C, E extends DomainEvent, S>(
  definition: CommandDefinition<C, E, S>,
  command: C,
  reason: string,
): PlannedCommand => ({
  definition: definition as unknown as CommandDefinition<unknown, DomainEvent, unknown>,
  command,
  reason,
});

/** A plan of one command. */
export const onlyCommand = <C, E extends DomainEvent, S>(
  definition: CommandDefinition<C, E, S>,
  command: C,
  reason: string,
): CapturePlan => ({ kind: 'commands', commands: [planned(definition, command, reason)] });

export const unsupported = (change: CapturedChange, message: string): CapturePlan => ({
  kind: 'unsupported',
  code: 'LEGACY_CHANGE_NOT_SYNCED',
  message: `${change.operation} of ${change.table} ${change.rowKey}: ${message}`,
});

export const invalidRow = (change: CapturedChange, column: string, problem: string) =>
  ruleViolated('INVALID_CAPTURED_ROW', `${change.table} ${change.rowKey}: ${column} ${problem}`, {
    table: change.table,
    rowKey: change.rowKey,
    column,
  });

export function text(change: CapturedChange, row: CapturedRow, column: string): string {
  const value = row[column];
  if (value === null || value === undefined || String(value).trim() === '') {
    throw invalidRow(change, column, 'is empty');
  }
  return String(value).trim();
}

export function numberOf(change: CapturedChange, row: CapturedRow, column: string, fallback?: number): number {
  const value = row[column];
  if ((value === null || value === undefined) && fallback !== undefined) return fallback;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || String(value).trim() === '' || !Number.isFinite(parsed)) {
    throw invalidRow(change, column, `is not a number (${JSON.stringify(value ?? null)})`);
  }
  return parsed;
}

/** `HH:MM:SS` of a TIME value (the server may add fractions). */
export function timeOf(change: CapturedChange, row: CapturedRow, column: string): string {
  const value = text(change, row, column);
  const match = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(value);
  if (!match) throw invalidRow(change, column, `is not a time of day (${JSON.stringify(value)})`);
  return `${match[1]}:${match[2]}:${match[3]}`;
}

/**
 * The active delivery endpoints of the customer a row names (`BID`, or `customer_id` in
 * `TracerCustomer`); the old system knows only the customer.
 */
export async function endpointsOfRow(
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
export async function tracerOfLegacyId(legacyTracerId: number, lookups: CapturedChangeLookups): Promise<string> {
  const tracerId = await lookups.tracerIdOfLegacyTracer(legacyTracerId);
  if (tracerId === null) {
    throw notFound('LEGACY_TRACER_UNKNOWN', `No tracer has legacy Tracers.id ${legacyTracerId}`, { legacyTracerId });
  }
  return tracerId;
}

/** The one endpoint an injection order or a delivery time goes to: a customer with several cannot say which. */
export async function onlyEndpointOfRow(change: CapturedChange, row: CapturedRow, lookups: CapturedChangeLookups) {
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

export const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

export const optionalText = (value: string | number | null | undefined): string | null =>
  value === null || value === undefined || String(value).trim() === '' ? null : String(value).trim();
