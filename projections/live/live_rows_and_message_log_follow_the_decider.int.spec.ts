import { fold } from '@tracershop/domain/kernel';
import {
  deliveryDayDecider,
  deliveryDayStreamName,
  orderingEventSchemaVersions,
  type DeliveryDayEvent,
  type OrderingEventType,
} from '@tracershop/domain/ordering';
import {
  accepted,
  at0900,
  date,
  endpointId,
  fdgPlaced,
  ghostAt0900,
  order1At1030,
  order1MovedTo0900,
  order2At0900,
} from '@tracershop/domain/ordering/ordering-examples';
import { compareKeys, keyAfterPositionText, START_KEY, type MessageKey } from '@tracershop/realtime';
import { openReadModelTestBed, type ReadModelTestBed } from '../../test/projections/read-model-test-bed';
import { LIVE_DASHBOARDS_PROJECTION_NAME, liveDashboardsProjection } from './live-dashboards-projection';
import { LiveReadModel } from './live-read-model';
import { foldLiveChanges, liveGhostOf, liveOrderOf, messagesOf } from './live-rows';

const stream = deliveryDayStreamName(endpointId, date);
const otherDate = '2026-03-09';
const otherStream = deliveryDayStreamName(endpointId, otherDate);
const onOtherDate = (event: DeliveryDayEvent): DeliveryDayEvent =>
  event.type === 'OrderPlaced' ? { ...event, data: { ...event.data, date: otherDate } } : event;

const dissolvedAt0900: DeliveryDayEvent[] = [
  {
    type: 'GhostOrderDissolved',
    data: { ghostId: ghostAt0900.data.ghostId, slotId: at0900.slotId, legacyOid: 9001, because: 'slot_has_own_order' },
  },
  {
    type: 'DeadOrderFlagged',
    data: { orderId: ghostAt0900.data.ghostId, slotId: at0900.slotId, legacyOid: 9001, kind: 'ghost' },
  },
];

describe('live.dashboards: rows and message log follow the delivery-day decider', () => {
  let bed: ReadModelTestBed;
  let read: LiveReadModel;
  const day: DeliveryDayEvent[] = [
    order1At1030,
    accepted('order-1'),
    order1MovedTo0900,
    ghostAt0900,
    order2At0900,
    ...dissolvedAt0900,
  ];
  const other: DeliveryDayEvent[] = [onOtherDate(fdgPlaced('order-7', 1007, at0900, 700))];
  const positions: string[] = [];

  beforeAll(async () => {
    bed = await openReadModelTestBed({
      purpose: 'live_dash',
      projection: liveDashboardsProjection,
      schemaVersionOf: (type) => orderingEventSchemaVersions[type as OrderingEventType],
      actor: { kind: 'user', id: 'user-peter', printedName: 'Peter Hansen', role: 'production' },
    });
    read = new LiveReadModel(bed.pool, bed.database);
    // Before the first event: empty, at `start`.
    expect(await read.productionDay(date)).toEqual({
      position: 'start',
      key: START_KEY,
      rows: { orders: [], ghosts: [] },
    });
    for (const [index, event] of day.entries()) {
      positions.push((await bed.appendEvents({ streamId: stream, ...event })).toString());
      if (index === 2) await bed.appendEvents({ streamId: otherStream, ...other[0] });
    }
    await bed.caughtUp();
  }, 60_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('the rows are what the decider’s state shows', async () => {
    const state = fold(deliveryDayDecider, day);
    const snapshot = await read.productionDay(date);
    expect(snapshot.position).toBe(bed.lastPosition().toString());
    expect(snapshot.key).toEqual(keyAfterPositionText(snapshot.position));
    expect(snapshot.rows.orders).toEqual(Object.values(state.orders).map((order) => liveOrderOf(order, state)));
    const before = fold(deliveryDayDecider, day.slice(0, 5));
    expect(snapshot.rows.ghosts).toEqual([liveGhostOf(before.ghosts[at0900.slotId], before, 'dead')]);
    const customer = await read.customer('cust-herlev', date);
    expect(customer.rows.map((order) => [order.orderId, order.deliveryDate])).toEqual([
      ['order-1', date],
      ['order-2', date],
      ['order-7', otherDate],
    ]);
    expect((await read.customer('cust-herlev', '2026-03-05')).rows.map((order) => order.orderId)).toEqual(['order-7']);
  });

  it('logs each event’s messages at its position, per topic, in order', async () => {
    const expected: Array<[string, string, string]> = [];
    let state = deliveryDayDecider.initialState();
    for (const [index, event] of day.entries()) {
      const folded = foldLiveChanges(state, event);
      state = folded.state;
      for (const message of messagesOf(folded.changes)) {
        if (message.topic === `production-day:${date}`)
          expected.push([positions[index], message.type, JSON.stringify(message.payload)]);
      }
    }
    const logged = await read.topicAfter(`production-day:${date}`, START_KEY, 100);
    expect(logged.map(({ message }) => [message.position, message.type, JSON.stringify(message.payload)])).toEqual(
      expected,
    );
    // DeadOrderFlagged changes no row: nothing is logged for it.
    expect(logged.map(({ message }) => message.position)).not.toContain(positions.at(-1));
    // Resuming after a position gives what follows it, nothing of that position itself.
    const after = await read.topicAfter(
      `production-day:${date}`,
      keyAfterPositionText(positions[2]) as MessageKey,
      100,
    );
    expect(after.map(({ message }) => message.position)).toEqual(expected.slice(3).map(([position]) => position));
    // The other day's order went to its own day and to the customer, never to this day.
    expect(
      (await read.topicAfter(`production-day:${otherDate}`, START_KEY, 100)).map(({ message }) => message.type),
    ).toEqual(['order.updated']);
    const all = await read.logAfter(START_KEY, 1_000);
    expect(all.map(({ key }) => key)).toEqual(all.map(({ key }) => key).sort(compareKeys));
    expect(await read.logHead()).toEqual(all.at(-1)?.key);
    expect(new Set(all.map(({ message }) => message.topic))).toEqual(
      new Set([`production-day:${date}`, `production-day:${otherDate}`, 'customer:cust-herlev']),
    );
  });

  it('keeps each day’s folded state at its latest event, each row at the latest event that changed it', async () => {
    const days = await bed.rows('SELECT stream_id, state, pos_commit, pos_prepare FROM live_delivery_days');
    const dayRow = days.find((row) => row.stream_id === stream);
    // The day without its orders, and each order on a row of its own: together, the decider's fold.
    const orderRows = await bed.rows('SELECT order_id, state FROM live_day_orders WHERE stream_id = ?', [stream]);
    const stored = {
      ...(JSON.parse(String(dayRow?.state)) as object),
      orders: Object.fromEntries(orderRows.map((row) => [row.order_id, JSON.parse(String(row.state)) as unknown])),
    };
    expect(stored).toEqual(JSON.parse(JSON.stringify(fold(deliveryDayDecider, day))));
    expect(`${String(dayRow?.pos_commit)}/${String(dayRow?.pos_prepare)}`).toBe(
      `${String(bed.lastPosition().commit)}/${String(bed.lastPosition().prepare)}`,
    );
    expect(days).toHaveLength(2);
    // order-1 last changed at its move (event 2), order-2 when placed (event 4).
    const orders = await bed.rows('SELECT order_id, pos_commit FROM live_orders ORDER BY order_id');
    const commitOf = (index: number) => positions[index].split('/')[0];
    expect(
      orders.filter((row) => row.order_id !== 'order-7').map((row) => [row.order_id, String(row.pos_commit)]),
    ).toEqual([
      ['order-1', commitOf(2)],
      ['order-2', commitOf(4)],
    ]);
  });

  it('a rebuild reproduces the rows and the log', async () => {
    const dump = async () => ({
      days: await bed.rows(
        'SELECT stream_id, state, pos_commit, pos_prepare FROM live_delivery_days ORDER BY stream_id',
      ),
      dayOrders: await bed.rows('SELECT stream_id, order_id, state FROM live_day_orders ORDER BY stream_id, order_id'),
      orders: await bed.rows(
        'SELECT order_id, delivery_date, customer_id, row_json, pos_commit, pos_prepare FROM live_orders ORDER BY order_id',
      ),
      ghosts: await bed.rows(
        'SELECT ghost_id, delivery_date, customer_id, row_json, pos_commit, pos_prepare FROM live_ghosts ORDER BY ghost_id',
      ),
      log: await bed.rows(
        'SELECT pos_commit, pos_prepare, seq, topic, position, type, payload, recorded_at FROM live_messages ORDER BY pos_commit, seq',
      ),
    });
    const before = await dump();
    await bed.engine.rebuild(LIVE_DASHBOARDS_PROJECTION_NAME);
    expect(await dump()).toEqual(before);
  });
});
