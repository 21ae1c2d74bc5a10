import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, Position } from '@tracershop/event-store';
import { deliveryDayStreamName, type DeliveryDayEvent } from '@tracershop/domain/ordering';
import { at0900, endpointId, fdgPlaced } from '@tracershop/domain/ordering/ordering-examples';
import { EVENT_STORE } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from '@tracershop/projections/live';
import { ADMIN, bootApp, logIn, type BootedApp } from './booted-app';
import { connectRealtime, type RealtimeTestClient } from './realtime-client';

/** The smallest socket queue the configuration allows a little above: catch-ups are longer than it. */
const SOCKET_BUFFER = 20;
const MISSED_PER_DAY = 3 * SOCKET_BUFFER;
const DAYS = ['2031-09-01', '2031-09-02', '2031-09-03'];

/**
 * Regression: a catch-up wrote its first page (500 messages) without waiting for the socket to
 * read, so resuming a few busy topics went over the socket-wide queue limit and the client was
 * disconnected, and again on every reconnect. Pages now wait for room and are at most a quarter of
 * the queue.
 */
describe('realtime catch-up of several topics within the socket queue limit', () => {
  let app: BootedApp;
  let client: RealtimeTestClient | undefined;

  async function append(streamId: string, event: DeliveryDayEvent): Promise<Position> {
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
    return (await app.api.get<EventStore>(EVENT_STORE).append(streamId, [envelope], 'any')).position;
  }

  const placedOn = (date: string, n: number): DeliveryDayEvent => {
    const placed = fdgPlaced(`order-${date}-${n}`, 10_000 + n, at0900, 100 + n);
    return { ...placed, data: { ...placed.data, date } };
  };

  beforeAll(async () => {
    app = await bootApp({ REALTIME_SOCKET_BUFFER_MESSAGES: String(SOCKET_BUFFER) }, { listen: true });
  });

  afterAll(async () => {
    client?.close();
    await app?.close();
  });

  it('given several topics each with more missed messages than the socket queue holds, when a client resumes them all at once, then it gets every message and stays connected', async () => {
    const token = await logIn(app.server, ADMIN.username, ADMIN.password);
    const first = await Promise.all(
      DAYS.map((date) => append(deliveryDayStreamName(endpointId, date), placedOn(date, 0))),
    );
    let last = first[0]!;
    for (let n = 1; n <= MISSED_PER_DAY; n++) {
      for (const date of DAYS) last = await append(deliveryDayStreamName(endpointId, date), placedOn(date, n));
    }
    await app.api.get(ProjectionEngine).waitForPosition(LIVE_DASHBOARDS_PROJECTION_NAME, last, 30_000);

    client = await connectRealtime(app.url as string, { token });
    const replies = await Promise.all(
      DAYS.map((date, index) => client!.join(`production-day:${date}`, first[index]!.toString())),
    );
    expect(replies.every((reply) => reply.ok)).toBe(true);

    const received = await client.count((message) => message.type === 'order.updated', DAYS.length * MISSED_PER_DAY);
    for (const date of DAYS) {
      const ofDay = received.filter((message) => message.topic === `production-day:${date}`);
      expect(ofDay).toHaveLength(MISSED_PER_DAY);
    }
    expect(client.messages.some((message) => message.type === 'resume.required')).toBe(false);
    expect(client.socket.connected).toBe(true);
  });
});
