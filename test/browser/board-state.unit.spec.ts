import { addDays, isoWeekdayOf, isoWeekOf } from '@tracershop/domain/catalog';
import type { LiveGhost, LiveOrder, RealtimeMessage } from '@tracershop/realtime';
import {
  applyMessage,
  boardView,
  emptyState,
  isCalendarDate,
  isoWeek,
  isoWeekday,
  productionDayTopic,
  slotsOfDay,
  type AnyRealtimeMessage,
  type BoardCatalog,
} from '../../apps/board/src/board-state';

const date = '2031-01-06'; // a Monday, ISO week 2
const topic = productionDayTopic(date);
const tracerId = 'tracer-fdg';

function order(overrides: Partial<LiveOrder> & Pick<LiveOrder, 'orderId'>): LiveOrder {
  return {
    kind: 'activity',
    customerId: 'customer-herlev',
    endpointId: 'endpoint-herlev',
    tracerId,
    deliveryDate: date,
    status: 'ordered',
    statusCode: 1,
    slotId: 'slot-late',
    activeSlotId: 'slot-late',
    deliveryTime: '10:30',
    activeDeliveryTime: '10:30',
    runNumber: 2,
    activityMBq: 500,
    servedMBq: 550,
    moved: false,
    injections: null,
    usage: null,
    releaseId: null,
    lot: null,
    comment: null,
    ...overrides,
  };
}

function ghost(overrides: Partial<LiveGhost> & Pick<LiveGhost, 'ghostId'>): LiveGhost {
  return {
    slotId: 'slot-early',
    customerId: 'customer-herlev',
    endpointId: 'endpoint-herlev',
    tracerId,
    deliveryDate: date,
    deliveryTime: '08:00',
    runNumber: 1,
    status: 'active',
    ...overrides,
  };
}

const message = (type: RealtimeMessage['type'], position: string, payload: unknown, on = topic, key = position) =>
  ({ type, topic: on, position, key, payload }) as AnyRealtimeMessage;

const catalog: BoardCatalog = {
  date,
  tracerId,
  runs: [
    { id: 'run-1', tracerId, weekday: 1, productionTime: '06:00', runNumber: 1 },
    { id: 'run-2', tracerId, weekday: 1, productionTime: '09:00', runNumber: 2 },
  ],
  slots: [
    {
      id: 'slot-early',
      endpointId: 'endpoint-herlev',
      productionRunId: 'run-1',
      deliveryTime: '08:00',
      weekday: 1,
      repeat: 'every',
      expiryDate: null,
    },
    {
      id: 'slot-late',
      endpointId: 'endpoint-herlev',
      productionRunId: 'run-2',
      deliveryTime: '10:30',
      weekday: 1,
      repeat: 'even',
      expiryDate: null,
    },
    {
      id: 'slot-odd',
      endpointId: 'endpoint-glostrup',
      productionRunId: 'run-1',
      deliveryTime: '08:15',
      weekday: 1,
      repeat: 'odd',
      expiryDate: null,
    },
    {
      id: 'slot-expired',
      endpointId: 'endpoint-glostrup',
      productionRunId: 'run-1',
      deliveryTime: '08:20',
      weekday: 1,
      repeat: 'every',
      expiryDate: date,
    },
    {
      id: 'slot-other-run',
      endpointId: 'endpoint-glostrup',
      productionRunId: 'run-of-fet',
      deliveryTime: '09:00',
      weekday: 1,
      repeat: 'every',
      expiryDate: null,
    },
  ],
  endpoints: new Map([
    ['endpoint-herlev', { id: 'endpoint-herlev', customerId: 'customer-herlev', name: 'PET' }],
    ['endpoint-glostrup', { id: 'endpoint-glostrup', customerId: 'customer-glostrup', name: 'PET' }],
  ]),
  customers: new Map([
    ['customer-herlev', { id: 'customer-herlev', shortName: 'herlev', longName: 'Herlev Hospital' }],
    ['customer-glostrup', { id: 'customer-glostrup', shortName: 'glostrup', longName: 'Glostrup Hospital' }],
  ]),
  halfLifeSeconds: 6586.2,
};

describe('the board state', () => {
  it('the calendar helpers agree with the domain’s, across year ends and 53-week years', () => {
    for (let day = 0; day < 3 * 366; day++) {
      const at = addDays('2026-12-20', day);
      expect([isoWeekday(at), isoWeek(at)]).toEqual([isoWeekdayOf(at), isoWeekOf(at).week]);
    }
    expect([isCalendarDate('2031-02-28'), isCalendarDate('2031-02-29'), isCalendarDate('31-1-1')]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('changes only from messages of its topic: a snapshot replaces, updates apply by id', () => {
    const state = emptyState(topic);
    expect(
      applyMessage(
        state,
        message('order.updated', '5', { order: order({ orderId: 'a' }) }, 'production-day:2031-01-07'),
      ),
    ).toEqual({ kind: 'ignore' });
    expect(state.orders.size).toBe(0);

    applyMessage(
      state,
      message('production-day.snapshot', '10', { date, orders: [order({ orderId: 'a' })], ghosts: [] }),
    );
    expect(state).toMatchObject({ snapshotReceived: true, position: '10' });
    applyMessage(
      state,
      message('order.updated', '11', { order: order({ orderId: 'a', status: 'accepted', statusCode: 2 }) }),
    );
    applyMessage(state, message('order.updated', '12', { order: order({ orderId: 'b' }) }));
    applyMessage(state, message('ghost.updated', '13', { ghost: ghost({ ghostId: 'g' }) }, topic, '13#2'));
    expect([...state.orders.values()].map((o) => [o.orderId, o.status])).toEqual([
      ['a', 'accepted'],
      ['b', 'ordered'],
    ]);
    expect(state.ghosts.get('g')?.status).toBe('active');
    expect([state.position, state.key]).toEqual(['13', '13#2']);
    // A review of the day changes no order, but a resume must start after it
    applyMessage(state, message('record.reviewed', '14', { review: { reviewId: 'r-1' } }, topic, '14#0'));
    expect([state.orders.size, state.ghosts.size, state.position, state.key]).toEqual([2, 1, '14', '14#0']);

    applyMessage(state, message('production-day.snapshot', '20', { date, orders: [], ghosts: [] }));
    expect([state.orders.size, state.ghosts.size, state.position]).toEqual([0, 0, '20']);
  });

  it('asks to rejoin exactly after the last message delivered when the server says it fell behind', () => {
    const state = emptyState(topic);
    expect(
      applyMessage(
        state,
        message('resume.required', '25', { fromPosition: '25', afterKey: '25#2', reason: 'too_far_behind' }),
      ),
    ).toEqual({ kind: 'rejoin', afterKey: '25#2' });
    expect(applyMessage(state, message('projection-status.updated', '31', {}))).toEqual({ kind: 'ignore' });
  });

  it('after resume.expired, waits for the snapshot that follows and takes it whole', () => {
    const state = emptyState(topic);
    applyMessage(
      state,
      message('production-day.snapshot', '10', { date, orders: [order({ orderId: 'a' })], ghosts: [] }),
    );
    applyMessage(state, message('order.updated', '11', { order: order({ orderId: 'b' }) }, topic, '11#0'));
    expect(
      applyMessage(
        state,
        message(
          'resume.expired',
          '11',
          { afterKey: '11#0', prunedThrough: '40#1', reason: 'log_pruned' },
          topic,
          '11#0',
        ),
      ),
    ).toEqual({ kind: 'render' });
    expect(state.snapshotReceived).toBe(false);
    applyMessage(
      state,
      message('production-day.snapshot', '50', { date, orders: [order({ orderId: 'c' })], ghosts: [] }),
    );
    expect([state.snapshotReceived, [...state.orders.keys()], state.key]).toEqual([true, ['c'], '50']);
  });

  it('lists the tracer’s slots that deliver on the date: weekday, week parity, expiry', () => {
    expect(slotsOfDay(catalog).map((slot) => slot.id)).toEqual(['slot-early', 'slot-late']);
    expect(slotsOfDay({ ...catalog, date: addDays(date, 7) }).map((slot) => slot.id)).toEqual([
      'slot-early',
      'slot-odd',
    ]);
  });

  it('places ordered, moved-in, released, ghost and dead orders in their slots, runs as columns, customers as rows', () => {
    const state = emptyState(topic);
    applyMessage(
      state,
      message('production-day.snapshot', '40', {
        date,
        orders: [
          order({ orderId: 'own', servedMBq: 550 }),
          order({ orderId: 'cancelled', status: 'cancelled', statusCode: 4, servedMBq: 100 }),
          order({
            orderId: 'moved',
            moved: true,
            activeSlotId: 'slot-early',
            activeDeliveryTime: '08:00',
            servedMBq: 1399.6,
            status: 'accepted',
            statusCode: 2,
          }),
          order({
            orderId: 'released',
            slotId: 'slot-early',
            activeSlotId: 'slot-early',
            deliveryTime: '08:00',
            status: 'released',
            statusCode: 3,
            lot: 'FDG-310106-1',
            servedMBq: 200,
          }),
          order({ orderId: 'other-tracer', tracerId: 'tracer-nh3' }),
          order({
            orderId: 'archived-slot',
            customerId: 'customer-glostrup',
            endpointId: 'endpoint-glostrup',
            slotId: 'slot-gone',
            activeSlotId: 'slot-gone',
            deliveryTime: '07:45',
            activeDeliveryTime: '07:45',
            runNumber: 1,
          }),
        ],
        ghosts: [ghost({ ghostId: 'host' }), ghost({ ghostId: 'dissolved', status: 'dead' })],
      }),
    );
    const view = boardView(state, catalog);
    expect(view.columns.map(({ runNumber, productionTime }) => [runNumber, productionTime])).toEqual([
      [1, '06:00'],
      [2, '09:00'],
    ]);
    // Each run delivers its slots' live orders (the cancelled one left out, the released one in),
    // and must make them at its production time, each decayed back from its slot's time
    const back = (mbq: number, minutes: number) => mbq * Math.exp((Math.LN2 * minutes * 60) / 6586.2);
    const [run1, run2] = view.columns;
    expect(run1!.deliveredMBq).toBeCloseTo(1399.6 + 200 + 550, 9);
    expect(run1!.atProductionMBq).toBeCloseTo(back(1399.6 + 200, 120) + back(550, 105), 6);
    expect(run2!.deliveredMBq).toBeCloseTo(550, 9);
    expect(run2!.atProductionMBq).toBeCloseTo(back(550, 90), 6);
    // Without the isotope's half-life the need is unknown, not smaller
    expect(boardView(state, { ...catalog, halfLifeSeconds: null }).columns[0]!.atProductionMBq).toBeNull();
    expect(view.rows.map((row) => row.shortName)).toEqual(['glostrup', 'herlev']);
    const herlev = view.rows[1]!;
    const [early] = herlev.cells.get(1)!;
    const [late] = herlev.cells.get(2)!;
    const ids = (orders: LiveOrder[] | LiveGhost[]) => orders.map((o) => ('orderId' in o ? o.orderId : o.ghostId));
    expect({
      ordered: ids(early!.ordered),
      movedIn: ids(early!.movedIn),
      released: ids(early!.released),
      ghosts: ids(early!.ghosts),
      dead: ids(early!.dead),
      total: early!.totalMBq,
    }).toEqual({
      ordered: [],
      movedIn: ['moved'],
      released: ['released'],
      ghosts: ['host'],
      dead: ['dissolved'],
      total: 1599.6,
    });
    expect({ ordered: ids(late!.ordered), movedOut: ids(late!.movedOut), total: late!.totalMBq }).toEqual({
      ordered: ['cancelled', 'own'],
      movedOut: ['moved'],
      total: 550,
    });
    const glostrup = view.rows[0]!;
    expect(glostrup.cells.get(1)!.map((slot) => [slot.slotId, slot.deliveryTime, ids(slot.ordered)])).toEqual([
      ['slot-gone', '07:45', ['archived-slot']],
    ]);
  });
});
