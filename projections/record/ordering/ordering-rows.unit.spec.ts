import { activityServedWithOverhead, deliveryDayStreamName, type ActivityOrder } from '@tracershop/domain/ordering';
import { at0900, at1030, factor1030To0900, order1At1030 } from '@tracershop/domain/ordering/ordering-examples';
import {
  changedColumns,
  deliveryDayOfStream,
  distinctLots,
  historyDetails,
  injectionOrderChangeColumns,
  servedActivityMBq,
  vialMeasurementColumns,
} from './ordering-rows';

describe('ordering row mappings', () => {
  it('reads endpoint and date back from a delivery-day stream, also for ids with reserved characters', () => {
    for (const endpointId of ['ep-herlev-pet', 'ep:with:colons', 'ep.x_y-z']) {
      expect(deliveryDayOfStream(deliveryDayStreamName(endpointId, '2026-03-02'))).toEqual({
        endpointId,
        date: '2026-03-02',
      });
    }
    for (const streamId of [
      'ordering.vial-FDG-260302-1@2026-03-02T09:48:12',
      'ordering.deliveryDay-:2026-03-02',
      'x',
    ]) {
      expect(() => deliveryDayOfStream(streamId)).toThrow(/not a delivery-day stream/);
    }
  });

  it('computes served activity as the domain does, to the last bit', () => {
    const placed = order1At1030.data.order as ActivityOrder;
    const moved: ActivityOrder = {
      ...placed,
      status: 'accepted',
      releaseId: null,
      movedTo: { ...at0900, decayFactor: factor1030To0900 },
    };
    expect(servedActivityMBq(1000, factor1030To0900, 10)).toBe(activityServedWithOverhead(moved));
    expect(servedActivityMBq(1000, 1, 10)).toBe(activityServedWithOverhead({ ...moved, movedTo: null }));
    // F-18: 1000 MBq for 10:30 served at 09:00 ≈ 1765 MBq, ≈ 1942 MBq with 10 % overhead.
    expect(Math.round(servedActivityMBq(1000, factor1030To0900, 0))).toBe(1765);
    expect(Math.round(servedActivityMBq(1000, factor1030To0900, 10))).toBe(1942);
    expect(at1030.deliveryTime).toBe('10:30');
  });

  it('keeps everything but the order id in a history entry', () => {
    expect(historyDetails({ orderId: 'order-1', reason: 'Run dropped', decayFactor: 1.5 })).toEqual({
      reason: 'Run dropped',
      decayFactor: 1.5,
    });
    expect(historyDetails({ releaseId: 'release-1', orderIds: ['order-1'] })).toEqual({
      releaseId: 'release-1',
      orderIds: ['order-1'],
    });
  });

  it('lists each released lot once, in vial order', () => {
    expect(distinctLots([{ lot: 'FDG-260302-2' }, { lot: 'FDG-260302-1' }, { lot: 'FDG-260302-2' }])).toEqual([
      'FDG-260302-2',
      'FDG-260302-1',
    ]);
  });

  it('maps the `to` side of each change to its column, and refuses a field it has no column for', () => {
    expect(
      changedColumns(
        injectionOrderChangeColumns,
        { usage: { from: 'human', to: 'animal' }, comment: { from: 'x', to: null } },
        'InjectionOrderChanged',
      ),
    ).toEqual({ injection_usage: 'animal', comment: null });
    expect(changedColumns(vialMeasurementColumns, { netG: { from: 5, to: 5.3 } }, 'VialCorrected')).toEqual({
      net_g: 5.3,
    });
    expect(() => changedColumns(vialMeasurementColumns, { colour: { from: 'a', to: 'b' } }, 'VialCorrected')).toThrow(
      /VialCorrected changes colour/,
    );
    expect(() => changedColumns(vialMeasurementColumns, { toString: { from: 'a', to: 'b' } }, 'VialCorrected')).toThrow(
      /toString/,
    );
  });
});
