import { LEGACY_PROJECTION_NAME } from './legacy-projection';
import { catalogue, date, dayCommand, endpointId, placeFdg, staff } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

const dayId = `${endpointId}:${date}`;

describe('legacy.tracershop: a delivery day is stored as a head and a row per order', () => {
  let bed: LegacyTestBed;

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_day_rows');
  });

  afterAll(async () => {
    await bed.close();
  });

  type StateRow = { kind: string; id: string; parentId: string | null; state: string };
  const stateRows = async () =>
    (await bed.rows(
      `SELECT kind, id, parent_id AS parentId, state FROM legacy_state
        WHERE kind IN ('deliveryDay', 'dayOrder') ORDER BY kind, id`,
    )) as StateRow[];

  it('writes the orders an event changes, and splits a day stored whole at its next event', async () => {
    // Given a day with two orders
    await bed.given(...catalogue, ...staff);
    await bed.decideDay(placeFdg('order-1', 1002, '08:00', 1000));
    await bed.decideDay(placeFdg('order-2', 1004, '10:30', 500));

    // Then the head holds no orders and each order has its row under the day
    const split = await stateRows();
    expect(split.map(({ kind, id, parentId }) => [kind, id, parentId])).toEqual([
      ['dayOrder', `${dayId}/order-1`, dayId],
      ['dayOrder', `${dayId}/order-2`, dayId],
      ['deliveryDay', dayId, null],
    ]);
    const head = JSON.parse(split[2]?.state ?? '{}') as Record<string, unknown>;
    expect(head).not.toHaveProperty('orders');
    expect(head).toMatchObject({ endpointId, date, nextSeq: 3 });

    // When an event changes one order, only that order's row changes
    const order2Before = split[1]?.state;
    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId: 'order-1' });
    const afterAccept = await stateRows();
    expect(JSON.parse(afterAccept[0]?.state ?? '{}')).toMatchObject({ orderId: 'order-1', status: 'accepted' });
    expect(afterAccept[1]?.state).toBe(order2Before);

    // Given the day as it was stored before orders had rows: the whole day in its head
    const orders = Object.fromEntries(
      afterAccept
        .filter((row) => row.kind === 'dayOrder')
        .map((row) => JSON.parse(row.state) as { orderId: string })
        .map((order) => [order.orderId, order]),
    );
    const wholeDay = { ...(JSON.parse(afterAccept[2]?.state ?? '{}') as object), orders };
    await bed.pool.query("DELETE FROM legacy_state WHERE kind = 'dayOrder'");
    await bed.pool.query("UPDATE legacy_state SET state = ? WHERE kind = 'deliveryDay' AND id = ?", [
      JSON.stringify(wholeDay),
      dayId,
    ]);

    // When the day's next events arrive
    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId: 'order-2' });
    await bed.decideDay(placeFdg('order-3', 1006, '08:00', 250));

    // Then its orders were read from the head, and the day is stored split again
    const resplit = await stateRows();
    expect(resplit.map(({ kind, id }) => [kind, id])).toEqual([
      ['dayOrder', `${dayId}/order-1`],
      ['dayOrder', `${dayId}/order-2`],
      ['dayOrder', `${dayId}/order-3`],
      ['deliveryDay', dayId],
    ]);
    expect(JSON.parse(resplit[3]?.state ?? '{}')).not.toHaveProperty('orders');
    expect(resplit.slice(0, 3).map((row) => (JSON.parse(row.state) as { status: string }).status)).toEqual([
      'accepted',
      'accepted',
      'ordered',
    ]);
    // And the old system's rows and our state equal a rebuild's from the events
    // (OID, amount, status: order-3 joined order-1 in its slot's row)
    const legacyOrders = await bed.positional('orders', 'OID');
    expect(legacyOrders.map((row) => [row[1], row[3], row[5]])).toEqual([
      [1002, 1250, 1],
      [1004, 500, 2],
    ]);
    await bed.engine.rebuild(LEGACY_PROJECTION_NAME);
    expect(await bed.positional('orders', 'OID')).toEqual(legacyOrders);
    expect(await stateRows()).toEqual(resplit);
  });
});
