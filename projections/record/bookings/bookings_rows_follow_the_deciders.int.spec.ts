import {
  bookingDecider,
  bookingStatusWith,
  bookingStreamName,
  bookingsEventSchemaVersions,
  locationMappingDecider,
  locationMappingStreamName,
  procedureDecider,
  procedureStreamName,
  type BookingCommand,
  type BookingEvent,
  type BookingsEvent,
  type BookingsEventType,
  type BookingState,
  type ImportBooking,
} from '@tracershop/domain/bookings';
import { activeFdg, activeHerlevPet } from '@tracershop/domain/catalog/catalog-examples';
import { fold, type Decider } from '@tracershop/domain/kernel';
import {
  deliveryDayStreamName,
  orderingEventSchemaVersions,
  type OrderingEventType,
  type OrderPlaced,
} from '@tracershop/domain/ordering';
import { at0800, fdgPlaced } from '@tracershop/domain/ordering/ordering-examples';
import { openReadModelTestBed, type ReadModelTestBed } from '../../../test/projections/read-model-test-bed';
import { bookingsProjection } from './bookings-projection';
import { BookingsReadModel, type BookingView } from './bookings-read-model';

const at = '2026-03-01T08:00:00.000Z';
const monday = '2026-03-02';
const importBooking = (accessionNumber: string, startTime: string, locationCode = 'PET1'): ImportBooking => ({
  type: 'ImportBooking',
  accessionNumber,
  locationCode,
  procedureCode: 'WBFDG',
  procedureDescription: 'PET/CT whole body FDG',
  startDate: monday,
  startTime,
  at,
});

describe('record.bookings rows follow the deciders', () => {
  let bed: ReadModelTestBed;
  let readModel: BookingsReadModel;
  const history = new Map<string, BookingsEvent[]>();

  /** Decides on what this spec appended to the stream, appends the outcome and waits for the projection. */
  async function decide<C>(decider: Decider<C, BookingsEvent, unknown>, streamId: string, command: C) {
    const events = decider.decide(command, fold(decider, history.get(streamId) ?? []));
    if (events.length === 0) return events;
    const { reason, at: occurredAt } = command as { reason?: unknown; at: string };
    // The pipeline takes the envelope's business time from the command.
    bed.occurredAt = occurredAt;
    await bed.appendEvents(
      ...events.map((event) => ({ streamId, ...event, ...(typeof reason === 'string' ? { reason } : {}) })),
    );
    history.set(streamId, [...(history.get(streamId) ?? []), ...events]);
    await bed.caughtUp();
    return events;
  }

  const booking = (command: BookingCommand) =>
    decide(
      bookingDecider as Decider<BookingCommand, BookingsEvent, unknown>,
      bookingStreamName(command.accessionNumber),
      command,
    );

  beforeAll(async () => {
    bed = await openReadModelTestBed({
      purpose: 'bookings',
      projection: bookingsProjection,
      schemaVersionOf: (type) =>
        bookingsEventSchemaVersions[type as BookingsEventType] ??
        orderingEventSchemaVersions[type as OrderingEventType],
      actor: { kind: 'application', id: 'app-worklist', printedName: 'Worklist feed', role: 'application' },
    });
    readModel = new BookingsReadModel(bed.pool, bed.database);
  });

  afterAll(async () => {
    await bed?.close();
  });

  it('an import writes the booking as initial, without an endpoint until its room is mapped', async () => {
    await booking(importBooking('HRL/0001', '09:15'));
    expect(await readModel.getBooking('HRL/0001')).toEqual({
      accessionNumber: 'HRL/0001',
      locationCode: 'PET1',
      procedureCode: 'WBFDG',
      procedureDescription: 'PET/CT whole body FDG',
      startDate: monday,
      startTime: '09:15',
      status: 'initial',
      order: null,
      reason: null,
      endpointId: null,
      revision: '0',
      createdPosition: expect.any(String),
      updatedPosition: expect.any(String),
      createdAt: at,
      updatedAt: at,
    });
    expect(await readModel.getBooking('HRL/0002')).toBeNull();
  });

  it('mapping the room gives its bookings the endpoint; unmapping takes it away again', async () => {
    const map = (endpointId: string | null) =>
      decide(locationMappingDecider as Decider<unknown, BookingsEvent, unknown>, locationMappingStreamName('PET1'), {
        type: 'MapLocation',
        locationCode: 'PET1',
        endpointId,
        reason: 'PET1 moved',
        at,
        refs: { endpoint: endpointId ? activeHerlevPet : null },
      });
    await map('ep-herlev-pet');
    expect(await readModel.getBooking('HRL/0001')).toMatchObject({ endpointId: 'ep-herlev-pet' });
    expect(await readModel.getLocation('PET1')).toMatchObject({ locationCode: 'PET1', endpointId: 'ep-herlev-pet' });
    await map(null);
    expect(await readModel.getBooking('HRL/0001')).toMatchObject({ endpointId: null });
    expect(await readModel.getLocation('PET1')).toMatchObject({ endpointId: null, revision: '1' });
    await map('ep-herlev-pet');
  });

  /** The row without its history and room endpoint: what the decider's state holds. */
  const stateOfRow = (view: BookingView | null) => {
    const {
      createdAt: _c,
      updatedAt: _u,
      createdPosition: _cp,
      updatedPosition: _up,
      revision: _r,
      endpointId: _e,
      order,
      ...row
    } = view!;
    return { ...row, order: order && { orderId: order.orderId, endpointId: order.endpointId, date: order.date } };
  };
  const bookingOfState = (state: BookingState, orderInForce: boolean) => {
    if (state.status === 'absent') throw new Error('no booking');
    const { version: _version, orderedAs: _orderedAs, ...booking } = state;
    return { ...booking, status: bookingStatusWith(state, orderInForce) };
  };
  const stateOf = (accessionNumber: string) =>
    fold(bookingDecider, (history.get(bookingStreamName(accessionNumber)) ?? []) as BookingEvent[]);
  const markOrdered = (accessionNumber: string, orderId: string, orderInForce = true) => {
    const state = stateOf(accessionNumber);
    if (state.status === 'absent') throw new Error('no booking');
    return booking({
      type: 'MarkBookingOrdered',
      accessionNumber,
      orderId,
      endpointId: 'ep-herlev-pet',
      date: monday,
      bookingVersion: state.version,
      plannedAs: state,
      refs: { order: state.order && { orderId: state.order.orderId, inForce: orderInForce } },
      at,
    });
  };
  /** An order made from bookings, on its delivery day's stream, as the ordering decider records it. */
  const orderPlaced = (orderId: string, bookingIds: string[]): OrderPlaced => {
    const placed = fdgPlaced(orderId, 1001, at0800, 640);
    return { ...placed, data: { ...placed.data, order: { ...placed.data.order, bookingIds } } };
  };
  const onDay = async (...events: { type: string; data: unknown }[]) => {
    await bed.appendEvents(
      ...events.map((event) => ({ streamId: deliveryDayStreamName('ep-herlev-pet', monday), ...event })),
    );
    await bed.caughtUp();
  };

  it('ordering, a re-import, a rejection and a cancellation change the row as they change the state', async () => {
    await markOrdered('HRL/0001', 'order-1');
    expect(await readModel.getBooking('HRL/0001')).toMatchObject({
      status: 'ordered',
      order: { orderId: 'order-1', endpointId: 'ep-herlev-pet', date: monday, withdrawn: null },
    });

    // A re-import of an ordered booking keeps its order and says it no longer matches
    await booking(importBooking('HRL/0001', '10:00'));
    const updated = await readModel.getBooking('HRL/0001');
    expect(updated).toMatchObject({
      status: 'changed-after-order',
      order: { orderId: 'order-1' },
      startTime: '10:00',
      revision: '2',
    });
    expect(stateOfRow(updated)).toEqual(bookingOfState(stateOf('HRL/0001'), true));

    await booking({
      type: 'RejectBooking',
      accessionNumber: 'HRL/0001',
      reason: 'Declined in mass order',
      refs: { order: { orderId: 'order-1', inForce: false } },
      at,
    });
    expect(await readModel.getBooking('HRL/0001')).toMatchObject({
      status: 'rejected',
      order: null,
      reason: 'Declined in mass order',
    });
    await booking({ type: 'CancelBooking', accessionNumber: 'HRL/0001', reason: 'ORC-1 CA', at });
    expect(await readModel.getBooking('HRL/0001')).toMatchObject({ status: 'cancelled', reason: 'ORC-1 CA' });
  });

  it('lists a day’s bookings of an endpoint in order of start, page by page', async () => {
    await booking(importBooking('HRL/0002', '08:30'));
    await booking(importBooking('HRL/0003', '08:30'));
    await booking(importBooking('HRL/0004', '11:00'));
    await booking(importBooking('CT/0001', '09:00', 'CT3'));
    await booking({ ...importBooking('HRL/0005', '07:00'), startDate: '2026-03-03' });

    const first = await readModel.listBookings({ limit: 2, date: monday, endpointId: 'ep-herlev-pet' });
    expect(first.items.map((item) => item.accessionNumber)).toEqual(['HRL/0002', 'HRL/0003']);
    const second = await readModel.listBookings({
      limit: 2,
      date: monday,
      endpointId: 'ep-herlev-pet',
      cursor: first.nextCursor,
    });
    expect(second.items.map((item) => item.accessionNumber)).toEqual(['HRL/0001', 'HRL/0004']);
    expect(second.nextCursor).toBeNull();

    const all = await readModel.listBookings({ limit: 10, date: monday });
    expect(all.items.map((item) => item.accessionNumber)).toEqual([
      'HRL/0002',
      'HRL/0003',
      'CT/0001',
      'HRL/0001',
      'HRL/0004',
    ]);
    const initial = await readModel.listBookings({ limit: 10, status: 'initial', locationCode: 'PET1' });
    expect(initial.items.map((item) => item.accessionNumber)).toEqual(['HRL/0002', 'HRL/0003', 'HRL/0004', 'HRL/0005']);
    await expect(readModel.listBookings({ limit: 10, date: '2026-02-30' })).rejects.toMatchObject({
      code: 'INVALID_READ_QUERY',
    });
  });

  it('regression: a booking whose order is withdrawn reads as to be ordered again, and still names the order', async () => {
    // Given two bookings ordered together, the worklist cancelling one of them
    await booking(importBooking('HRL/0101', '09:00'));
    await booking(importBooking('HRL/0102', '09:30'));
    await onDay(orderPlaced('order-101', ['HRL/0101', 'HRL/0102']));
    await markOrdered('HRL/0101', 'order-101');
    await markOrdered('HRL/0102', 'order-101');
    await booking({ type: 'CancelBooking', accessionNumber: 'HRL/0102', reason: 'ORC-1 CA', at });
    expect(await readModel.getBooking('HRL/0102')).toMatchObject({
      status: 'cancelled-after-order',
      order: { orderId: 'order-101', withdrawn: null },
    });
    const cancelledAfterOrder = await readModel.listBookings({ limit: 10, status: 'cancelled-after-order' });
    expect(cancelledAfterOrder.items.map((item) => item.accessionNumber)).toEqual(['HRL/0102']);

    // When the shop admin withdraws the order
    await onDay({
      type: 'OrderCancelled',
      data: { orderId: 'order-101', previousStatus: 'ordered', reason: 'HRL/0102 cancelled', actingAs: 'shop-admin' },
    });

    // Then the bookings read as the decider takes them given the withdrawn order, naming it
    const [kept, cancelled] = [await readModel.getBooking('HRL/0101'), await readModel.getBooking('HRL/0102')];
    expect(kept).toMatchObject({ status: 'initial', order: { orderId: 'order-101', withdrawn: 'cancelled' } });
    expect(cancelled).toMatchObject({ status: 'cancelled', order: { orderId: 'order-101', withdrawn: 'cancelled' } });
    expect(stateOfRow(kept)).toEqual(bookingOfState(stateOf('HRL/0101'), false));
    expect(stateOfRow(cancelled)).toEqual(bookingOfState(stateOf('HRL/0102'), false));
    const initial = await readModel.listBookings({ limit: 10, status: 'initial', date: monday });
    expect(initial.items.map((item) => item.accessionNumber)).toContain('HRL/0101');

    // And a reinstated order covers them again
    await onDay({
      type: 'OrderReinstated',
      data: { orderId: 'order-101', previousStatus: 'cancelled', reason: 'Mistake' },
    });
    expect(await readModel.getBooking('HRL/0101')).toMatchObject({
      status: 'ordered',
      order: { orderId: 'order-101', withdrawn: null },
    });

    // A re-order after a rejection replaces the reference
    await onDay({
      type: 'OrderRejected',
      data: { orderId: 'order-101', previousStatus: 'accepted', reason: 'No run' },
    });
    await onDay(orderPlaced('order-103', ['HRL/0101']));
    await markOrdered('HRL/0101', 'order-103', false);
    expect(await readModel.getBooking('HRL/0101')).toMatchObject({
      status: 'ordered',
      order: { orderId: 'order-103', withdrawn: null },
    });
  });

  it('a re-import recorded at schema version 1 still reads: it started the booking over without its order', async () => {
    await booking(importBooking('HRL/0201', '09:00'));
    await markOrdered('HRL/0201', 'order-201');
    await bed.appendEvents({
      streamId: bookingStreamName('HRL/0201'),
      type: 'BookingUpdated',
      schemaVersion: 1,
      data: {
        accessionNumber: 'HRL/0201',
        changes: { startTime: { from: '09:00', to: '09:45' } },
        status: { from: 'ordered', to: 'initial' },
      },
    });
    await bed.caughtUp();
    expect(await readModel.getBooking('HRL/0201')).toMatchObject({
      status: 'initial',
      order: null,
      startTime: '09:45',
    });
  });

  it('procedures: defined, then updated in place', async () => {
    const define = (tracerUnits: number, delayMinutes: number) =>
      decide(
        procedureDecider as Decider<unknown, BookingsEvent, unknown>,
        procedureStreamName('WBFDG', 'ep-herlev-pet'),
        {
          type: 'DefineProcedure',
          procedureCode: 'WBFDG',
          endpointId: 'ep-herlev-pet',
          tracerId: 'tracer-fdg',
          tracerUnits,
          delayMinutes,
          isPet: true,
          reason: 'New scanner protocol',
          at,
          refs: { endpoint: activeHerlevPet, tracer: activeFdg },
        },
      );
    await define(300, 15);
    await define(250.5, 20);
    expect(await readModel.getProcedure('WBFDG', 'ep-herlev-pet')).toMatchObject({
      id: 'WBFDG:ep-herlev-pet',
      tracerId: 'tracer-fdg',
      tracerUnits: 250.5,
      delayMinutes: 20,
      isPet: true,
      revision: '1',
    });
    expect((await readModel.proceduresAt('ep-herlev-pet')).map((procedure) => procedure.procedureCode)).toEqual([
      'WBFDG',
    ]);
    expect(await readModel.getProcedure('WBFDG', 'ep-glostrup')).toBeNull();
  });
});
