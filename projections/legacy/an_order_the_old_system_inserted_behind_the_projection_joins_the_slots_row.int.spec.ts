import { catalogue, date, ordersRow, placeFdg, staff } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

/**
 * Regression (review legacy-projection, finding 1): the old customer app's `InsertOrder` for a slot
 * whose row Tracershop had not written yet (the projection behind) inserted a row of its own; once
 * synced, its order joined Tracershop's row and the old row stayed beside it: two rows for one
 * (BID, deliver_datetime, run), the 300 MBq counted twice, and the next `InsertOrder` failing.
 */
describe('an order the old system inserted while the projection was behind', () => {
  let bed: LegacyTestBed;
  const orders = () => bed.positional('orders', 'OID');

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_behind');
    await bed.given(...catalogue, ...staff);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given Tracershop’s order of the slot written after the old system’s insert, when the insert is synced, then the slot has one row holding both', async () => {
    // Given Z (1000 MBq, Tracershop's, OID 2000) for Herlev 10:30, whose row the old system did not
    // see yet when the customer app inserted row 1001 (300 MBq) for the same slot
    await bed.reader.query(
      `INSERT INTO orders (BID, OID, amount, amount_o, total_amount, total_amount_o, deliver_datetime, run, status, COID,
         batchnr, frigivet_datetime, tracer, comment, userName)
       VALUES (42, 1001, 300, 330, 300, 330, '${date} 10:30:00', 2, 1, -1, '', '0000-01-01 00:00:00', 6, NULL, 'anne')`,
    );
    await bed.decideDay(placeFdg('order-z', 2000, '10:30', 1000));

    // When the sync's order for row 1001 (its captured insert) is projected
    await bed.decideDay(placeFdg('old-1001', 1001, '10:30', 300), {
      table: 'orders',
      primaryKey: '1001',
      operation: 'insert',
    });

    // Then the old system reads one row for (42, 10:30, run 2), with both orders' 1300 MBq
    expect(await orders()).toEqual([
      ordersRow({
        OID: 2000,
        order_time: '2026-02-27 09:00:00',
        amount: 1300,
        deliver_datetime: `${date} 10:30:00`,
        status: 1,
        run: 2,
        total_amount: 1300,
        amount_o: 1430,
        total_amount_o: 1430,
      }),
    ]);
  });
});
