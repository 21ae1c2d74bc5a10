import { bookingsEventTypes } from '@tracershop/domain/bookings';
import type { RecordedEvent } from '@tracershop/event-store';
import { assertValidProjection, eventMatcher } from '@tracershop/projections/engine';
import { bookingsProjection } from './bookings-projection';

describe('record.bookings definition', () => {
  it('is a valid record projection', () => {
    expect(() => assertValidProjection(bookingsProjection)).not.toThrow();
    expect(bookingsProjection).toMatchObject({ name: 'record.bookings', version: 2, target: 'record' });
  });

  it('handles every bookings event from bookings streams, and the withdrawals of orders from delivery days', () => {
    expect([...bookingsProjection.eventTypes].sort()).toEqual(
      [...bookingsEventTypes, 'OrderPlaced', 'OrderRejected', 'OrderCancelled', 'OrderReinstated'].sort(),
    );
    const handles = eventMatcher(bookingsProjection);
    const event = (type: string, streamId: string) => ({ type, streamId }) as RecordedEvent;
    expect(handles(event('BookingImported', 'bookings.booking-A1'))).toBe(true);
    expect(handles(event('BookingImported', 'catalog.booking-A1'))).toBe(false);
    expect(handles(event('OrderCancelled', 'ordering.deliveryDay-ep-herlev-pet:2026-03-02'))).toBe(true);
    expect(handles(event('OrderAccepted', 'ordering.deliveryDay-ep-herlev-pet:2026-03-02'))).toBe(false);
  });

  it('declares its four tables', () => {
    expect(Object.keys(bookingsProjection.tables).sort()).toEqual([
      'bookings_bookings',
      'bookings_locations',
      'bookings_orders',
      'bookings_procedures',
    ]);
    for (const ddl of Object.values(bookingsProjection.tables)) {
      expect(ddl('`db`.`t`')).toMatch(/^\s*CREATE TABLE `db`\.`t` \([\s\S]+\) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4/);
    }
  });
});
