import {
  activityServedWithOverhead,
  deliveryDayDecider,
  type ActivityOrder,
  type DeliveryDayEvent,
  type DeliveryDayState,
} from '@tracershop/domain/ordering';
import {
  accepted,
  at0900,
  at1030,
  date,
  fetPlaced,
  ghostAt0900,
  order1At1030,
  order1MovedTo0900,
  order2At0900,
} from '@tracershop/domain/ordering/ordering-examples';
import { foldLiveChanges, liveOrderOf, messagesOf } from './live-rows';

function foldAll(events: DeliveryDayEvent[]) {
  let state: DeliveryDayState = deliveryDayDecider.initialState();
  const changes = [];
  for (const event of events) {
    const folded = foldLiveChanges(state, event);
    state = folded.state;
    changes.push(folded.changes);
  }
  return { state, changes };
}

const dissolvedAt0900 = [
  {
    type: 'GhostOrderDissolved',
    data: { ghostId: ghostAt0900.data.ghostId, slotId: at0900.slotId, legacyOid: 9001, because: 'slot_has_own_order' },
  },
  {
    type: 'DeadOrderFlagged',
    data: { orderId: ghostAt0900.data.ghostId, slotId: at0900.slotId, legacyOid: 9001, kind: 'ghost' },
  },
] as DeliveryDayEvent[];

describe('live rows: the delivery day folded by the decider, as the boards show it', () => {
  it('a placed activity order: ordered, at its slot, served activity with overhead', () => {
    const { state, changes } = foldAll([order1At1030]);
    expect(changes[0].orders).toEqual([
      expect.objectContaining({
        orderId: 'order-1',
        kind: 'activity',
        customerId: 'cust-herlev',
        endpointId: 'ep-herlev-pet',
        deliveryDate: date,
        status: 'ordered',
        statusCode: 1,
        slotId: at1030.slotId,
        activeSlotId: at1030.slotId,
        deliveryTime: '10:30',
        activeDeliveryTime: '10:30',
        activityMBq: 1000,
        servedMBq: 1100,
        moved: false,
        injections: null,
      }),
    ]);
    expect(changes[0].ghosts).toEqual([]);
    expect(liveOrderOf(state.orders['order-1'], state).servedMBq).toBe(
      activityServedWithOverhead(state.orders['order-1'] as ActivityOrder),
    );
  });

  it('a move changes the order (active slot, decay-corrected served activity) and creates the ghost', () => {
    const { state, changes } = foldAll([order1At1030, order1MovedTo0900, ghostAt0900]);
    const [moveChange] = changes[1].orders;
    expect(moveChange).toMatchObject({
      slotId: at1030.slotId,
      activeSlotId: at0900.slotId,
      activeDeliveryTime: '09:00',
      moved: true,
    });
    expect(moveChange.servedMBq).toBe(activityServedWithOverhead(state.orders['order-1'] as ActivityOrder));
    expect(moveChange.servedMBq).toBeGreaterThan(1100);
    expect(changes[2].orders).toEqual([]);
    expect(changes[2].ghosts).toEqual([
      expect.objectContaining({
        ghostId: ghostAt0900.data.ghostId,
        slotId: at0900.slotId,
        status: 'active',
        deliveryDate: date,
      }),
    ]);
  });

  it('a dissolved ghost stays on the board as dead; the flag that follows changes nothing', () => {
    const { changes } = foldAll([order1At1030, order1MovedTo0900, ghostAt0900, order2At0900, ...dissolvedAt0900]);
    expect(changes[3].orders.map((order) => order.orderId)).toEqual(['order-2']);
    expect(changes[4].ghosts).toEqual([expect.objectContaining({ ghostId: ghostAt0900.data.ghostId, status: 'dead' })]);
    expect(changes[5]).toEqual({ orders: [], ghosts: [] });
  });

  it('only the orders an event changes are reported', () => {
    const { changes } = foldAll([
      order1At1030,
      order2At0900,
      accepted('order-2'),
      accepted('order-unknown') as DeliveryDayEvent,
    ]);
    expect(changes[2].orders).toEqual([
      expect.objectContaining({ orderId: 'order-2', status: 'accepted', statusCode: 2 }),
    ]);
    expect(changes[3].orders).toEqual([]);
  });

  it('an injection order has no slot or activity, its injections and usage instead', () => {
    const { changes } = foldAll([fetPlaced('order-9', 2001, 4)]);
    expect(changes[0].orders[0]).toMatchObject({
      kind: 'injection',
      slotId: null,
      activeSlotId: null,
      activityMBq: null,
      servedMBq: null,
      injections: 4,
      usage: 'human',
    });
  });

  it('each changed row goes to its production day and its customer', () => {
    const { changes } = foldAll([order1At1030, order1MovedTo0900, ghostAt0900]);
    expect(messagesOf(changes[0]).map(({ topic, type }) => [topic, type])).toEqual([
      [`production-day:${date}`, 'order.updated'],
      ['customer:cust-herlev', 'order.updated'],
    ]);
    expect(messagesOf(changes[2]).map(({ topic, type }) => [topic, type])).toEqual([
      [`production-day:${date}`, 'ghost.updated'],
      ['customer:cust-herlev', 'ghost.updated'],
    ]);
  });
});
