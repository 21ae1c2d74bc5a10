import { createConnection } from 'mysql2/promise';
import type { EventStore } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from '@tracershop/projections/live';
import { bootApp, type BootedApp } from './booted-app';
import { appendFdgPlacedAt } from './recorded-orders';

const DAY = '2031-06-10';

describe('realtime retention on its own: the projector prunes the log every REALTIME_LOG_PRUNE_INTERVAL_SECONDS', () => {
  let app: BootedApp;

  beforeAll(async () => {
    app = await bootApp({ REALTIME_LOG_PRUNE_INTERVAL_SECONDS: '1', REALTIME_LOG_PRUNE_CHUNK_ROWS: '1' });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('given messages past the retention, then a scheduled run removes them without being asked', async () => {
    // Given an order recorded 30 hours ago (the retention is 24), logged for its day and its customer
    const store = app.api.get<EventStore>(EVENT_STORE);
    const recordedAt = new Date(Date.now() - 30 * 3_600_000).toISOString();
    const { position } = await appendFdgPlacedAt(store, DAY, 'order-expired', 1, recordedAt);
    await app.api.get(ProjectionEngine).waitForPosition(LIVE_DASHBOARDS_PROJECTION_NAME, position, 15_000);

    // Then, within a few intervals, the log holds none of its messages and the horizon is past them
    const connection = await createConnection({ ...app.config.mysql, database: app.config.databases.record });
    try {
      const count = async () => {
        const [rows] = await connection.query('SELECT COUNT(*) AS n FROM live_messages');
        return Number((rows as Array<{ n: number }>)[0]?.n);
      };
      const deadline = Date.now() + 10_000;
      while ((await count()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await count()).toBe(0);
      const [horizon] = await connection.query('SELECT * FROM live_messages_horizon');
      expect(horizon).toHaveLength(1);
    } finally {
      await connection.end();
    }
  });
});
