import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Principal } from '@tracershop/auth';
import { CommandPipeline, nameBasedUuid, type CommandContext, type CommandResult } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import {
  bookingAlreadyOrdered,
  bookingDecider,
  bookingStatusWith,
  bookingStreamName,
  locationMappingDecider,
  locationMappingStreamName,
  planMassOrder,
  procedureDecider,
  procedureStreamName,
  type BookingCommand,
  type BookingRecord,
  type BookingStatus,
  type MassOrderPlan,
  type PlannableBooking,
  type PlannableProcedure,
  type PlannableSlot,
  type PlannedActivityOrder,
  type PlannedInjectionOrder,
} from '@tracershop/domain/bookings';
import {
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  deliveryTimeSlotDecider,
  deliveryTimeSlotStreamName,
  isotopeDecider,
  isotopeStreamName,
  isoWeekdayOf,
  productionRunDecider,
  productionRunStreamName,
  slotDeliversOn,
  tracerDecider,
  tracerStreamName,
  type CalendarDate,
  type TracerKind,
} from '@tracershop/domain/catalog';
import { conflict, DomainError, notFound, ruleViolated } from '@tracershop/domain/kernel';
import {
  deliveryDayDecider,
  deliveryDayStreamName,
  type DeliveryDayCommand,
  type DeliveryDayState,
} from '@tracershop/domain/ordering';
import { Position, type EventStore } from '@tracershop/event-store';
import {
  EVENT_STORE,
  ExecuteDomainCommand,
  PROJECTION_POSITIONS,
  TRACERSHOP_CONFIG,
  type ProjectionPositions,
} from '@tracershop/platform';
import type { CatalogReadModel } from '@tracershop/projections/record';
import { catalogCaughtUpWithStore } from '../catalog/catalog-lookups-at-head';
import { CATALOG_READ_MODEL } from '../catalog/catalog-read-model.provider';
import { LegacyIdAllocator } from '../legacy-ids/legacy-id-allocator';
import { BusinessClock } from '../ordering/business-clock';
import { deliveryDayCommand, loadedByHandler } from '../ordering/ordering-commands';
import { actingAsOf, orderedByOf } from '../ordering/ordering.service';
import { bookingCommand, orderCheckOf, refsLoadedByHandler } from './bookings-commands';
import type { MassOrderDto, MassOrderPlacedOrderDto, MassOrderResponseDto } from './bookings.dto';

/** A name-based (version 5 style) UUID: the same name always gives the same id. */
function uuidFromName(name: unknown[]): string {
  return nameBasedUuid(`tracershop-mass-order:${JSON.stringify(name)}`);
}

/**
 * Order ids of a mass order are derived, never random: a retried mass order names the same orders,
 * and the ordering decider takes an order that exists with the same values as done. An activity
 * order is named by its endpoint, date, slot and the bookings it covers (so a later mass order for
 * new bookings of the same slot is a new order); an injection order by its endpoint, date and booking.
 * Bookings whose orders of the day were withdrawn are ordered afresh: the withdrawn orders join
 * the name, so the new order is not taken for the withdrawn one (and a retry names it again).
 */
export const massOrderIdOf = (
  order: PlannedActivityOrder | PlannedInjectionOrder,
  withdrawnOrderIds: readonly string[] = [],
): string => {
  const replacing = withdrawnOrderIds.length > 0 ? [[...withdrawnOrderIds].sort()] : [];
  return order.kind === 'activity'
    ? uuidFromName(['activity', order.endpointId, order.date, order.slotId, [...order.bookingIds].sort(), ...replacing])
    : uuidFromName(['injection', order.endpointId, order.date, order.bookingIds[0], ...replacing]);
};

/** The day's withdrawn (cancelled or rejected) orders that name any of the bookings. */
function withdrawnOrdersNaming(day: DeliveryDayState, bookingIds: readonly string[]): string[] {
  return Object.values(day.orders)
    .filter((order) => order.status === 'cancelled' || order.status === 'rejected')
    .filter((order) => order.bookingIds.some((accessionNumber) => bookingIds.includes(accessionNumber)))
    .map((order) => order.orderId);
}

/** A booking as the mass order found it: its record, its room's endpoint, and its status given its order. */
interface LoadedBooking {
  record: BookingRecord;
  endpointId: string | null;
  /** `bookingStatusWith`: a booking whose order was withdrawn is orderable again. */
  status: BookingStatus;
}

interface PlacedOrder extends MassOrderPlacedOrderDto {
  endpointId: string;
  result: CommandResult;
}

/** A booking of a placed order that could not be marked ordered, and why. */
interface UnmarkedBooking {
  accessionNumber: string;
  orderId: string;
  error: DomainError;
}

const problem = (error: DomainError, details: Record<string, unknown>) =>
  new DomainError(error.kind, error.code, error.message, { ...error.details, ...details });

/**
 * The mass order: the bookings of one endpoint's day become orders. Everything the plan rests on
 * is loaded from the event store (the catalogue's slot list, which no stream holds, from its read
 * model once it has caught up); each planned order is placed through the ordering rules like any
 * other order, then the bookings are marked ordered and the declined ones rejected.
 */
@Injectable()
export class MassOrderService {
  private readonly deliveryDay;

  constructor(
    private readonly bus: CommandBus,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(LegacyIdAllocator) private readonly legacyIds: LegacyIdAllocator,
    @Inject(BusinessClock) private readonly clock: BusinessClock,
    @Inject(CATALOG_READ_MODEL) private readonly catalog: CatalogReadModel,
    @Inject(PROJECTION_POSITIONS) private readonly positions: ProjectionPositions,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
  ) {
    this.deliveryDay = deliveryDayCommand(pipeline);
  }

  /**
   * `inScope` says whether the caller may see the bookings of an endpoint (of unmapped rooms: null):
   * a booking the caller may not see answers 404, as if it did not exist.
   */
  async massOrder(
    dto: MassOrderDto,
    principal: Principal,
    context: CommandContext,
    inScope: (endpointId: string | null) => Promise<boolean>,
  ): Promise<MassOrderResponseDto> {
    const { endpointId, date } = dto;
    const declined = dto.declined ?? [];
    const twice = dto.accessionNumbers.find((accessionNumber) => declined.includes(accessionNumber));
    if (twice !== undefined) {
      throw ruleViolated('BOOKING_LISTED_TWICE', `Booking ${twice} is both ordered and declined`, {
        accessionNumber: twice,
      });
    }
    if (dto.accessionNumbers.length === 0 && declined.length === 0) {
      throw ruleViolated('NOTHING_TO_ORDER', 'Name the bookings to order or to decline', { field: 'accessionNumbers' });
    }
    const endpoint = await this.pipeline.loadState(deliveryEndpointStreamName(endpointId), deliveryEndpointDecider);
    if (endpoint.status === 'absent') {
      throw notFound('DELIVERY_ENDPOINT_NOT_FOUND', `No delivery endpoint ${endpointId}`, { id: endpointId });
    }

    const bookings = await this.loadBookings(endpointId, date, [...dto.accessionNumbers, ...declined], inScope);
    const toOrder = dto.accessionNumbers.map((accessionNumber) => bookings.get(accessionNumber) as LoadedBooking);
    for (const accessionNumber of declined) {
      const booking = bookings.get(accessionNumber) as LoadedBooking;
      if (booking.status === 'ordered' || booking.status === 'changed-after-order') {
        throw bookingAlreadyOrdered(booking.record);
      }
    }

    const plan = await this.plan(endpointId, date, toOrder);
    const planned = [...plan.activityOrders, ...plan.injectionOrders];
    const day = await this.pipeline.loadState(deliveryDayStreamName(endpointId, date), deliveryDayDecider);
    const orderIds = new Map(
      planned.map((order) => [order, massOrderIdOf(order, withdrawnOrdersNaming(day, order.bookingIds))]),
    );
    for (const order of planned) {
      const orderId = orderIds.get(order) as string;
      // The same bookings make the same order id: a repeat finds the order placed the first time.
      // Never a withdrawn one: a withdrawal names the next order of its bookings (`massOrderIdOf`).
      for (const accessionNumber of order.bookingIds) {
        const booking = bookings.get(accessionNumber) as LoadedBooking;
        // An order in force covers the booking, on this day or, moved since, on another.
        const coveredElsewhere = booking.status === 'ordered' && booking.record.order?.orderId !== orderId;
        if (coveredElsewhere || booking.status === 'changed-after-order') throw bookingAlreadyOrdered(booking.record);
      }
    }

    const placed: PlacedOrder[] = [];
    for (const order of planned) {
      try {
        placed.push(await this.place(order, orderIds.get(order) as string, principal, context));
      } catch (error) {
        // What was placed stays placed (and its bookings say so); the caller learns which.
        const { unmarked } = await this.markOrdered(placed, bookings, date, context);
        const details = {
          failedOrder: {
            kind: order.kind,
            tracerId: order.tracerId,
            slotId: order.kind === 'activity' ? order.slotId : null,
            deliveryTime: order.deliveryTime,
            bookingIds: order.bookingIds,
          },
          placedOrders: placed.map(({ orderId, kind, bookingIds }) => ({ orderId, kind, bookingIds })),
          unmarkedBookings: unmarked.map(unmarkedDetails),
        };
        if (error instanceof DomainError) throw problem(error, details);
        throw error;
      }
    }
    const marked = await this.markOrdered(placed, bookings, date, context);
    const [firstUnmarked] = marked.unmarked;
    if (firstUnmarked) {
      // A booking that took another order in force while this one was placed: this order stays
      // placed (the shop admin may edit or withdraw it) and the caller learns which order it is. (A
      // booking merely re-imported or cancelled meanwhile is marked all the same, with the values
      // the order was planned from: it reads changed- or cancelled-after-order, naming the order.)
      throw problem(firstUnmarked.error, {
        placedOrders: placed.map(({ orderId, kind, bookingIds }) => ({ orderId, kind, bookingIds })),
        unmarkedBookings: marked.unmarked.map(unmarkedDetails),
      });
    }
    const results = [...placed.map((order) => order.result), ...marked.results];
    const reason = dto.declineReason ?? `Declined when mass-ordering ${date}`;
    for (const accessionNumber of declined) {
      results.push(
        await this.sendBooking(
          { type: 'RejectBooking', accessionNumber, reason, refs: refsLoadedByHandler, at: this.clock.now().at },
          { ...context, causationId: `${context.causationId}:booking-rejected:${accessionNumber}`, reason },
        ),
      );
    }
    return {
      endpointId,
      date,
      orders: placed.map(({ result: _result, endpointId: _endpointId, ...order }) => order),
      ordered: placed.flatMap((order) => order.bookingIds),
      rejected: declined,
      skipped: plan.skipped.map(({ accessionNumber, procedureCode, reason }) => ({
        accessionNumber,
        procedureCode,
        reason,
      })),
      position: latestPosition(results),
    };
  }

  /**
   * The listed bookings, each of this endpoint's day and not cancelled, with their status given
   * their orders: an order withdrawn since no longer covers its bookings.
   */
  private async loadBookings(
    endpointId: string,
    date: CalendarDate,
    accessionNumbers: string[],
    inScope: (endpointId: string | null) => Promise<boolean>,
  ): Promise<Map<string, LoadedBooking>> {
    const loaded = new Map<string, LoadedBooking>();
    const mappings = new Map<string, string | null>();
    for (const accessionNumber of accessionNumbers) {
      const booking = await this.pipeline.loadState(bookingStreamName(accessionNumber), bookingDecider);
      const notFoundError = notFound('BOOKING_NOT_FOUND', `No booking ${accessionNumber}`, { accessionNumber });
      if (booking.status === 'absent') throw notFoundError;
      if (!mappings.has(booking.locationCode)) {
        const mapping = await this.pipeline.loadState(
          locationMappingStreamName(booking.locationCode),
          locationMappingDecider,
        );
        mappings.set(booking.locationCode, mapping.endpointId);
      }
      const mappedTo = mappings.get(booking.locationCode) ?? null;
      if (mappedTo !== endpointId) {
        if (!(await inScope(mappedTo))) throw notFoundError;
        if (mappedTo === null) {
          throw ruleViolated(
            'BOOKING_LOCATION_NOT_MAPPED',
            `The room ${booking.locationCode} of booking ${accessionNumber} is not mapped to a delivery endpoint`,
            { accessionNumber, locationCode: booking.locationCode },
          );
        }
        throw ruleViolated('BOOKING_OF_ANOTHER_ENDPOINT', `Booking ${accessionNumber} is for another endpoint`, {
          accessionNumber,
          endpointId: mappedTo,
        });
      }
      const orderCheck = await orderCheckOf(booking, this.pipeline.loadState);
      const status = bookingStatusWith(booking, orderCheck?.inForce ?? false);
      if (status === 'cancelled' || status === 'cancelled-after-order') {
        throw conflict('BOOKING_CANCELLED', `Booking ${accessionNumber} is cancelled`, {
          accessionNumber,
          reason: booking.reason,
          orderId: status === 'cancelled-after-order' ? (booking.order?.orderId ?? null) : null,
        });
      }
      if (booking.startDate !== date) {
        throw ruleViolated('BOOKING_ON_ANOTHER_DATE', `Booking ${accessionNumber} starts on ${booking.startDate}`, {
          accessionNumber,
          startDate: booking.startDate,
          date,
        });
      }
      loaded.set(accessionNumber, { record: booking, endpointId: mappedTo, status });
    }
    return loaded;
  }

  private async plan(endpointId: string, date: CalendarDate, loaded: LoadedBooking[]): Promise<MassOrderPlan> {
    const bookings = loaded.map(({ record }) => record);
    const plannable: PlannableBooking[] = bookings.map((booking) => ({
      accessionNumber: booking.accessionNumber,
      endpointId,
      locationCode: booking.locationCode,
      procedureCode: booking.procedureCode,
      startDate: booking.startDate,
      startTime: booking.startTime,
    }));
    const procedures: PlannableProcedure[] = [];
    for (const procedureCode of new Set(bookings.map((booking) => booking.procedureCode))) {
      const procedure = await this.pipeline.loadState(procedureStreamName(procedureCode, endpointId), procedureDecider);
      if (procedure.status === 'defined') procedures.push(procedure);
    }
    const tracerKinds: Record<string, TracerKind> = {};
    const halfLives: Record<string, number> = {};
    for (const tracerId of new Set(procedures.map((procedure) => procedure.tracerId))) {
      const tracer = await this.pipeline.loadState(tracerStreamName(tracerId), tracerDecider);
      if (tracer.status === 'absent') continue;
      tracerKinds[tracerId] = tracer.kind;
      const isotope = await this.pipeline.loadState(isotopeStreamName(tracer.isotopeId), isotopeDecider);
      if (isotope.status !== 'absent') halfLives[tracerId] = isotope.halfLifeSeconds;
    }
    const slots = procedures.some((procedure) => tracerKinds[procedure.tracerId] === 'activity')
      ? await this.deliveringSlots(endpointId, date)
      : [];
    return planMassOrder(plannable, procedures, slots, tracerKinds, halfLives);
  }

  /**
   * The endpoint's active slots that run on the date's weekday and week, as their streams hold them.
   * Closed dates are left to the ordering rules, so a closed day is refused as `DATE_CLOSED`.
   */
  private async deliveringSlots(endpointId: string, date: CalendarDate): Promise<PlannableSlot[]> {
    await this.catalogCaughtUp();
    const weekday = isoWeekdayOf(date);
    const slotIds: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.catalog.listDeliveryTimeSlots({ limit: 500, cursor, endpointId, weekday });
      slotIds.push(...page.items.map((slot) => slot.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    const slots: PlannableSlot[] = [];
    for (const slotId of slotIds) {
      const slot = await this.pipeline.loadState(deliveryTimeSlotStreamName(slotId), deliveryTimeSlotDecider);
      if (slot.status !== 'active' || slot.endpointId !== endpointId) continue;
      const run = await this.pipeline.loadState(productionRunStreamName(slot.productionRunId), productionRunDecider);
      if (run.status !== 'active') continue;
      if (!slotDeliversOn(slot, run.weekday, date, { dates: [], weeklyCloseDays: 0 })) continue;
      slots.push({ slotId, endpointId, tracerId: run.tracerId, weekday: run.weekday, deliveryTime: slot.deliveryTime });
    }
    return slots;
  }

  /** The slot list comes from the catalogue read model: let it reach what the store holds first. */
  private catalogCaughtUp(): Promise<void> {
    return catalogCaughtUpWithStore(this.store, this.positions, this.config.queries.minPositionTimeoutMs);
  }

  private async place(
    order: PlannedActivityOrder | PlannedInjectionOrder,
    orderId: string,
    principal: Principal,
    context: CommandContext,
  ): Promise<PlacedOrder> {
    const { at, local } = this.clock.now();
    const common = {
      orderId,
      endpointId: order.endpointId,
      date: order.date,
      comment: null,
      orderedBy: orderedByOf(principal),
      actingAs: actingAsOf(principal),
      deadlineOverrideReason: null,
      bookingIds: order.bookingIds,
      at,
      now: local,
      refs: loadedByHandler,
    };
    const command: DeliveryDayCommand =
      order.kind === 'activity'
        ? {
            type: 'PlaceActivityOrder',
            ...common,
            legacyOid: await this.legacyIds.allocate('orders'),
            slotId: order.slotId,
            activityMBq: order.activityMBq,
            deadline: this.clock.activityDeadline,
          }
        : {
            type: 'PlaceInjectionOrder',
            ...common,
            legacyOid: await this.legacyIds.allocate('t_orders'),
            tracerId: order.tracerId,
            deliveryTime: order.deliveryTime,
            injections: order.injections,
            usage: order.usage,
            deadline: this.clock.injectionDeadline,
          };
    // One cause per order: event ids derive from it, and a retry with the same cause is recognised.
    const result: CommandResult = await this.bus.execute(
      new ExecuteDomainCommand(this.deliveryDay, command, {
        ...context,
        causationId: `${context.causationId}:mass-order:${orderId}`,
      }),
    );
    return {
      orderId,
      endpointId: order.endpointId,
      kind: order.kind,
      tracerId: order.tracerId,
      slotId: order.kind === 'activity' ? order.slotId : null,
      deliveryTime: order.deliveryTime,
      activityMBq: order.kind === 'activity' ? order.activityMBq : null,
      injections: order.kind === 'injection' ? order.injections : null,
      bookingIds: order.bookingIds,
      events: result.events,
      result,
    };
  }

  /**
   * Marks each placed order's bookings ordered, naming the booking version and values the plan
   * read: a booking changed since is marked with them (`changed-after-order`); one refused (it holds
   * another order in force) is listed, the others are marked all the same.
   */
  private async markOrdered(
    placed: PlacedOrder[],
    bookings: Map<string, LoadedBooking>,
    date: CalendarDate,
    context: CommandContext,
  ): Promise<{ results: CommandResult[]; unmarked: UnmarkedBooking[] }> {
    const results: CommandResult[] = [];
    const unmarked: UnmarkedBooking[] = [];
    for (const order of placed) {
      for (const accessionNumber of order.bookingIds) {
        const booking = bookings.get(accessionNumber) as LoadedBooking;
        try {
          results.push(
            await this.sendBooking(
              {
                type: 'MarkBookingOrdered',
                accessionNumber,
                orderId: order.orderId,
                endpointId: order.endpointId,
                date,
                bookingVersion: booking.record.version,
                plannedAs: plannedValuesOf(booking.record),
                refs: refsLoadedByHandler,
                at: this.clock.now().at,
              },
              { ...context, causationId: `${context.causationId}:booking-ordered:${accessionNumber}` },
            ),
          );
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          unmarked.push({ accessionNumber, orderId: order.orderId, error });
        }
      }
    }
    return { results, unmarked };
  }

  private sendBooking(command: BookingCommand, context: CommandContext): Promise<CommandResult> {
    return this.bus.execute(new ExecuteDomainCommand(bookingCommand, command, context));
  }
}

/** The values of the booking the plan read, which the order is made from. */
const plannedValuesOf = ({
  locationCode,
  procedureCode,
  procedureDescription,
  startDate,
  startTime,
}: BookingRecord) => ({
  locationCode,
  procedureCode,
  procedureDescription,
  startDate,
  startTime,
});

const unmarkedDetails = ({ accessionNumber, orderId, error }: UnmarkedBooking) => ({
  accessionNumber,
  orderId,
  code: error.code,
});

/** The latest of the positions the commands returned: reading at it sees every write. */
function latestPosition(results: CommandResult[]): string | null {
  let latest: Position | null = null;
  for (const { position } of results) {
    if (position === null) continue;
    const parsed = Position.parse(position);
    if (latest === null || parsed.isAfter(latest)) latest = parsed;
  }
  return latest?.toString() ?? null;
}
