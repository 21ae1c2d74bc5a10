import type { LegacyIdBlockReserved } from '@tracershop/domain/legacy';
import { MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';
import { createLegacyProjection } from './legacy-projection';
import { reconcileLegacyTables } from './legacy-reconciliation';
import { catalogue, dayCommand, placeFdg, staff } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

/** Tracershop's block of orders ids: the fixtures' OIDs 1002 … lie in it. */
const ordersBlock: LegacyIdBlockReserved = {
  type: 'LegacyIdBlockReserved',
  data: { table: 'orders', firstId: 1000, lastId: 1098, step: 2 },
};

describe('reconciliation of the legacy tables with the record', () => {
  let bed: LegacyTestBed;
  const reconcile = () =>
    reconcileLegacyTables({
      store: bed.store,
      connection: { ...MYSQL_TEST_CONNECTION, database: undefined },
      liveDatabase: bed.database,
      projection: createLegacyProjection({ timeZone: 'Europe/Copenhagen' }),
    });

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_recon');
    await bed.given(ordersBlock, ...catalogue, ...staff);
    await bed.decideDay(placeFdg('order-1', 1002, '08:00', 1000));
    await bed.decideDay(placeFdg('order-2', 1006, '10:30', 600));
    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId: 'order-1' });
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given live tables as the projection wrote them, then the rebuild from the record matches every row', async () => {
    const result = await reconcile();
    expect(result.differenceCount).toBe(0);
    expect(result.differences).toEqual([]);
    const rows = Object.fromEntries(result.tables.map((table) => [table.table, table.rows]));
    expect(rows).toMatchObject({ orders: 2, deliverTimes: 3, Users: 3 });
    // The scratch database is gone
    const [scratch] = await bed.reader.query("SHOW DATABASES LIKE '%\\_reconcile\\_%'");
    expect(scratch).toEqual([]);
  });

  it('given rows changed, removed and added behind the projection, then each is named; the old system’s own rows are not', async () => {
    await bed.reader.query('UPDATE orders SET amount = 1 WHERE OID = 1002');
    await bed.reader.query('DELETE FROM deliverTimes WHERE DTID = 34');
    // An even id of Tracershop's block that the record never made, and an old-system row (odd id)
    await bed.reader.query(
      `INSERT INTO orders (BID, OID, amount, deliver_datetime, status, batchnr, run, COID, total_amount,
         frigivet_datetime, amount_o, total_amount_o, tracer)
       VALUES (42, 1010, 5, '2026-03-02 08:00:00', 1, '', 1, -1, 5, '0000-01-01 00:00:00', 5, 5, 6),
              (42, 1011, 7, '2026-03-02 08:00:00', 1, '', 1, -1, 7, '0000-01-01 00:00:00', 7, 7, 6)`,
    );

    const result = await reconcile();
    expect(result.differences).toEqual([
      {
        table: 'orders',
        kind: 'different',
        key: { OID: 1002 },
        // The write stamped order_time too (ON UPDATE CURRENT_TIMESTAMP), as the old system's writes do
        columns: [
          { column: 'order_time', live: expect.any(String), rebuilt: '2026-03-02 07:00:00' },
          { column: 'amount', live: 1, rebuilt: 1000 },
        ],
      },
      { table: 'orders', kind: 'extra', key: { OID: 1010 } },
      { table: 'deliverTimes', kind: 'missing', key: { DTID: 34 } },
    ]);
    expect(result.tables.find((table) => table.table === 'orders')).toMatchObject({
      different: 1,
      extra: 1,
      missing: 0,
    });
  });
});
