import type { EventStore, Position } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from '@tracershop/projections/live';
import { LiveLogRetention } from '../../apps/projector/src/live-log-retention';
import { ADMIN, bootApp, logIn, type BootedApp } from './booted-app';
import { connectRealtime, type RealtimeTestClient } from './realtime-client';
import { appendFdgPlacedAt } from './recorded-orders';

const DAY = '2031-06-09';
const topic = `production-day:${DAY}`;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

describe('realtime retention: a resume from before the pruned log gets resume.expired, a snapshot, then live', () => {
  let app: BootedApp;
  let store: EventStore;
  let token: string;
  const clients: RealtimeTestClient[] = [];

  const connect = async () => {
    const client = await connectRealtime(app.url as string, { token });
    clients.push(client);
    return client;
  };

  /** Places an order as the command pipeline would, recorded at `recordedAt`; waits for the live projection. */
  async function placed(orderId: string, n: number, recordedAt: string): Promise<Position> {
    const { position } = await appendFdgPlacedAt(store, DAY, orderId, n, recordedAt);
    await app.api.get(ProjectionEngine).waitForPosition(LIVE_DASHBOARDS_PROJECTION_NAME, position, 15_000);
    return position;
  }

  beforeAll(async () => {
    // The default retention: 24 hours.
    app = await bootApp({ REALTIME_TAIL_INTERVAL_MS: '50' }, { listen: true });
    store = app.api.get<EventStore>(EVENT_STORE);
    token = await logIn(app.server, ADMIN.username, ADMIN.password);
  }, 60_000);

  afterAll(async () => {
    clients.forEach((client) => client.close());
    await app?.close();
  });

  it('given a log pruned past the client’s position, when it resumes, then it is told so and gets a snapshot, then live updates', async () => {
    const oldest = await placed('order-old-1', 1, hoursAgo(30));
    const old = await placed('order-old-2', 2, hoursAgo(25));
    const recent = await placed('order-recent', 3, hoursAgo(1));
    const pruned = await app.projector.get(LiveLogRetention).pruneNow();
    // Each order logs two messages: for the day and for the customer.
    expect(pruned).toMatchObject({ outcome: 'done', deleted: 4 });

    const late = await connect();
    expect(await late.join(topic, oldest.toString())).toMatchObject({ ok: true });
    const expired = await late.next('resume.expired');
    expect(expired).toMatchObject({
      topic,
      payload: { afterKey: oldest.toString(), prunedThrough: `${old}#1`, reason: 'log_pruned' },
    });
    const snapshot = await late.next('production-day.snapshot');
    expect(snapshot.payload.orders.map((order) => order.orderId).sort()).toEqual([
      'order-old-1',
      'order-old-2',
      'order-recent',
    ]);
    expect(BigInt(snapshot.position)).toBeGreaterThanOrEqual(BigInt(recent.toString()));
    const next = await placed('order-next', 4, new Date().toISOString());
    await late.next('order.updated', (message) => message.key === `${next}#0`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(late.messages.map((message) => message.type)).toEqual([
      'resume.expired',
      'production-day.snapshot',
      'order.updated',
    ]);

    // The horizon is one key for the whole log: before it, messages of any topic may be gone.
    const onTime = await connect();
    expect(await onTime.join(topic, { afterKey: `${old}#0` })).toMatchObject({ ok: true });
    await onTime.next('resume.expired');
    // Exactly after the last pruned message nothing is missing: an ordinary resume.
    const exact = await connect();
    expect(await exact.join(topic, { afterKey: `${old}#1` })).toMatchObject({ ok: true });
    await exact.count(() => true, 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(exact.messages.map((message) => message.key)).toEqual([`${recent}#0`, `${next}#0`]);
  });
});
