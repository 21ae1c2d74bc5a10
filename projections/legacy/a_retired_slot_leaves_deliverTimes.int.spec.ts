import type { DeliveryTimeSlotUpdated } from '@tracershop/domain/catalog';
import { catalogue, endpointId } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

/**
 * Regression (review legacy-projection, finding 2): the old system reads `deliverTimes` as the slots
 * it may order in (O2), so a slot that no longer delivers must leave it, or the old customer app
 * keeps taking orders Tracershop refuses. A slot delivers on dates strictly before its expiry date;
 * time passing is not an event of its own, so the worker records each business date as it begins
 * (`BusinessDateBegan`) and the projection, which has no clock, follows it.
 */
describe('legacy.tracershop: a slot that no longer delivers leaves deliverTimes', () => {
  let bed: LegacyTestBed;
  /** DTIDs of Herlev's FDG delivery times (08:00 is 30, 09:00 is 32, 10:30 is 34). */
  const offered = async () => (await bed.positional('deliverTimes', 'DTID')).map((row) => row[5]);
  const expiry = (from: string | null, to: string | null): DeliveryTimeSlotUpdated => ({
    type: 'DeliveryTimeSlotUpdated',
    data: { slotId: 'slot-0900', changes: { expiryDate: { from, to } }, reason: 'The department closes its 09:00' },
  });

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_retired');
    await bed.given(...catalogue);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given an expiry date set to today, then the slot leaves; moved to a later date, it is back', async () => {
    expect(await offered()).toEqual([30, 32, 34]);
    // 2026-03-02 in Copenhagen
    bed.occurredAt = '2026-03-02T09:00:00.000Z';
    await bed.given(expiry(null, '2026-03-02'));
    expect(await offered()).toEqual([30, 34]);

    await bed.given(expiry('2026-03-02', '2026-04-01'));
    expect(await offered()).toEqual([30, 32, 34]);
  });

  it('given an expiry date in the future, when that date begins, then the slot leaves', async () => {
    await bed.given({ type: 'BusinessDateBegan', data: { date: '2026-03-31' } });
    expect(await offered()).toEqual([30, 32, 34]);

    await bed.given({ type: 'BusinessDateBegan', data: { date: '2026-04-01' } });
    expect(await offered()).toEqual([30, 34]);

    // A later event of the slot (here a new maximum) judged by an older clock does not bring it back
    bed.occurredAt = '2026-03-30T09:00:00.000Z';
    await bed.given({
      type: 'DeliveryTimeSlotUpdated',
      data: { slotId: 'slot-0900', changes: { maxActivityMBq: { from: null, to: 4000 } }, reason: 'A larger dose' },
    });
    expect(await offered()).toEqual([30, 34]);
  });

  it('given the endpoint archived, then all its slots leave; restored, its slots that still deliver are back', async () => {
    await bed.given({ type: 'DeliveryEndpointArchived', data: { endpointId, reason: 'Moved to the new building' } });
    expect(await offered()).toEqual([]);

    await bed.given({ type: 'DeliveryEndpointRestored', data: { endpointId, reason: 'Back after all' } });
    expect(await offered()).toEqual([30, 34]);
  });
});
