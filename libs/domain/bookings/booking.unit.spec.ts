import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import {
  bookingDecider,
  bookingStatusWith,
  bookingStreamName,
  type BookingCancelled,
  type BookingOrdered,
  type BookingRejected,
  type BookingUpdated,
  type CancelBooking,
  type MarkBookingOrdered,
  type RejectBooking,
} from './booking';
import { a1Imported, at, importA1, monday } from './bookings-examples';

const spec = specFor(bookingDecider);
const accessionNumber = 'HRL/2026 0001';
/** A1's values as imported: what a mass order plans from. */
const a1Values = {
  locationCode: 'PET1',
  procedureCode: 'WBFDG',
  procedureDescription: 'PET/CT whole body FDG',
  startDate: monday,
  startTime: '09:15',
};
const order: MarkBookingOrdered = {
  type: 'MarkBookingOrdered',
  accessionNumber,
  orderId: 'order-1',
  endpointId: 'ep-herlev-pet',
  date: monday,
  bookingVersion: 1,
  plannedAs: a1Values,
  refs: { order: null },
  at,
};
const ordered: BookingOrdered = {
  type: 'BookingOrdered',
  data: {
    accessionNumber,
    orderId: 'order-1',
    endpointId: 'ep-herlev-pet',
    date: monday,
    orderedAs: a1Values,
    status: 'ordered',
  },
};
/** Order 1 as its delivery day holds it: in force, or withdrawn. */
const order1 = (inForce: boolean) => ({ order: { orderId: 'order-1', inForce } });
const cancel: CancelBooking = { type: 'CancelBooking', accessionNumber, reason: 'ORC-1 CA from RIS', at };
const cancelled: BookingCancelled = {
  type: 'BookingCancelled',
  data: { accessionNumber, reason: 'ORC-1 CA from RIS', previousStatus: 'initial' },
};
const cancelledAfterOrder: BookingCancelled = { ...cancelled, data: { ...cancelled.data, previousStatus: 'ordered' } };
const reject: RejectBooking = {
  type: 'RejectBooking',
  accessionNumber,
  reason: 'Declined in mass order',
  refs: { order: null },
  at,
};
const rejected: BookingRejected = {
  type: 'BookingRejected',
  data: { accessionNumber, reason: 'Declined in mass order', previousStatus: 'initial' },
};
/** The worklist moves the ordered study to another day: its order no longer matches it. */
const movedAfterOrder: BookingUpdated = {
  type: 'BookingUpdated',
  data: {
    accessionNumber,
    changes: { startDate: { from: monday, to: '2026-03-09' } },
    status: { from: 'ordered', to: 'changed-after-order' },
  },
};

describe('Booking', () => {
  it('lives in one stream per accession number, URI-encoded', () => {
    expect(bookingStreamName('HRL/2026 0001')).toBe('bookings.booking-HRL%2F2026%200001');
    expect(bookingStreamName('a-b')).not.toBe(bookingStreamName('a%2Db'));
  });

  describe('ImportBooking', () => {
    it('imports a new booking as initial', () => {
      spec.given([]).when(importA1).then([a1Imported]);
    });

    it('keeps an empty description as none', () => {
      spec
        .given([])
        .when({ ...importA1, procedureDescription: '  ' })
        .then([{ type: 'BookingImported', data: { ...a1Imported.data, procedureDescription: null } }]);
    });

    it('changes nothing when the worklist sends the same values again', () => {
      spec.given([a1Imported]).when(importA1).thenNothing();
      spec.given([a1Imported, ordered]).when(importA1).thenNothing();
      spec
        .given([a1Imported, ordered, movedAfterOrder])
        .when({ ...importA1, startDate: '2026-03-09' })
        .thenNothing();
    });

    it('records old and new values of a re-import, and starts a booking without an order over as initial', () => {
      spec
        .given([a1Imported, rejected])
        .when({ ...importA1, startTime: '10:00', locationCode: 'PET2' })
        .then([
          {
            type: 'BookingUpdated',
            data: {
              accessionNumber,
              changes: { locationCode: { from: 'PET1', to: 'PET2' }, startTime: { from: '09:15', to: '10:00' } },
              status: { from: 'rejected', to: 'initial' },
            },
          },
        ]);
    });

    it('regression: an ordered booking changed by the worklist keeps its order and says it no longer matches', () => {
      // Given a booking ordered for Monday; when the worklist moves it to the next Monday
      spec
        .given([a1Imported, ordered])
        .when({ ...importA1, startDate: '2026-03-09' })
        .then([movedAfterOrder]);
      // Then the booking still holds its order, which is still in force until it is withdrawn
      const state = fold(bookingDecider, [a1Imported, ordered, movedAfterOrder]);
      expect(state).toMatchObject({
        status: 'changed-after-order',
        startDate: '2026-03-09',
        order: { orderId: 'order-1', date: monday },
      });
    });

    it('an ordered booking moved back to the values it was ordered with matches its order again', () => {
      spec
        .given([a1Imported, ordered, movedAfterOrder])
        .when(importA1)
        .then([
          {
            type: 'BookingUpdated',
            data: {
              accessionNumber,
              changes: { startDate: { from: '2026-03-09', to: monday } },
              status: { from: 'changed-after-order', to: 'ordered' },
            },
          },
        ]);
    });

    it('a new description alone leaves an ordered booking ordered: its order is made from the room, procedure and start', () => {
      spec
        .given([a1Imported, ordered])
        .when({ ...importA1, procedureDescription: 'PET/CT FDG, arms up' })
        .then([
          {
            type: 'BookingUpdated',
            data: {
              accessionNumber,
              changes: { procedureDescription: { from: 'PET/CT whole body FDG', to: 'PET/CT FDG, arms up' } },
              status: { from: 'ordered', to: 'ordered' },
            },
          },
        ]);
    });

    it('schedules a cancelled booking again when the worklist sends it again', () => {
      spec
        .given([a1Imported, cancelled])
        .when(importA1)
        .then([
          {
            type: 'BookingUpdated',
            data: { accessionNumber, changes: {}, status: { from: 'cancelled', to: 'initial' } },
          },
        ]);
      // One cancelled after its order is covered by that order again
      spec
        .given([a1Imported, ordered, cancelledAfterOrder])
        .when(importA1)
        .then([
          {
            type: 'BookingUpdated',
            data: { accessionNumber, changes: {}, status: { from: 'cancelled-after-order', to: 'ordered' } },
          },
        ]);
    });

    it.each([
      ['accessionNumber', '', 'FIELD_REQUIRED'],
      ['accessionNumber', ' A1', 'INVALID_CODE'],
      ['accessionNumber', 'x'.repeat(65), 'FIELD_TOO_LONG'],
      ['locationCode', 'PET\u00071', 'INVALID_CODE'],
      ['procedureCode', undefined, 'FIELD_REQUIRED'],
      ['startDate', '2026-02-30', 'INVALID_DATE'],
      ['startTime', '9:15', 'INVALID_TIME'],
    ])('refuses %s %p', (field, value, code) => {
      spec
        .given([])
        .when({ ...importA1, [field]: value })
        .thenThrows(code, { field });
    });
  });

  describe('CancelBooking', () => {
    it('cancels with a reason; the booking stays, cancelled', () => {
      spec.given([a1Imported]).when(cancel).then([cancelled]);
      expect(fold(bookingDecider, [a1Imported, cancelled])).toMatchObject({ status: 'cancelled', order: null });
    });

    it('regression: an ordered booking cancelled by the worklist keeps its order, cancelled after it', () => {
      spec.given([a1Imported, ordered]).when(cancel).then([cancelledAfterOrder]);
      expect(fold(bookingDecider, [a1Imported, ordered, cancelledAfterOrder])).toMatchObject({
        status: 'cancelled-after-order',
        order: { orderId: 'order-1' },
        reason: 'ORC-1 CA from RIS',
      });
    });

    it('cancelling twice changes nothing', () => {
      spec.given([a1Imported, cancelled]).when(cancel).thenNothing();
      spec.given([a1Imported, ordered, cancelledAfterOrder]).when(cancel).thenNothing();
    });

    it('needs a reason and an existing booking', () => {
      spec
        .given([a1Imported])
        .when({ ...cancel, reason: ' ' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      spec.given([]).when(cancel).thenThrows('BOOKING_NOT_FOUND', { accessionNumber });
    });
  });

  describe('MarkBookingOrdered', () => {
    it('records the order that covers the booking', () => {
      spec.given([a1Imported]).when(order).then([ordered]);
      spec
        .given([a1Imported, rejected])
        .when({ ...order, bookingVersion: 2 })
        .then([ordered]);
    });

    it('the same order again changes nothing (a retried mass order)', () => {
      spec.given([a1Imported, ordered]).when(order).thenNothing();
    });

    it('never orders a booking twice while its order is in force, nor a cancelled one', () => {
      spec
        .given([a1Imported, ordered])
        .when({ ...order, orderId: 'order-2', bookingVersion: 2, refs: order1(true) })
        .thenThrows('BOOKING_ALREADY_ORDERED', { orderId: 'order-1', status: 'ordered' });
      spec
        .given([a1Imported, cancelled])
        .when({ ...order, bookingVersion: 2 })
        .thenThrows('BOOKING_CANCELLED');
    });

    it('regression: a booking changed after its order is not ordered again while that order is in force', () => {
      spec
        .given([a1Imported, ordered, movedAfterOrder])
        .when({ ...order, orderId: 'order-2', date: '2026-03-09', bookingVersion: 3, refs: order1(true) })
        .thenThrows('BOOKING_ALREADY_ORDERED', {
          orderId: 'order-1',
          orderDate: monday,
          status: 'changed-after-order',
        });
      // Refs checked against another order than the booking holds count as in force
      spec
        .given([a1Imported, ordered, movedAfterOrder])
        .when({
          ...order,
          orderId: 'order-2',
          date: '2026-03-09',
          bookingVersion: 3,
          refs: { order: { orderId: 'order-0', inForce: false } },
        })
        .thenThrows('BOOKING_ALREADY_ORDERED');
    });

    it('regression: a booking whose order was withdrawn is ordered again, by a new order', () => {
      spec
        .given([a1Imported, ordered])
        .when({ ...order, orderId: 'order-2', bookingVersion: 2, refs: order1(false) })
        .then([{ ...ordered, data: { ...ordered.data, orderId: 'order-2' } }]);
      spec
        .given([a1Imported, ordered, movedAfterOrder])
        .when({ ...order, orderId: 'order-2', date: '2026-03-09', bookingVersion: 3, refs: order1(false) })
        .then([
          {
            ...ordered,
            data: {
              ...ordered.data,
              orderId: 'order-2',
              date: '2026-03-09',
              orderedAs: { ...a1Values, startDate: '2026-03-09' },
            },
          },
        ]);
      // Cancelled after its order, it stays cancelled when the order is withdrawn
      spec
        .given([a1Imported, ordered, cancelledAfterOrder])
        .when({ ...order, orderId: 'order-2', bookingVersion: 3, refs: order1(false) })
        .thenThrows('BOOKING_CANCELLED');
    });

    describe('regression: a booking re-imported or cancelled between the plan and the marking', () => {
      // Given the plan read version 1 (Monday 09:15), and order-1 was placed from it
      const movedToNextMonday: BookingUpdated = {
        type: 'BookingUpdated',
        data: {
          accessionNumber,
          changes: { startDate: { from: monday, to: '2026-03-09' } },
          status: { from: 'initial', to: 'initial' },
        },
      };

      it('when moved to another day meanwhile, then it names the order and reads changed-after-order', () => {
        spec
          .given([a1Imported, movedToNextMonday])
          .when(order)
          .then([{ ...ordered, data: { ...ordered.data, status: 'changed-after-order' } }]);
        const state = fold(bookingDecider, [
          a1Imported,
          movedToNextMonday,
          { ...ordered, data: { ...ordered.data, status: 'changed-after-order' } },
        ]);
        expect(state).toMatchObject({
          status: 'changed-after-order',
          startDate: '2026-03-09',
          order: { orderId: 'order-1', date: monday },
          orderedAs: a1Values,
        });
      });

      it('then it is never ordered again on its new day while that order is in force', () => {
        const marked = { ...ordered, data: { ...ordered.data, status: 'changed-after-order' as const } };
        spec
          .given([a1Imported, movedToNextMonday, marked])
          .when({ ...order, orderId: 'order-2', date: '2026-03-09', bookingVersion: 3, refs: order1(true) })
          .thenThrows('BOOKING_ALREADY_ORDERED', {
            orderId: 'order-1',
            orderDate: monday,
            status: 'changed-after-order',
          });
      });

      it('when cancelled meanwhile, then it names the order, reads cancelled-after-order and keeps why', () => {
        const marked: BookingOrdered = { ...ordered, data: { ...ordered.data, status: 'cancelled-after-order' } };
        spec.given([a1Imported, cancelled]).when(order).then([marked]);
        expect(fold(bookingDecider, [a1Imported, cancelled, marked])).toMatchObject({
          status: 'cancelled-after-order',
          order: { orderId: 'order-1' },
          reason: 'ORC-1 CA from RIS',
        });
      });

      it('when re-imported with the planned values back, then it reads ordered', () => {
        const description: BookingUpdated = {
          type: 'BookingUpdated',
          data: {
            accessionNumber,
            changes: { procedureDescription: { from: 'PET/CT whole body FDG', to: 'FDG' } },
            status: { from: 'initial', to: 'initial' },
          },
        };
        spec
          .given([a1Imported, description])
          .when(order)
          .then([{ ...ordered, data: { ...ordered.data, status: 'ordered' } }]);
      });

      it('when it took another order in force meanwhile, then it is refused, naming that order', () => {
        const other: BookingOrdered = { ...ordered, data: { ...ordered.data, orderId: 'order-0' } };
        spec
          .given([a1Imported, other])
          .when({ ...order, refs: { order: { orderId: 'order-0', inForce: true } } })
          .thenThrows('BOOKING_ALREADY_ORDERED', { orderId: 'order-0' });
      });

      it('a retry of the same mark changes nothing', () => {
        const marked: BookingOrdered = { ...ordered, data: { ...ordered.data, status: 'changed-after-order' } };
        spec.given([a1Imported, movedToNextMonday, marked]).when(order).thenNothing();
      });

      it('needs a booking version and the planned values', () => {
        spec
          .given([a1Imported])
          .when({ ...order, bookingVersion: 0 })
          .thenThrows('INVALID_BOOKING_VERSION', { field: 'bookingVersion' });
        spec
          .given([a1Imported, movedToNextMonday])
          .when({ ...order, plannedAs: undefined as never })
          .thenThrows('INVALID_PLANNED_VALUES', { field: 'plannedAs' });
      });
    });

    it('a mark of schema version 1 (no planned values) reads as ordered with the values then', () => {
      const markedV1: BookingOrdered = {
        type: 'BookingOrdered',
        data: { accessionNumber, orderId: 'order-1', endpointId: 'ep-herlev-pet', date: monday },
      };
      expect(fold(bookingDecider, [a1Imported, markedV1])).toMatchObject({ status: 'ordered', orderedAs: a1Values });
    });

    it('orders only for the booking’s own date', () => {
      spec
        .given([a1Imported])
        .when({ ...order, date: '2026-03-09' })
        .thenThrows('BOOKING_ON_ANOTHER_DATE', { startDate: monday });
    });

    it('a re-import of schema version 1 dropped the order: the booking reads as never ordered', () => {
      const updatedV1: BookingUpdated = {
        type: 'BookingUpdated',
        data: {
          accessionNumber,
          changes: { startTime: { from: '09:15', to: '10:00' } },
          status: { from: 'ordered', to: 'initial' },
        },
      };
      spec
        .given([a1Imported, ordered, updatedV1])
        .when({ ...order, orderId: 'order-2', bookingVersion: 3 })
        .then([
          { ...ordered, data: { ...ordered.data, orderId: 'order-2', orderedAs: { ...a1Values, startTime: '10:00' } } },
        ]);
    });
  });

  describe('RejectBooking', () => {
    it('declines an initial booking with a reason', () => {
      spec.given([a1Imported]).when(reject).then([rejected]);
    });

    it('declining twice changes nothing', () => {
      spec.given([a1Imported, rejected]).when(reject).thenNothing();
    });

    it('cannot decline what an order in force covers, or what is cancelled', () => {
      spec
        .given([a1Imported, ordered])
        .when({ ...reject, refs: order1(true) })
        .thenThrows('BOOKING_ALREADY_ORDERED');
      spec
        .given([a1Imported, ordered, movedAfterOrder])
        .when({ ...reject, refs: order1(true) })
        .thenThrows('BOOKING_ALREADY_ORDERED', { status: 'changed-after-order' });
      spec.given([a1Imported, cancelled]).when(reject).thenThrows('BOOKING_CANCELLED');
      spec.given([]).when(reject).thenThrows('BOOKING_NOT_FOUND');
    });

    it('regression: declines a booking whose order was withdrawn', () => {
      spec
        .given([a1Imported, ordered])
        .when({ ...reject, refs: order1(false) })
        .then([{ ...rejected, data: { ...rejected.data, previousStatus: 'ordered' } }]);
    });
  });

  describe('bookingStatusWith', () => {
    const withOrder = { orderId: 'order-1', endpointId: 'ep-herlev-pet', date: monday };
    it.each([
      ['ordered', true, 'ordered'],
      ['ordered', false, 'initial'],
      ['changed-after-order', true, 'changed-after-order'],
      ['changed-after-order', false, 'initial'],
      ['cancelled-after-order', true, 'cancelled-after-order'],
      ['cancelled-after-order', false, 'cancelled'],
    ] as const)('a booking %s whose order is in force: %p reads %s', (status, inForce, expected) => {
      expect(bookingStatusWith({ status, order: withOrder }, inForce)).toBe(expected);
    });

    it('a booking without an order reads its own status', () => {
      expect(bookingStatusWith({ status: 'rejected', order: null }, false)).toBe('rejected');
    });
  });

  it('folds into the booking the API shows, with its version and the values it was ordered with', () => {
    const state = [a1Imported, ordered].reduce(bookingDecider.evolve, bookingDecider.initialState());
    const { accessionNumber: _accessionNumber, status: _status, ...details } = a1Imported.data;
    expect(state).toEqual({
      ...a1Imported.data,
      status: 'ordered',
      order: { orderId: 'order-1', endpointId: 'ep-herlev-pet', date: monday },
      reason: null,
      version: 2,
      orderedAs: details,
    });
  });
});
