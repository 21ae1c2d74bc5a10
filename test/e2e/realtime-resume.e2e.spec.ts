import { randomUUID } from 'node:crypto';
import { Position, type EventStore, type NewEvent } from '@tracershop/event-store';
import { deliveryDayStreamName, type DeliveryDayEvent } from '@tracershop/domain/ordering';
import {
  accepted,
  activityReleased,
  at0900,
  endpointId,
  fdgPlaced,
  fdgVial1,
  releasedVial,
} from '@tracershop/domain/ordering/ordering-examples';
import { EVENT_STORE } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from '@tracershop/projections/live';
import type { RealtimeMessage } from '@tracershop/realtime';
import { ADMIN, bootApp, logIn, type BootedApp } from './booted-app';
import { connectRealtime, type RealtimeTestClient } from './realtime-client';

const DAY = '2031-06-02';
const OTHER_DAY = '2031-06-03';
const topic = `production-day:${DAY}`;

describe('realtime resume: the log after a position, then live, without gaps or duplicates', () => {
  let app: BootedApp;
  let store: EventStore;
  let token: string;
  const clients: RealtimeTestClient[] = [];

  const connect = async () => {
    const client = await connectRealtime(app.url as string, { token });
    clients.push(client);
    return client;
  };

  /** Appends as the command pipeline would (any expected revision: these streams are the test's). */
  async function append(streamId: string, event: { type: string; data: unknown }): Promise<Position> {
    const id = randomUUID();
    const envelope: NewEvent = {
      type: event.type,
      data: event.data,
      metadata: {
        eventId: id,
        schemaVersion: 1,
        occurredAt: new Date().toISOString(),
        recordedAt: new Date().toISOString(),
        actor: { kind: 'user', id: 'user-peter', printedName: 'Peter Hansen', role: 'production' },
        correlationId: id,
        causationId: id,
      },
    };
    return (await store.append(streamId, [envelope], 'any')).position;
  }

  const placedOn = (date: string, orderId: string, n: number): DeliveryDayEvent => {
    const placed = fdgPlaced(orderId, 10_000 + n, at0900, 100 + n);
    return { ...placed, data: { ...placed.data, date } };
  };
  const dayStream = deliveryDayStreamName(endpointId, DAY);
  const otherStream = deliveryDayStreamName(endpointId, OTHER_DAY);
  const projected = (position: Position) =>
    app.api.get(ProjectionEngine).waitForPosition(LIVE_DASHBOARDS_PROJECTION_NAME, position, 15_000);

  beforeAll(async () => {
    app = await bootApp({ REALTIME_TAIL_INTERVAL_MS: '50' }, { listen: true });
    store = app.api.get<EventStore>(EVENT_STORE);
    token = await logIn(app.server, ADMIN.username, ADMIN.password);
  }, 60_000);

  afterAll(async () => {
    clients.forEach((client) => client.close());
    await app?.close();
  });

  it('reconnecting with the last position gets exactly the missed messages in order, then live ones', async () => {
    const first = await connect();
    expect(await first.join(topic)).toMatchObject({ ok: true });
    await first.next('production-day.snapshot');
    const seen = await append(dayStream, placedOn(DAY, 'order-0', 0));
    const live = await first.next('order.updated');
    expect(live.position).toBe(seen.toString());
    first.close();

    // While away: 100 events that concern the day, and others that do not.
    const relevant: string[] = [];
    let last = seen;
    for (let n = 1; n <= 50; n++) {
      relevant.push((await append(dayStream, placedOn(DAY, `order-${n}`, n))).toString());
      if (n % 2 === 0) await append(otherStream, placedOn(OTHER_DAY, `other-${n}`, n));
      if (n % 5 === 0) await append(`test.unrelated-${n % 3}`, { type: 'SomethingElseHappened', data: { n } });
    }
    for (let n = 1; n <= 50; n++) {
      last = await append(dayStream, accepted(`order-${n}`));
      relevant.push(last.toString());
      if (n % 10 === 0) await append(otherStream, accepted(`other-${n}`));
    }
    await projected(last);

    const again = await connect();
    expect(await again.join(topic, live.position)).toMatchObject({ ok: true });
    const missed = await again.count((message) => message.topic === topic, 100);
    expect(missed.map((message) => message.position)).toEqual(relevant);
    expect(missed.every((message) => message.type === 'order.updated')).toBe(true);
    const orders = missed.map((message) => (message as RealtimeMessage<'order.updated'>).payload.order);
    expect(orders.slice(0, 50).map((order) => [order.orderId, order.status])).toEqual(
      relevant.slice(0, 50).map((_, i) => [`order-${i + 1}`, 'ordered']),
    );
    expect(orders.slice(50).map((order) => [order.orderId, order.status])).toEqual(
      relevant.slice(50).map((_, i) => [`order-${i + 1}`, 'accepted']),
    );

    // Then live, with nothing repeated at the seam.
    const next = await append(dayStream, placedOn(DAY, 'order-101', 101));
    const after = await again.next('order.updated', (message) => message.payload.order.orderId === 'order-101');
    expect(after.position).toBe(next.toString());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(again.messages.map((message) => message.position)).toEqual([...relevant, next.toString()]);
    expect(again.messages.some((message) => message.type === 'production-day.snapshot')).toBe(false);
  });

  it('a join without a position gets a snapshot consistent with its position, then what follows', async () => {
    const client = await connect();
    expect(await client.join(topic)).toMatchObject({ ok: true });
    const snapshot = await client.next('production-day.snapshot');
    expect(snapshot.payload.orders).toHaveLength(52);
    expect(snapshot.payload.orders.filter((order) => order.status === 'accepted')).toHaveLength(50);
    const placed = await append(dayStream, placedOn(DAY, 'order-102', 102));
    const update = await client.next('order.updated');
    expect(update.position).toBe(placed.toString());
    expect(BigInt(update.position)).toBeGreaterThan(BigInt(snapshot.position));
    expect(client.messages).toHaveLength(2);

    // A customer's snapshot: its orders from today on, with the same folding.
    expect(await client.join('customer:cust-herlev')).toMatchObject({ ok: true });
    const customer = await client.next('customer.snapshot');
    expect(customer.payload.orders.map((order) => order.deliveryDate)).toEqual(
      expect.arrayContaining([DAY, OTHER_DAY]),
    );
    expect(customer.payload.orders.every((order) => order.customerId === 'cust-herlev')).toBe(true);
  });

  it('a client that disconnects between two messages of one event resumes exactly after the last one it received', async () => {
    const ids = ['order-r1', 'order-r2', 'order-r3'];
    let last = Position.START;
    for (const [n, id] of ids.entries()) last = await append(dayStream, placedOn(DAY, id, 200 + n));
    await projected(last);
    const first = await connect();
    expect(await first.join(topic)).toMatchObject({ ok: true });
    await first.next('production-day.snapshot');

    // One release of the three orders: one message per order for the day (seq 0, 2, 4; the odd
    // ones go to the customer). The client drops its connection as soon as the first arrives.
    const isRelease = (message: RealtimeMessage) =>
      message.type === 'order.updated' &&
      (message as RealtimeMessage<'order.updated'>).payload.order.status === 'released';
    let lastReceived: RealtimeMessage | null = null;
    first.socket.on('message', (message) => {
      if (!isRelease(message) || lastReceived !== null) return;
      lastReceived = message;
      first.close();
    });
    const release = await append(
      dayStream,
      activityReleased('release-r', at0900.slotId, ids, [releasedVial(fdgVial1, null)]),
    );
    await first.next('order.updated', isRelease);
    const received = lastReceived as RealtimeMessage | null;
    expect(received).toMatchObject({ position: release.toString(), key: `${release}#0` });
    // Missed while away: the rest of the release, then another event.
    const later = await append(dayStream, placedOn(DAY, 'order-r4', 204));
    await projected(later);

    const again = await connect();
    expect(await again.join(topic, { afterKey: received?.key })).toMatchObject({ ok: true });
    const missed = await again.count(() => true, 3);
    expect(missed.map((message) => message.key)).toEqual([`${release}#2`, `${release}#4`, `${later}#0`]);
    expect(
      missed.slice(0, 2).map((message) => (message as RealtimeMessage<'order.updated'>).payload.order.orderId),
    ).toEqual(['order-r2', 'order-r3']);
    // Then live, nothing repeated at the seam.
    const live = await append(dayStream, placedOn(DAY, 'order-r5', 205));
    await again.next('order.updated', (message) => message.key === `${live}#0`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(again.messages.map((message) => message.key)).toEqual([
      `${release}#2`,
      `${release}#4`,
      `${later}#0`,
      `${live}#0`,
    ]);

    // By position alone the whole event counts as received: what followed it, nothing of it.
    const coarse = await connect();
    expect(await coarse.join(topic, release.toString())).toMatchObject({ ok: true });
    await coarse.next('order.updated', (message) => message.key === `${live}#0`);
    expect(coarse.messages.map((message) => message.key)).toEqual([`${later}#0`, `${live}#0`]);
    // A key no message carried, or both forms at once, is refused.
    expect(await coarse.join(topic, { afterKey: `${release}#x` })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_POSITION' },
    });
    expect(await coarse.join(topic, { afterKey: `${release}#0`, fromPosition: release.toString() })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_REQUEST' },
    });
  });
});
