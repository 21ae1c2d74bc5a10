import { randomUUID } from 'node:crypto';
import type { CommandDefinition, CommandPipeline, StateChange, StateLoader } from '@tracershop/command-pipeline';
import { bookingDecider, bookingStreamName } from '@tracershop/domain/bookings';
import {
  closedDateDecider,
  closedDateStreamName,
  customerDecider,
  customerStreamName,
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  deliveryTimeSlotDecider,
  deliveryTimeSlotStreamName,
  isotopeDecider,
  isotopeStreamName,
  orderingDeadlinesDecider,
  orderingDeadlinesStreamName,
  productionRunDecider,
  productionRunStreamName,
  tracerDecider,
  tracerPermissionDecider,
  tracerPermissionStreamName,
  tracerStreamName,
  weeklyCloseDaysDecider,
  weeklyCloseDaysStreamName,
  type CalendarDate,
  type ClosedDays,
  type OrderingDeadlineKind,
} from '@tracershop/domain/catalog';
import {
  deliveryDayDecider,
  deliveryDayId,
  deliveryDayStreamName,
  orderingEventSchemaVersions,
  orderingIdClaimDecider,
  orderingIdClaimSchemaVersions,
  orderingIdClaimStreamName,
  vialDecider,
  vialIdOf,
  vialStreamName,
  type ActivityOrder,
  type AssignVial,
  type BookingOrderInForce,
  type DeliveryDayCommand,
  type DeliveryDayEvent,
  type DeliveryDayState,
  type OrderingIdClaimCommand,
  type OrderingIdClaimEvent,
  type OrderingIdClaimState,
  type SlotRefs,
  type VialCommand,
  type VialEvent,
  type VialState,
} from '@tracershop/domain/ordering';

import { orderCheckOf } from '../bookings/bookings-commands';

const schemaVersionOf = (type: string) =>
  orderingEventSchemaVersions[type as keyof typeof orderingEventSchemaVersions] ?? 1;

/** Closed dates and weekly close days as the deciders see them, read from their streams. */
export async function closedDaysOn(date: CalendarDate, load: StateLoader): Promise<ClosedDays> {
  const [closed, weekly] = await Promise.all([
    load(closedDateStreamName(date), closedDateDecider),
    load(weeklyCloseDaysStreamName(), weeklyCloseDaysDecider),
  ]);
  return { dates: closed.closed ? [date] : [], weeklyCloseDays: weekly.mask };
}

/**
 * Placeholder for `refs` a client never sends: the handler replaces them with state it loads from
 * the catalogue's streams, so a decision never rests on a client's view of reference data.
 */
export const loadedByHandler = undefined as never;

/**
 * Loads the catalogue state an ordering decision needs. Everything comes from the event store
 * (not from read models), so a decision sees every catalogue change acknowledged before it.
 */
async function enrich(command: DeliveryDayCommand, load: StateLoader): Promise<DeliveryDayCommand> {
  const [enriched, deadline] = await Promise.all([withRefs(command, load), deadlineSetFor(command, load)]);
  return deadline ? ({ ...enriched, deadline } as DeliveryDayCommand) : enriched;
}

/**
 * The deadline production set for the command's kind of order (`SetOrderingDeadline`); null when
 * the command checks none, or none was set, and the configured one it came with holds.
 */
async function deadlineSetFor(command: DeliveryDayCommand, load: StateLoader) {
  let kind: OrderingDeadlineKind;
  switch (command.type) {
    case 'PlaceActivityOrder':
    case 'ChangeActivityOrder':
      kind = 'activity';
      break;
    case 'PlaceInjectionOrder':
    case 'ChangeInjectionOrder':
      kind = 'injection';
      break;
    case 'CancelOrder': {
      const day = await load(deliveryDayStreamName(command.endpointId, command.date), deliveryDayDecider);
      kind = day.orders[command.orderId]?.kind ?? 'activity';
      break;
    }
    default:
      return null;
  }
  return (await load(orderingDeadlinesStreamName(), orderingDeadlinesDecider))[kind];
}

async function withRefs(command: DeliveryDayCommand, load: StateLoader): Promise<DeliveryDayCommand> {
  switch (command.type) {
    case 'PlaceActivityOrder': {
      const slot = await load(deliveryTimeSlotStreamName(command.slotId), deliveryTimeSlotDecider);
      const runId = slot.status === 'absent' ? '' : slot.productionRunId;
      const productionRun = await load(productionRunStreamName(runId), productionRunDecider);
      const tracerId = productionRun.status === 'absent' ? '' : productionRun.tracerId;
      const [tracer, endpoint, permission, closedDays] = await Promise.all([
        load(tracerStreamName(tracerId), tracerDecider),
        load(deliveryEndpointStreamName(command.endpointId), deliveryEndpointDecider),
        load(tracerPermissionStreamName(command.endpointId, tracerId), tracerPermissionDecider),
        closedDaysOn(command.date, load),
      ]);
      const [isotope, customer] = await Promise.all([
        load(isotopeStreamName(tracer.status === 'absent' ? '' : tracer.isotopeId), isotopeDecider),
        load(customerStreamName(endpoint.status === 'absent' ? '' : endpoint.customerId), customerDecider),
      ]);
      return {
        ...command,
        refs: { slot, productionRun, tracer, isotope, endpoint, customer, permission, closedDays },
      };
    }
    case 'PlaceInjectionOrder': {
      const [tracer, endpoint, permission, closedDays] = await Promise.all([
        load(tracerStreamName(command.tracerId), tracerDecider),
        load(deliveryEndpointStreamName(command.endpointId), deliveryEndpointDecider),
        load(tracerPermissionStreamName(command.endpointId, command.tracerId), tracerPermissionDecider),
        closedDaysOn(command.date, load),
      ]);
      const customer = await load(
        customerStreamName(endpoint.status === 'absent' ? '' : endpoint.customerId),
        customerDecider,
      );
      return { ...command, refs: { tracer, endpoint, customer, permission, closedDays } };
    }
    case 'MoveOrderToSlot': {
      // The ordered slot as it is now too: a move compares and decays with current times.
      // The isotope as it is now too: the move decays with its current half-life.
      const order = await activityOrderOf(command, load);
      const [target, ordered, closedDays, isotope] = await Promise.all([
        slotWithRun(command.targetSlotId, load),
        slotWithRun(order?.slotId ?? '', load),
        closedDaysOn(command.date, load),
        isotopeOfTracer(order?.tracerId ?? '', load),
      ]);
      return {
        ...command,
        refs: {
          targetSlot: target.slot,
          targetRun: target.productionRun,
          orderedSlot: ordered.slot,
          orderedRun: ordered.productionRun,
          closedDays,
          isotope,
        },
      };
    }
    case 'RestoreOrder': {
      const order = await activityOrderOf(command, load);
      const [ordered, closedDays] = await Promise.all([
        slotWithRun(order?.slotId ?? '', load),
        closedDaysOn(command.date, load),
      ]);
      return { ...command, refs: { ...ordered, closedDays } };
    }
    case 'ReinstateOrder': {
      // Where the order returns to: its moved-to slot, else its ordered one, as it is now.
      const order = (await load(deliveryDayStreamName(command.endpointId, command.date), deliveryDayDecider)).orders[
        command.orderId
      ];
      const activeSlotId = order?.kind === 'activity' ? (order.movedTo?.slotId ?? order.slotId) : null;
      const [activeSlot, closedDays, bookingOrders] = await Promise.all([
        activeSlotId === null ? null : slotWithRun(activeSlotId, load),
        closedDaysOn(command.date, load),
        bookingOrdersInForce(order?.bookingIds ?? [], load),
      ]);
      return { ...command, refs: { closedDays, activeSlot, bookingOrders } };
    }
    case 'ChangeActivityOrder': {
      // The slot's current maximum; the order names its slot in the day's state.
      const order = await activityOrderOf(command, load);
      if (!order) return { ...command, maxActivityMBq: null };
      const slot = await load(deliveryTimeSlotStreamName(order.slotId), deliveryTimeSlotDecider);
      return { ...command, maxActivityMBq: slot.status === 'absent' ? null : slot.maxActivityMBq };
    }
    case 'ChangeInjectionOrder': {
      const order = (await load(deliveryDayStreamName(command.endpointId, command.date), deliveryDayDecider)).orders[
        command.orderId
      ];
      if (!order) return { ...command, maxInjections: null };
      const permission = await load(
        tracerPermissionStreamName(command.endpointId, order.tracerId),
        tracerPermissionDecider,
      );
      return { ...command, maxInjections: permission.status === 'absent' ? null : permission.maxInjections };
    }
    default:
      return command;
  }
}

/** The activity order a command names, as its delivery day holds it; undefined for any other. */
async function activityOrderOf(
  command: { endpointId: string; date: CalendarDate; orderId: string },
  load: StateLoader,
): Promise<ActivityOrder | undefined> {
  const day = await load(deliveryDayStreamName(command.endpointId, command.date), deliveryDayDecider);
  const order = day.orders[command.orderId];
  return order?.kind === 'activity' ? order : undefined;
}

/**
 * The order in force each booking's own stream names, on whatever day: the bookings context keeps
 * it there (a booking ordered again names the new order); one withdrawn since is not in force.
 */
async function bookingOrdersInForce(accessionNumbers: readonly string[], load: StateLoader) {
  const found = await Promise.all(
    accessionNumbers.map(async (accessionNumber): Promise<BookingOrderInForce | null> => {
      const booking = await load(bookingStreamName(accessionNumber), bookingDecider);
      const check = await orderCheckOf(booking, load);
      if (booking.status === 'absent' || booking.order === null || !check?.inForce) return null;
      return { accessionNumber, ...booking.order };
    }),
  );
  return found.filter((booking) => booking !== null);
}

/** The isotope of a tracer as their streams hold them now (absent for an id that names none). */
async function isotopeOfTracer(tracerId: string, load: StateLoader) {
  const tracer = await load(tracerStreamName(tracerId), tracerDecider);
  return load(isotopeStreamName(tracer.status === 'absent' ? '' : tracer.isotopeId), isotopeDecider);
}

/** A slot and its run as their streams hold them now (absent for an id that names none). */
async function slotWithRun(slotId: string, load: StateLoader): Promise<SlotRefs> {
  const slot = await load(deliveryTimeSlotStreamName(slotId), deliveryTimeSlotDecider);
  const productionRun = await load(
    productionRunStreamName(slot.status === 'absent' ? '' : slot.productionRunId),
    productionRunDecider,
  );
  return { slot, productionRun };
}

type DayChange = StateChange<DeliveryDayState>;

/** Releases the change recorded (new) and the releases it corrected. */
function releaseChanges({ before, after }: DayChange) {
  const released = Object.values(after.releases).filter((release) => !before.releases[release.releaseId]);
  const corrected = Object.values(after.releases).filter(
    (release) => release.status === 'corrected' && before.releases[release.releaseId]?.status === 'released',
  );
  return { released, corrected };
}

export const vialCommand: CommandDefinition<VialCommand, VialEvent, VialState> = {
  name: 'Vial',
  decider: vialDecider,
  streamOf: (command) =>
    vialStreamName(
      command.type === 'DispenseVial' ? vialIdOf(command.lot, command.fillDate, command.fillTime) : command.vialId,
    ),
  retryOnConflict: true,
  schemaVersionOf,
};

/** Claims are decided from the claim alone (idempotent for the same day): a concurrent claim is re-decided. */
export const orderingIdClaimCommand: CommandDefinition<
  OrderingIdClaimCommand,
  OrderingIdClaimEvent,
  OrderingIdClaimState
> = {
  name: 'OrderingIdClaim',
  decider: orderingIdClaimDecider,
  streamOf: (command) => orderingIdClaimStreamName(command.kind, command.id),
  retryOnConflict: true,
  schemaVersionOf: (type) => orderingIdClaimSchemaVersions[type],
};

/**
 * Ordering commands are decided on the whole delivery day. A concurrent write to the same day is
 * re-decided on the fresh state: every rule is checked again, and commands carry their own ids,
 * so a retry cannot place, move or release anything twice.
 *
 * A vial belongs to one release: before a release is appended its vials are assigned on their own
 * streams (a vial already taken by another release refuses, and the release is not appended);
 * when the append fails they are given back, and a correction gives them back after its append.
 * Only the vials this attempt assigned are given back: one already assigned to the same release
 * belongs to another request releasing it (the same id sent twice) or to a run that stopped, and
 * is that one's to keep or the stale check's to free.
 * A process that stops between those appends leaves a vial assigned to a release that is not in
 * force; the next release or correction of that vial gives it back first
 * (`OrderingService.vialFreedOfStaleRelease`).
 */
export function deliveryDayCommand(
  pipeline: CommandPipeline,
): CommandDefinition<DeliveryDayCommand, DeliveryDayEvent, DeliveryDayState> {
  const vialCommandFor = (
    change: DayChange,
    type: 'AssignVial' | 'UnassignVial',
    vialId: string,
    releaseId: string,
    reason: string,
    recorded?: AssignVial['recorded'],
  ) =>
    pipeline.execute(
      vialCommand,
      type === 'AssignVial'
        ? { type, vialId, releaseId, streamId: change.streamId, recorded, at: new Date().toISOString() }
        : { type, vialId, releaseId, reason, at: new Date().toISOString() },
      {
        ...change.context,
        // A fresh cause: an assignment given back and taken again is a new fact, not a replay.
        causationId: `${change.context.causationId}:${type}:${vialId}:${randomUUID()}`,
        // The release's signature is bound to the release's record; a copy on the vial's events
        // would be a signature transferred to another record (Part 11 §11.70), and not verify.
        signature: undefined,
      },
    );
  /**
   * Every order and release the change makes takes its id for the day first, whoever chose it (a
   * client, a mass order's or the legacy sync's derived id), but for ids the server just minted at
   * random: a day cannot see its siblings, and an id held by two days would reach the record twice.
   */
  const claimNewIds = async (change: DayChange) => {
    const { before, after, context } = change;
    if (after.endpointId === null || after.date === null) return;
    const day = deliveryDayId(after.endpointId, after.date);
    const fresh = (ids: string[], held: Record<string, unknown>) =>
      ids.filter((id) => !(id in held) && !context.mintedIds?.includes(id));
    const claims = [
      ...fresh(Object.keys(after.orders), before.orders).map((id) => ({ kind: 'order' as const, id })),
      ...fresh(Object.keys(after.releases), before.releases).map((id) => ({ kind: 'release' as const, id })),
    ];
    for (const { kind, id } of claims) {
      await pipeline.execute(
        orderingIdClaimCommand,
        { type: 'ClaimOrderingId' as const, kind, id, deliveryDayId: day, at: new Date().toISOString() },
        { ...context, causationId: `${context.causationId}:ClaimOrderingId:${kind}:${id}`, signature: undefined },
      );
    }
  };
  const giveBack = async (change: DayChange, vialIds: string[], releaseId: string, reason: string) => {
    for (const vialId of vialIds) await vialCommandFor(change, 'UnassignVial', vialId, releaseId, reason);
  };
  /** The vials each attempt's `beforeAppend` assigned itself, by release: what its `appendFailed` gives back. */
  const assignedBy = new WeakMap<DayChange, Map<string, string[]>>();
  return {
    name: 'DeliveryDay',
    decider: deliveryDayDecider,
    streamOf: (command) => deliveryDayStreamName(command.endpointId, command.date),
    retryOnConflict: true,
    schemaVersionOf,
    enrich,
    enrichOnlyLoads: true,
    async beforeAppend(change) {
      await claimNewIds(change);
      const byRelease = new Map<string, string[]>();
      assignedBy.set(change, byRelease);
      for (const release of releaseChanges(change).released) {
        const assigned: string[] = [];
        byRelease.set(release.releaseId, assigned);
        try {
          for (const vial of release.vials) {
            const { lot, activityMBq, volumeMl, dispenserNumber } = vial;
            const result = await vialCommandFor(change, 'AssignVial', vial.vialId, release.releaseId, '', {
              lot,
              activityMBq,
              volumeMl,
              dispenserNumber,
            });
            if (result.events.length > 0) assigned.push(vial.vialId);
          }
        } catch (error) {
          await giveBack(change, assigned, release.releaseId, 'The release was not recorded');
          throw error;
        }
      }
    },
    async appendFailed(change) {
      for (const [releaseId, vialIds] of assignedBy.get(change) ?? []) {
        await giveBack(change, vialIds, releaseId, 'The release was not recorded');
      }
    },
    async afterAppend(change) {
      for (const release of releaseChanges(change).corrected) {
        const vialIds = release.vials.map((vial) => vial.vialId);
        await giveBack(change, vialIds, release.releaseId, change.context.reason ?? 'Release corrected');
      }
    },
  };
}
