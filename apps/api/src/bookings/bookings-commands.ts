import type { CommandDefinition } from '@tracershop/command-pipeline';
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

const schemaVersionOf = (type: string) => bookingsEventSchemaVersions[type as BookingsEventType] ?? 1;

/** Stands for `refs` a client never sends: `enrich` loads them from the catalogue's streams. */
export const refsLoadedByHandler = undefined as never;

/**
 * Every bookings decision is made from the stream's state alone (and refs loaded afresh), so a
 * concurrent write is safely re-decided on the fresh state.
 */
export const bookingCommand: CommandDefinition<BookingCommand, BookingEvent, BookingState> = {
  name: 'Booking',
  decider: bookingDecider,
  streamOf: (command) => bookingStreamName(command.accessionNumber),
  retryOnConflict: true,
  schemaVersionOf,
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
