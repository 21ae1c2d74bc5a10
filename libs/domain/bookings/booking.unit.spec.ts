import { specFor } from '../kernel/decider-spec';
import {
  bookingDecider,
  bookingStreamName,
  type BookingCancelled,
  type BookingOrdered,
  type BookingRejected,
  type CancelBooking,
  type MarkBookingOrdered,
  type RejectBooking,
} from './booking';
import { a1Imported, at, importA1, monday } from './bookings-examples';

const spec = specFor(bookingDecider);
const accessionNumber = 'HRL/2026 0001';
const order: MarkBookingOrdered = {
  type: 'MarkBookingOrdered',
  accessionNumber,
  orderId: 'order-1',
  endpointId: 'ep-herlev-pet',
  date: monday,
  at,
};
const ordered: BookingOrdered = {
  type: 'BookingOrdered',
  data: { accessionNumber, orderId: 'order-1', endpointId: 'ep-herlev-pet', date: monday },
};
const cancel: CancelBooking = { type: 'CancelBooking', accessionNumber, reason: 'ORC-1 CA from RIS', at };
const cancelled: BookingCancelled = {
  type: 'BookingCancelled',
  data: { accessionNumber, reason: 'ORC-1 CA from RIS', previousStatus: 'initial' },
};
const reject: RejectBooking = { type: 'RejectBooking', accessionNumber, reason: 'Declined in mass order', at };
const rejected: BookingRejected = {
  type: 'BookingRejected',
  data: { accessionNumber, reason: 'Declined in mass order', previousStatus: 'initial' },
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
    });

    it('records old and new values of a re-import, and starts the booking over as initial', () => {
      spec
        .given([a1Imported, ordered])
        .when({ ...importA1, startTime: '10:00', locationCode: 'PET2' })
        .then([
          {
            type: 'BookingUpdated',
            data: {
              accessionNumber,
              changes: { locationCode: { from: 'PET1', to: 'PET2' }, startTime: { from: '09:15', to: '10:00' } },
              status: { from: 'ordered', to: 'initial' },
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
      spec
        .given([a1Imported, ordered])
        .when(cancel)
        .then([{ ...cancelled, data: { ...cancelled.data, previousStatus: 'ordered' } }]);
    });

    it('cancelling twice changes nothing', () => {
      spec.given([a1Imported, cancelled]).when(cancel).thenNothing();
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
      spec.given([a1Imported, rejected]).when(order).then([ordered]);
    });

    it('the same order again changes nothing (a retried mass order)', () => {
      spec.given([a1Imported, ordered]).when(order).thenNothing();
    });

    it('never orders a booking twice, nor a cancelled one', () => {
      spec
        .given([a1Imported, ordered])
        .when({ ...order, orderId: 'order-2' })
        .thenThrows('BOOKING_ALREADY_ORDERED', { orderId: 'order-1' });
      spec.given([a1Imported, cancelled]).when(order).thenThrows('BOOKING_CANCELLED');
    });

    it('orders only for the booking’s own date', () => {
      spec
        .given([a1Imported])
        .when({ ...order, date: '2026-03-09' })
        .thenThrows('BOOKING_ON_ANOTHER_DATE', { startDate: monday });
    });

    it('an updated booking can be ordered again', () => {
      const updated = {
        type: 'BookingUpdated' as const,
        data: {
          accessionNumber,
          changes: { startTime: { from: '09:15', to: '10:00' } },
          status: { from: 'ordered' as const, to: 'initial' as const },
        },
      };
      spec
        .given([a1Imported, ordered, updated])
        .when({ ...order, orderId: 'order-2' })
        .then([{ ...ordered, data: { ...ordered.data, orderId: 'order-2' } }]);
    });
  });

  describe('RejectBooking', () => {
    it('declines an initial booking with a reason', () => {
      spec.given([a1Imported]).when(reject).then([rejected]);
    });

    it('declining twice changes nothing', () => {
      spec.given([a1Imported, rejected]).when(reject).thenNothing();
    });

    it('cannot decline what is ordered or cancelled', () => {
      spec.given([a1Imported, ordered]).when(reject).thenThrows('BOOKING_ALREADY_ORDERED');
      spec.given([a1Imported, cancelled]).when(reject).thenThrows('BOOKING_CANCELLED');
      spec.given([]).when(reject).thenThrows('BOOKING_NOT_FOUND');
    });
  });

  it('folds into the booking the API shows', () => {
    const state = [a1Imported, ordered].reduce(bookingDecider.evolve, bookingDecider.initialState());
    expect(state).toEqual({
      ...a1Imported.data,
      status: 'ordered',
      order: { orderId: 'order-1', endpointId: 'ep-herlev-pet', date: monday },
      reason: null,
    });
  });
});
