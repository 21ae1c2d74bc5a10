import type { RecordedEvent } from '@tracershop/event-store';
import { deliveryTimeSlotStreamName } from '@tracershop/domain/catalog';
import { deliveryDayStreamName, orderingEventTypes, vialStreamName } from '@tracershop/domain/ordering';
import { assertValidProjection, eventMatcher } from '@tracershop/projections/engine';
import { recordProjections } from '..';
import { orderingProjection, orderingRecordEventTypes } from './ordering-projection';

describe('record.ordering definition', () => {
  it('is a valid record projection of version 1, run with the other record projections', () => {
    expect(() => assertValidProjection(orderingProjection)).not.toThrow();
    expect(orderingProjection).toMatchObject({ name: 'record.ordering', version: 6, target: 'record' });
    expect(recordProjections).toContain(orderingProjection);
  });

  it('handles every ordering event, from delivery-day and vial streams, and a delivery time slot rescheduled', () => {
    expect([...orderingRecordEventTypes].sort()).toEqual([...orderingEventTypes, 'DeliveryTimeSlotUpdated'].sort());
    const handles = eventMatcher(orderingProjection);
    const event = (type: string, streamId: string) => ({ type, streamId }) as RecordedEvent;
    expect(handles(event('OrderPlaced', deliveryDayStreamName('ep-herlev-pet', '2026-03-02')))).toBe(true);
    expect(handles(event('VialAssigned', vialStreamName('FDG-260302-1@2026-03-02T09:48:12')))).toBe(true);
    // The order sessions context records its own OrderPlaced.
    expect(handles(event('OrderPlaced', 'sessions.orderSession-42'))).toBe(false);
    expect(handles(event('TracerRegistered', 'catalog.tracer-fdg'))).toBe(false);
    expect(handles(event('DeliveryTimeSlotUpdated', deliveryTimeSlotStreamName('slot-herlev-mon-1030')))).toBe(true);
  });

  it('declares the five ordering tables under their snake_case names', () => {
    expect(Object.keys(orderingProjection.tables).sort()).toEqual([
      'ordering_ghosts',
      'ordering_order_history',
      'ordering_orders',
      'ordering_releases',
      'ordering_vials',
    ]);
    for (const ddl of Object.values(orderingProjection.tables)) {
      expect(ddl('`db`.`t`')).toMatch(/^\s*CREATE TABLE `db`\.`t` \([\s\S]+\) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4/);
    }
  });
});
