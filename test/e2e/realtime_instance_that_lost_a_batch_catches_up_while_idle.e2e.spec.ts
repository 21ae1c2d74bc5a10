import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent, Position } from '@tracershop/event-store';
import { deliveryDayStreamName, type DeliveryDayEvent } from '@tracershop/domain/ordering';
import { at0900, endpointId, fdgPlaced } from '@tracershop/domain/ordering/ordering-examples';
import { EVENT_STORE } from '@tracershop/platform';
import { RealtimeHub, type LogBatch } from '../../apps/api/src/realtime/realtime-hub';
import { ADMIN, bootApiInstance, bootApp, logIn, type BootedApiInstance, type BootedApp } from './booted-app';
import { connectRealtime, type RealtimeTestClient } from './realtime-client';

const DAY = '2031-10-06';
const topic = `production-day:${DAY}`;

/**
 * Regression: an api instance whose Redis subscriber lost a log batch (pub/sub is at most once)
 * filled the gap only when the next batch came, so while nothing else was committed its clients
 * stayed stale. The publisher now announces where the log ends while it is idle.
 */
describe('realtime: an instance that lost a log batch catches up without waiting for the next event', () => {
  let app: BootedApp;
  let publisher: BootedApiInstance;
  let client: RealtimeTestClient | undefined;

  async function append(event: DeliveryDayEvent): Promise<Position> {
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
    const stream = deliveryDayStreamName(endpointId, DAY);
    return (await app.api.get<EventStore>(EVENT_STORE).append(stream, [envelope], 'any')).position;
  }

  beforeAll(async () => {
    // This instance only receives: what its clients get crossed Redis from the publisher.
    app = await bootApp({ REALTIME_PUBLISH: 'false' }, { listen: true });
    publisher = await bootApiInstance(app, { REALTIME_PUBLISH: 'true' });
  });

  afterAll(async () => {
    client?.close();
    await publisher?.close();
    await app?.close();
  });

  it('given a batch lost on its way to an instance, when nothing more is committed, then the instance’s clients still get its message within seconds', async () => {
    const token = await logIn(app.server, ADMIN.username, ADMIN.password);
    client = await connectRealtime(app.url as string, { token });
    expect(await client.join(topic)).toMatchObject({ ok: true });
    await client.next('production-day.snapshot');

    // The next batch with messages never reaches this instance's hub.
    const hub = app.api.get(RealtimeHub);
    const receive = hub.receive.bind(hub);
    let lost: LogBatch | null = null;
    hub.receive = (batch: LogBatch) => {
      if (lost === null && batch.messages.length > 0) {
        lost = batch;
        return Promise.resolve();
      }
      return receive(batch);
    };

    const placed = fdgPlaced('order-lost', 10_001, at0900, 101);
    const position = await append({ ...placed, data: { ...placed.data, date: DAY } });

    const update = await client.next('order.updated', () => true, 5_000);
    expect(lost).not.toBeNull();
    expect(update.position).toBe(position.toString());
    expect(update.payload.order.orderId).toBe('order-lost');
  });
});
