import {
  deliveryEndpointDecider,
  deliveryTimeSlotDecider,
  tracerPermissionDecider,
  type DeliveryEndpointRegistered,
  type DeliveryTimeSlotScheduled,
  type TracerPermissionGranted,
} from '@tracershop/domain/catalog';
import { fold } from '@tracershop/domain/kernel';
import type { PlaceActivityOrder } from '@tracershop/domain/ordering';
import {
  catalogue,
  date,
  dayCommand,
  fdgPermission,
  herlevPet,
  placeFdg,
  slot0800,
  staff,
} from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

/**
 * Regression (review legacy-projection, finding 4): the old system knows one delivery endpoint per
 * customer. Herlev's PET centre and its nuclear medicine department both receiving FDG at 08:00
 * from run 1 made two `orders` rows with one (BID, deliver_datetime, run), and the old customer
 * app's `InsertOrder` for that slot failed ("Result consisted of more than one row", O1). The days
 * of a customer's endpoints now make their rows together: one row per key, as `InsertOrder` merges.
 */
describe("legacy.tracershop: a customer's endpoints delivered at one time from one run share one orders row", () => {
  let bed: LegacyTestBed;
  const nuc: DeliveryEndpointRegistered = {
    type: 'DeliveryEndpointRegistered',
    data: { ...herlevPet.data, endpointId: 'ep-herlev-nuc', name: 'Nuklearmedicin' },
  };
  const nuc0800: DeliveryTimeSlotScheduled = {
    type: 'DeliveryTimeSlotScheduled',
    data: { ...slot0800.data, slotId: 'slot-nuc-0800', endpointId: 'ep-herlev-nuc', legacyId: 38 },
  };
  const nucFdg: TracerPermissionGranted = {
    type: 'TracerPermissionGranted',
    data: { ...fdgPermission.data, endpointId: 'ep-herlev-nuc', legacyId: 58 },
  };
  /** An FDG order of the nuclear medicine department for 08:00. */
  const placeAtNuc = (orderId: string, legacyOid: number, activityMBq: number): PlaceActivityOrder => {
    const command = placeFdg(orderId, legacyOid, '08:00', activityMBq);
    return {
      ...command,
      endpointId: 'ep-herlev-nuc',
      slotId: 'slot-nuc-0800',
      refs: {
        ...command.refs,
        slot: fold(deliveryTimeSlotDecider, [nuc0800]),
        endpoint: fold(deliveryEndpointDecider, [nuc]),
        permission: fold(tracerPermissionDecider, [nucFdg]),
      },
    };
  };
  /** OID, BID, deliver_datetime, run, status, amount, total_amount of every row of the date. */
  const rows = async () =>
    (await bed.positional('orders', 'OID'))
      .filter((row) => String(row[4]).startsWith(date))
      .map((row) => [row[1], row[0], row[4], row[8], row[5], row[3], row[10]]);

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_two_endpoints');
    await bed.given(...catalogue, ...staff, nuc, nuc0800, nucFdg);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given an 08:00 order at each endpoint, then the old system reads one row with both amounts', async () => {
    await bed.decideDay(placeFdg('pet-1', 1002, '08:00', 1000));
    await bed.decideDay(placeAtNuc('nuc-1', 1004, 500));

    expect(await rows()).toEqual([[1002, 42, `${date} 08:00:00`, 1, 1, 1500, 1500]]);
  });

  it("given the first endpoint's order cancelled, then the row is the other endpoint's order alone", async () => {
    await bed.decideDay({
      type: 'CancelOrder',
      ...dayCommand,
      orderId: 'pet-1',
      reason: 'Patient cancelled',
      actingAs: 'production',
      ghostLegacyOid: 9000,
      now: { date: '2026-02-27', time: '09:00' },
      deadline: { kind: 'daily', time: '13:00' },
    });

    expect(await rows()).toEqual([[1004, 42, `${date} 08:00:00`, 1, 1, 500, 500]]);
  });
});
