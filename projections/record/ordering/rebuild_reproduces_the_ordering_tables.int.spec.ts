import { at, date, endpointId, placeFdg } from '@tracershop/domain/ordering/ordering-examples';
import { ORDERING_PROJECTION_NAME } from './ordering-projection';
import { orderingTables } from './ordering-tables';
import { openOrderingTestBed, type OrderingTestBed, type Row } from './test-support/ordering-test-bed';
import { playMonday } from './test-support/ordering-scenario';

describe('rebuild of record.ordering', () => {
  let bed: OrderingTestBed;

  beforeAll(async () => {
    bed = await openOrderingTestBed('ord_rebuild');
  });

  afterAll(async () => {
    await bed.close();
  });

  /** Every row of every table and every table's definition, in a comparable order. */
  async function snapshot(): Promise<Record<string, { definition: string; rows: Row[] }>> {
    const tables: Record<string, { definition: string; rows: Row[] }> = {};
    for (const table of Object.values(orderingTables)) {
      const [created] = await bed.rows(`SHOW CREATE TABLE ${table}`);
      const rows = await bed.rows(`SELECT * FROM ${table}`);
      const key = (row: Row) => JSON.stringify(row);
      tables[table] = {
        definition: String(created['Create Table']),
        rows: rows.sort((a, b) => (key(a) < key(b) ? -1 : 1)),
      };
    }
    return tables;
  }

  it('rebuilds identical tables from the event store, and the live runner goes on from them', async () => {
    const events = await playMonday(bed);
    const before = await snapshot();
    for (const table of Object.values(orderingTables)) expect(before[table].rows.length).toBeGreaterThan(0);
    const board = await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' });

    const report = await bed.engine.rebuild(ORDERING_PROJECTION_NAME);

    expect(report).toMatchObject({ projection: ORDERING_PROJECTION_NAME, version: 6, replacedVersion: 6 });
    expect(report.eventsHandled).toBe(events.length);
    expect(await snapshot()).toEqual(before);
    expect(await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' })).toEqual(board);
    const leftovers = await bed.rows(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE '%\\_\\_v%'",
      [bed.recordDatabase],
    );
    expect(leftovers).toEqual([]);

    await bed.decideDay(placeFdg({ orderId: 'order-5', legacyOid: 1005, activityMBq: 300, at }));
    expect(await bed.readModel.locateOrder('order-5')).toEqual({
      kind: 'activity',
      endpointId,
      customerId: 'cust-herlev',
      deliveryDate: date,
    });
    expect((await bed.readModel.getOrder('order-1'))!.history).toHaveLength(
      before.ordering_order_history.rows.filter((row) => row.order_id === 'order-1').length,
    );
  });

  it('given batches of a few events, then later batches build on what the first wrote: identical tables', async () => {
    // Given the history so far as the live runner projected it
    await bed.caughtUp();
    const before = await snapshot();

    // When it is rebuilt three events per shadow transaction: only the first starts on empty tables
    const report = await bed.rebuildInBatchesOf(3);

    // Then every row is the same, each order's history numbered on from what an earlier batch wrote
    expect(report.eventsRead).toBeGreaterThan(9);
    expect(await snapshot()).toEqual(before);
  });
});
