import type { CommandDefinition, StateLoader } from '@tracershop/command-pipeline';
import {
  bookingDecider,
  bookingStreamName,
  bookingsEventSchemaVersions,
  locationMappingDecider,
  locationMappingStreamName,
  procedureDecider,
  procedureStreamName,
  type BookingCommand,
  type BookingEvent,
  type BookingOrderCheck,
  type BookingsEventType,
  type BookingState,
  type LocationMappingCommand,
  type LocationMappingEvent,
  type LocationMappingState,
  type ProcedureCommand,
  type ProcedureEvent,
  type ProcedureState,
} from '@tracershop/domain/bookings';
import {
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  tracerDecider,
  tracerStreamName,
} from '@tracershop/domain/catalog';
import { deliveryDayDecider, deliveryDayStreamName } from '@tracershop/domain/ordering';

const schemaVersionOf = (type: string) => bookingsEventSchemaVersions[type as BookingsEventType] ?? 1;

/** Stands for `refs` a client never sends: `enrich` loads them from the catalogue's streams. */
export const refsLoadedByHandler = undefined as never;

/**
 * Whether the order a booking holds is in force, as its delivery day holds it now: the booking's
 * stream does not hear of a withdrawal, its day does. Null when the booking holds no order.
 */
export async function orderCheckOf(booking: BookingState, load: StateLoader): Promise<BookingOrderCheck | null> {
  if (booking.status === 'absent' || booking.order === null) return null;
  const { orderId, endpointId, date } = booking.order;
  const order = (await load(deliveryDayStreamName(endpointId, date), deliveryDayDecider)).orders[orderId];
  return { orderId, inForce: order !== undefined && order.status !== 'cancelled' && order.status !== 'rejected' };
}

/**
 * Every bookings decision is made from the stream's state alone (and refs loaded afresh), so a
 * concurrent write is safely re-decided on the fresh state; refs checked against another order
 * than the fresh state holds count as in force (a 409, never a second order).
 */
export const bookingCommand: CommandDefinition<BookingCommand, BookingEvent, BookingState> = {
  name: 'Booking',
  decider: bookingDecider,
  streamOf: (command) => bookingStreamName(command.accessionNumber),
  retryOnConflict: true,
  schemaVersionOf,
  enrichOnlyLoads: true,
  async enrich(command, load) {
    if (command.type !== 'MarkBookingOrdered' && command.type !== 'RejectBooking') return command;
    const booking = await load(bookingStreamName(command.accessionNumber), bookingDecider);
    return { ...command, refs: { order: await orderCheckOf(booking, load) } };
  },
};

export const locationMappingCommand: CommandDefinition<
  LocationMappingCommand,
  LocationMappingEvent,
  LocationMappingState
> = {
  name: 'LocationMapping',
  decider: locationMappingDecider,
  streamOf: (command) => locationMappingStreamName(command.locationCode),
  retryOnConflict: true,
  schemaVersionOf,
  async enrich(command, load) {
    const endpoint =
      command.endpointId === null
        ? null
        : await load(deliveryEndpointStreamName(command.endpointId), deliveryEndpointDecider);
    return { ...command, refs: { endpoint } };
  },
};

export const procedureCommand: CommandDefinition<ProcedureCommand, ProcedureEvent, ProcedureState> = {
  name: 'Procedure',
  decider: procedureDecider,
  streamOf: (command) => procedureStreamName(command.procedureCode, command.endpointId),
  retryOnConflict: true,
  schemaVersionOf,
  async enrich(command, load) {
    const [endpoint, tracer] = await Promise.all([
      load(deliveryEndpointStreamName(command.endpointId), deliveryEndpointDecider),
      load(tracerStreamName(command.tracerId), tracerDecider),
    ]);
    return { ...command, refs: { endpoint, tracer } };
  },
};
