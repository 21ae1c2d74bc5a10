import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Principal } from '@tracershop/auth';
import { CommandPipeline, nameBasedUuid, type CommandContext, type CommandResult } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import {
  bookingDecider,
  bookingStreamName,
  locationMappingDecider,
  locationMappingStreamName,
  planMassOrder,
  procedureDecider,
  procedureStreamName,
  type Booking,
  type BookingCommand,
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
import { deliveryDayDecider, deliveryDayStreamName, type DeliveryDayCommand } from '@tracershop/domain/ordering';
import { Position, type EventStore } from '@tracershop/event-store';
import {
  EVENT_STORE,
  ExecuteDomainCommand,
  HttpProblem,
  PROJECTION_POSITIONS,
  TRACERSHOP_CONFIG,
  type ProjectionPositions,
} from '@tracershop/platform';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { ProjectionNotCaughtUpError } from '@tracershop/projections/engine';
import { CATALOG_READ_MODEL } from '../catalog/catalog-read-model.provider';
import { LegacyIdAllocator } from '../legacy-ids/legacy-id-allocator';
import { BusinessClock } from '../ordering/business-clock';
import { deliveryDayCommand, loadedByHandler } from '../ordering/ordering-commands';
import { actingAsOf, orderedByOf } from '../ordering/ordering.service';
import { bookingCommand } from './bookings-commands';
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
 */
export const massOrderIdOf = (order: PlannedActivityOrder | PlannedInjectionOrder): string =>
  order.kind === 'activity'
    ? uuidFromName(['activity', order.endpointId, order.date, order.slotId, [...order.bookingIds].sort()])
    : uuidFromName(['injection', order.endpointId, order.date, order.bookingIds[0]]);

interface PlacedOrder extends MassOrderPlacedOrderDto {
  endpointId: string;
  result: CommandResult;
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
    const toOrder = dto.accessionNumbers.map((accessionNumber) => bookings.get(accessionNumber) as Booking);
    for (const accessionNumber of declined) {
      const booking = bookings.get(accessionNumber) as Booking;
      if (booking.status === 'ordered') {
        throw conflict('BOOKING_ALREADY_ORDERED', `Booking ${accessionNumber} is already ordered`, {
          accessionNumber,
          orderId: booking.order?.orderId ?? null,
        });
      }
    }

    const plan = await this.plan(endpointId, date, toOrder);
    const planned = [...plan.activityOrders, ...plan.injectionOrders];
    const day = await this.pipeline.loadState(deliveryDayStreamName(endpointId, date), deliveryDayDecider);
    for (const order of planned) {
      const orderId = massOrderIdOf(order);
      // The same bookings make the same order id: a repeat finds the order placed the first time.
      // Withdrawn since, it is not placed again by repeating (it would answer as done and order
      // nothing); production reinstates it (an activity order's bookings may also be ordered in
      // another grouping).
      const existing = day.orders[orderId];
      if (existing && (existing.status === 'cancelled' || existing.status === 'rejected')) {
        throw conflict(
          'ORDER_WITHDRAWN',
          `The order ${orderId} made from these bookings was ${existing.status}; production may reinstate it`,
          {
            orderId,
            status: existing.status,
            bookingIds: order.bookingIds,
          },
        );
      }
      for (const accessionNumber of order.bookingIds) {
        const booking = bookings.get(accessionNumber) as Booking;
        if (booking.status === 'ordered' && booking.order?.orderId !== orderId) {
          throw conflict('BOOKING_ALREADY_ORDERED', `Booking ${accessionNumber} is already ordered`, {
            accessionNumber,
            orderId: booking.order?.orderId ?? null,
          });
        }
      }
    }

    const placed: PlacedOrder[] = [];
    for (const order of planned) {
      try {
        placed.push(await this.place(order, principal, context));
      } catch (error) {
        // What was placed stays placed (and its bookings say so); the caller learns which.
        await this.markOrdered(placed, date, context);
        const details = {
          failedOrder: {
            kind: order.kind,
            tracerId: order.tracerId,
            slotId: order.kind === 'activity' ? order.slotId : null,
            deliveryTime: order.deliveryTime,
            bookingIds: order.bookingIds,
          },
          placedOrders: placed.map(({ orderId, kind, bookingIds }) => ({ orderId, kind, bookingIds })),
        };
        if (error instanceof DomainError) throw problem(error, details);
        throw error;
      }
    }
    const results = [...placed.map((order) => order.result), ...(await this.markOrdered(placed, date, context))];
    const reason = dto.declineReason ?? `Declined when mass-ordering ${date}`;
    for (const accessionNumber of declined) {
      results.push(
        await this.sendBooking(
          { type: 'RejectBooking', accessionNumber, reason, at: this.clock.now().at },
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

  /** The listed bookings, each of this endpoint's day and not cancelled. */
  private async loadBookings(
    endpointId: string,
    date: CalendarDate,
    accessionNumbers: string[],
    inScope: (endpointId: string | null) => Promise<boolean>,
  ): Promise<Map<string, Booking & { endpointId: string | null }>> {
    const loaded = new Map<string, Booking & { endpointId: string | null }>();
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
      if (booking.status === 'cancelled') {
        throw conflict('BOOKING_CANCELLED', `Booking ${accessionNumber} is cancelled`, {
          accessionNumber,
          reason: booking.reason,
        });
      }
      if (booking.startDate !== date) {
        throw ruleViolated('BOOKING_ON_ANOTHER_DATE', `Booking ${accessionNumber} starts on ${booking.startDate}`, {
          accessionNumber,
          startDate: booking.startDate,
          date,
        });
      }
      loaded.set(accessionNumber, { ...booking, endpointId: mappedTo });
    }
    return loaded;
  }

  private async plan(endpointId: string, date: CalendarDate, bookings: Booking[]): Promise<MassOrderPlan> {
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
  private async catalogCaughtUp(): Promise<void> {
    const head = await this.store.headPosition();
    if (head === null) return;
    try {
      await this.positions.waitFor([CATALOG_PROJECTION_NAME], head, this.config.queries.minPositionTimeoutMs);
    } catch (error) {
      if (!(error instanceof ProjectionNotCaughtUpError)) throw error;
      throw new HttpProblem(
        HttpStatus.SERVICE_UNAVAILABLE,
        'READ_MODEL_NOT_CAUGHT_UP',
        'The catalogue read model is behind; retry shortly',
        { projections: [CATALOG_PROJECTION_NAME] },
        { 'retry-after': '1' },
      );
    }
  }

  private async place(
    order: PlannedActivityOrder | PlannedInjectionOrder,
    principal: Principal,
    context: CommandContext,
  ): Promise<PlacedOrder> {
    const orderId = massOrderIdOf(order);
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

  private async markOrdered(placed: PlacedOrder[], date: CalendarDate, context: CommandContext) {
    const results: CommandResult[] = [];
    for (const order of placed) {
      for (const accessionNumber of order.bookingIds) {
        results.push(
          await this.sendBooking(
            {
              type: 'MarkBookingOrdered',
              accessionNumber,
              orderId: order.orderId,
              endpointId: order.endpointId,
              date,
              at: this.clock.now().at,
            },
            { ...context, causationId: `${context.causationId}:booking-ordered:${accessionNumber}` },
          ),
        );
      }
    }
    return results;
  }

  private sendBooking(command: BookingCommand, context: CommandContext): Promise<CommandResult> {
    return this.bus.execute(new ExecuteDomainCommand(bookingCommand, command, context));
  }
}

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
