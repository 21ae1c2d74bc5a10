import { nameBasedUuid } from '@tracershop/command-pipeline';
import type {
  ClockTime,
  CustomerDetails,
  DeliveryTimeSlotDetails,
  IsoWeekday,
  ProductionRunDetails,
  TracerDetails,
  WeeklyRepeat,
} from '@tracershop/domain/catalog';
import { notFound } from '@tracershop/domain/kernel';
import { CUSTOMER_ROLE, FDG_LEGACY_TRACER_ID } from '@tracershop/projections/legacy';
import { legacyIdAllocatedByHandler, refsLoadedByHandler } from '../../../api/src/catalog/catalog-commands';
import type { CapturedChange, CapturedRow } from './captured-change';
import {
  type CapturedChangeDefinitions,
  type CapturedChangeLookups,
  type CapturePlan,
  type CapturePlanning,
  endpointsOfRow,
  invalidRow,
  numberOf,
  onlyEndpointOfRow,
  optionalText,
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
 * The reason a change captured from the old system is recorded with: its users give none, and a
 * change of catalogue values needs one (GMP: Annex 11 §9); the sync, not a person, says so.
 */
export const CHANGED_IN_THE_OLD_SYSTEM = 'Changed in the old system';

/** A date the old system closed (row inserted) or reopened (row deleted). */
export function closedDateRow(change: CapturedChange, definitions: CapturedChangeDefinitions): CapturePlan {
  if (change.operation === 'insert' && change.after) {
    const reason = 'Closed in the old system';
    return onlyCommand(
      definitions.closedDate,
      {
        type: 'CloseDate',
        date: text(change, change.after, 'ddate'),
        reason,
        legacyId: numberOf(change, change.after, 'BDID'),
        at: change.capturedAt,
      },
      reason,
    );
  }
  if (change.operation === 'delete' && change.before) {
    const reason = 'Reopened in the old system';
    return onlyCommand(
      definitions.closedDate,
      { type: 'ReopenDate', date: text(change, change.before, 'ddate'), reason, at: change.capturedAt },
      reason,
    );
  }
  return unsupported(change, 'a closed date row changed in place; close and reopen dates instead');
}

const EMAIL_COLUMNS = ['EMail', 'EMail2', 'EMail3', 'EMail4'];

/** The customer details a `Users` row holds (the zip code is Tracershop's alone). */
type CustomerRowDetails = Omit<CustomerDetails, 'billingZip'>;

/**
 * Each customer detail of a `Users` row: the columns it comes from and how it is read, as the
 * legacy projection writes it back. `shortname` shows the login name unless the customer has a
 * label name of its own.
 */
const CUSTOMER_DETAIL_COLUMNS: {
  readonly [K in keyof CustomerRowDetails]: {
    columns: readonly string[];
    read: (change: CapturedChange, row: CapturedRow) => CustomerRowDetails[K];
  };
} = {
  shortName: { columns: ['Username'], read: (change, row) => text(change, row, 'Username') },
  longName: { columns: ['Realname'], read: (change, row) => text(change, row, 'Realname') },
  dispenserNumber: { columns: ['kundenr'], read: (change, row) => numberOf(change, row, 'kundenr') },
  overheadPercent: { columns: ['overhead'], read: (change, row) => numberOf(change, row, 'overhead', 0) },
  emails: {
    columns: EMAIL_COLUMNS,
    read: (_, row) => EMAIL_COLUMNS.map((column) => optionalText(row[column])).filter((email) => email !== null),
  },
  phone: { columns: ['tlf'], read: (_, row) => optionalText(row.tlf) },
  contactPerson: { columns: ['contact'], read: (_, row) => optionalText(row.contact) },
  billingAddress: { columns: ['addr1'], read: (_, row) => optionalText(row.addr1) },
  billingCity: { columns: ['addr2'], read: (_, row) => optionalText(row.addr2) },
  legacy: {
    columns: ['title', 'shortname', 'addr3', 'addr4'],
    read: (_, row) => {
      const labelName = optionalText(row.shortname);
      return {
        title: optionalText(row.title),
        labelName: labelName === optionalText(row.Username) ? null : labelName,
        addressLine3: optionalText(row.addr3),
        addressLine4: optionalText(row.addr4),
      };
    },
  },
};

/** The details of the columns `included` names (every detail when it is absent). */
function customerDetailsOf(
  change: CapturedChange,
  row: CapturedRow,
  included: (column: string) => boolean = () => true,
): Partial<CustomerRowDetails> {
  const details: Record<string, unknown> = {};
  for (const [detail, { columns, read }] of Object.entries(CUSTOMER_DETAIL_COLUMNS)) {
    if (columns.some(included)) details[detail] = read(change, row);
  }
  return details as Partial<CustomerRowDetails>;
}

/**
 * A customer's `Users` row edited in the old system (Zope keeps its customers' contact details):
 * the changed columns become the customer's changed details, as the legacy projection maps them
 * the other way. A new customer's row waits for its customer role (`UserRoles`, `customerRoleRow`);
 * staff users and removals are Tracershop's, made there.
 */
export async function customerRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
  if (change.operation === 'insert' && change.after && optionalText(change.after.kundenr) !== null) {
    // Registered when the old system gives it the customer role: a row alone is not a customer.
    return { kind: 'commands', commands: [] };
  }
  if (change.operation !== 'update' || !change.before || !change.after) {
    return unsupported(change, "staff users are Tracershop's (identity), and customers are archived there");
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
  const changes = customerDetailsOf(change, after, (column) => !same(before[column], after[column]));
  if (Object.keys(changes).length === 0) return unsupported(change, 'no column the sync translates changed');
  return onlyCommand(
    definitions.customer,
    { type: 'UpdateCustomer', customerId, changes, reason: CHANGED_IN_THE_OLD_SYSTEM, at: change.capturedAt },
    CHANGED_IN_THE_OLD_SYSTEM,
  );
}

/** Legacy `deliverTimes.repeat_t`: 1 every week, 2 even ISO weeks, 3 odd ones. */
const REPEATS: Readonly<Record<string, WeeklyRepeat>> = { 1: 'every', 2: 'even', 3: 'odd' };

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
export async function productionTimeRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
  const timeOfRun = (row: CapturedRow): ClockTime => timeOf(change, row, 'ptime').slice(0, 5);
  if (change.operation === 'insert' && change.after) {
    const row = change.after;
    const ptid = numberOf(change, row, 'PTID');
    return onlyCommand(
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
    );
  }
  if (change.operation === 'delete' && change.before) {
    const run = await productionRunOfRow(change, change.before, lookups);
    const reason = 'Removed in the old system';
    return onlyCommand(
      definitions.productionRun,
      {
        type: 'ArchiveProductionRun',
        productionRunId: run.productionRunId,
        reason,
        at: change.capturedAt,
        refs: refsLoadedByHandler,
      },
      reason,
    );
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
  return onlyCommand(
    definitions.productionRun,
    {
      type: 'UpdateProductionRun',
      productionRunId: run.productionRunId,
      changes,
      reason: CHANGED_IN_THE_OLD_SYSTEM,
      at: change.capturedAt,
      refs: refsLoadedByHandler,
    },
    CHANGED_IN_THE_OLD_SYSTEM,
  );
}

/**
 * A customer's FDG delivery time (`deliverTimes`) written in the old system: a new row schedules a
 * slot on the production run of that weekday with the row's run number, an edit of its time,
 * repeat or maximum updates the slot, a removed row archives it. A slot's endpoint and run are
 * fixed, so a row moved to another customer, weekday or run is listed instead.
 */
export async function deliveryTimeRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
  if (change.operation === 'insert' && change.after) {
    const row = change.after;
    const dtid = numberOf(change, row, 'DTID');
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
    return onlyCommand(
      definitions.deliveryTimeSlot,
      {
        type: 'ScheduleDeliveryTimeSlot',
        slotId: slotIdOfLegacyRow(dtid),
        endpointId,
        productionRunId: runs[0] as string,
        deliveryTime: deliveryTimeOf(change, row),
        repeat: repeatOf(change, row),
        maxActivityMBq: maxActivityOf(change, row),
        expiryDate: null,
        legacyId: dtid,
        at: change.capturedAt,
        refs: refsLoadedByHandler,
      },
      reason,
    );
  }
  if (change.operation === 'delete' && change.before) {
    const slot = await slotOfRow(change, change.before, lookups);
    const reason = 'Removed in the old system';
    return onlyCommand(
      definitions.deliveryTimeSlot,
      { type: 'ArchiveDeliveryTimeSlot', slotId: slot.slotId, reason, at: change.capturedAt },
      reason,
    );
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
  return onlyCommand(
    definitions.deliveryTimeSlot,
    {
      type: 'UpdateDeliveryTimeSlot',
      slotId: slot.slotId,
      changes,
      reason: CHANGED_IN_THE_OLD_SYSTEM,
      at: change.capturedAt,
      refs: refsLoadedByHandler,
    },
    CHANGED_IN_THE_OLD_SYSTEM,
  );
}

/**
 * A customer's permission to order an injection tracer (`TracerCustomer`), granted (row inserted)
 * or revoked (row deleted) in the old system. The old system knows only the customer: a grant
 * goes to each of its active endpoints, and the first takes the row's own `ID`, so the legacy
 * projection keeps that row; a revoke goes to the permission that holds the row's `ID` and to the
 * same tracer's permissions of the customer's other active endpoints, so no row of the pair is left.
 */
export async function tracerCustomerRow(
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
    const { tracerId } = permission;
    const customerId = await lookups.customerIdOfLegacyUser(numberOf(change, change.before, 'customer_id'));
    const endpointIds = [permission.endpointId];
    for (const endpointId of customerId === null ? [] : await lookups.activeEndpointIds(customerId)) {
      if (endpointIds.includes(endpointId)) continue;
      if ((await lookups.tracerPermissionStatus(endpointId, tracerId)) === 'active') endpointIds.push(endpointId);
    }
    const reason = 'Revoked in the old system';
    return {
      kind: 'commands',
      commands: endpointIds.map((endpointId) =>
        planned(
          definitions.tracerPermission,
          { type: 'RevokeTracerPermission', endpointId, tracerId, reason, at: change.capturedAt },
          reason,
        ),
      ),
    };
  }
  return unsupported(change, 'a permission row changed in place; revoke and grant permissions instead');
}

/**
 * A tracer's row edited in the old system: its names, whether the shop offers it (`in_use`) and
 * the legacy attributes become the tracer's changed details. New and removed tracers, and a change
 * of isotope or type, are Tracershop's (the isotope is a correction with its own command).
 */
export async function tracerRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
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
  return onlyCommand(
    definitions.tracer,
    { type: 'UpdateTracer', tracerId, changes, reason: CHANGED_IN_THE_OLD_SYSTEM, at: change.capturedAt },
    CHANGED_IN_THE_OLD_SYSTEM,
  );
}

/** The id of the customer an old-system `Users` row given the customer role stands for. */
export function customerIdOfLegacyRow(userId: number): string {
  return nameBasedUuid(`old-tracershop:Users:${userId}`);
}

/** The id of the one delivery endpoint a customer made in the old system gets. */
export function endpointIdOfLegacyCustomer(userId: number): string {
  return nameBasedUuid(`old-tracershop:Users:${userId}:endpoint`);
}

/**
 * A user the old system gives the customer role (`UserRoles` 4; its `Users` row has a dispenser
 * number): registered as a customer from that row, with one delivery endpoint that may order FDG,
 * as every customer of the old system could. The old system knows no endpoints, so the endpoint
 * takes the customer's name and address. Other roles are staff roles, Tracershop's (identity).
 *
 * Each of the three steps is planned unless the command side holds its result already (in any
 * status), so a sync cut off after the first (a crash) finishes the others when it is tried again,
 * and nothing Tracershop changed since is registered anew. A customer Tracershop registered itself
 * under that `Users.Id` is Tracershop's: nothing is done.
 */
export async function customerRoleRow(
  change: CapturedChange,
  { definitions, lookups }: CapturePlanning,
): Promise<CapturePlan> {
  const row = change.after ?? change.before;
  if (!row || numberOf(change, row, 'Id_Role') !== CUSTOMER_ROLE) {
    return unsupported(change, "staff roles are Tracershop's (identity)");
  }
  if (change.operation !== 'insert') {
    return unsupported(change, 'customers are archived in Tracershop');
  }
  const userId = numberOf(change, row, 'Id_User');
  const customerId = customerIdOfLegacyRow(userId);
  const endpointId = endpointIdOfLegacyCustomer(userId);
  const known = await lookups.customerIdOfLegacyUser(userId);
  if (known !== null && known !== customerId) return { kind: 'commands', commands: [] };
  const fdg = await tracerOfLegacyId(FDG_LEGACY_TRACER_ID, lookups);
  const registerCustomer = !(await lookups.customerRegistered(customerId));
  const registerEndpoint = !(await lookups.deliveryEndpointRegistered(endpointId));
  const grantFdg = (await lookups.tracerPermissionStatus(endpointId, fdg)) === 'absent';
  const at = change.capturedAt;
  const reason = 'Made a customer in the old system';
  const commands: PlannedCommand[] = [];
  if (registerCustomer || registerEndpoint) {
    const user = await lookups.legacyUserRow(userId);
    if (!user) {
      throw notFound('LEGACY_USER_UNKNOWN', `The old system has no Users row ${userId}`, { legacyUserId: userId });
    }
    if (optionalText(user.kundenr) === null) {
      return unsupported(change, `Users row ${userId} has no dispenser number (kundenr): it is no customer`);
    }
    // A customer without a long name is known by its login name.
    const details = customerDetailsOf(change, { ...user, Realname: optionalText(user.Realname) ?? user.Username });
    if (registerCustomer) {
      commands.push(
        planned(
          definitions.customer,
          {
            type: 'RegisterCustomer',
            customerId,
            ...(details as CustomerRowDetails),
            billingZip: null,
            legacyId: userId,
            at,
          },
          reason,
        ),
      );
    }
    if (registerEndpoint) {
      commands.push(
        planned(
          definitions.deliveryEndpoint,
          {
            type: 'RegisterDeliveryEndpoint',
            endpointId,
            customerId,
            name: details.longName as string,
            address: details.billingAddress ?? null,
            city: details.billingCity ?? null,
            zip: null,
            phone: details.phone ?? null,
            at,
            refs: refsLoadedByHandler,
          },
          reason,
        ),
      );
    }
  }
  if (grantFdg) {
    commands.push(
      planned(
        definitions.tracerPermission,
        {
          type: 'GrantTracerPermission',
          endpointId,
          tracerId: fdg,
          legacyId: legacyIdAllocatedByHandler,
          at,
          refs: refsLoadedByHandler,
        },
        reason,
      ),
    );
  }
  return { kind: 'commands', commands };
}
