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
  type BookingsEvent,
  type BookingsEventType,
  type ImportBooking,
} from '@tracershop/domain/bookings';
import { activeFdg, activeHerlevPet } from '@tracershop/domain/catalog/catalog-examples';
import { fold, type Decider } from '@tracershop/domain/kernel';
import { openReadModelTestBed, type ReadModelTestBed } from '../../../test/projections/read-model-test-bed';
import { bookingsProjection } from './bookings-projection';
import { BookingsReadModel } from './bookings-read-model';

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
      schemaVersionOf: (type) => bookingsEventSchemaVersions[type as BookingsEventType],
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

  it('ordering, a re-import, a rejection and a cancellation change the row as they change the state', async () => {
    await booking({
      type: 'MarkBookingOrdered',
      accessionNumber: 'HRL/0001',
      orderId: 'order-1',
      endpointId: 'ep-herlev-pet',
      date: monday,
      at,
    });
    expect(await readModel.getBooking('HRL/0001')).toMatchObject({
      status: 'ordered',
      order: { orderId: 'order-1', endpointId: 'ep-herlev-pet', date: monday },
    });

    await booking(importBooking('HRL/0001', '10:00'));
    const updated = await readModel.getBooking('HRL/0001');
    expect(updated).toMatchObject({ status: 'initial', order: null, startTime: '10:00', revision: '2' });
    const state = fold(bookingDecider, (history.get(bookingStreamName('HRL/0001')) ?? []) as BookingEvent[]);
    const {
      createdAt: _c,
      updatedAt: _u,
      createdPosition: _cp,
      updatedPosition: _up,
      revision: _r,
      endpointId: _e,
      ...row
    } = updated!;
    expect(row).toEqual(state);

    await booking({ type: 'RejectBooking', accessionNumber: 'HRL/0001', reason: 'Declined in mass order', at });
    expect(await readModel.getBooking('HRL/0001')).toMatchObject({
      status: 'rejected',
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
