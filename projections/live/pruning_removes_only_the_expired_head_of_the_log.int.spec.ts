import type { Position } from '@tracershop/event-store';
import {
  deliveryDayStreamName,
  orderingEventSchemaVersions,
  type DeliveryDayEvent,
  type OrderingEventType,
} from '@tracershop/domain/ordering';
import {
  activityReleased,
  at0900,
  date,
  endpointId,
  fdgPlaced,
  fdgVial1,
  releasedVial,
} from '@tracershop/domain/ordering/ordering-examples';
import { keyAfterPositionText, messageKeyText, parseMessageKeyText, type MessageKey } from '@tracershop/realtime';
import { appendRecordedAt } from '../../test/projections/append-recorded-at';
import { openReadModelTestBed, type ReadModelTestBed } from '../../test/projections/read-model-test-bed';
import { LIVE_DASHBOARDS_PROJECTION_NAME, liveDashboardsProjection } from './live-dashboards-projection';
import { LiveLogPruner, liveLogPrunerLockName } from './live-log-pruner';
import { LiveReadModel } from './live-read-model';

const HOUR = 3_600_000;
const stream = deliveryDayStreamName(endpointId, date);
const topic = `production-day:${date}`;
const now = new Date('2031-06-02T12:00:00.000Z');
const hoursBefore = (hours: number, from = now) => new Date(from.getTime() - hours * HOUR).toISOString();

describe('live log retention: pruning removes only the expired head of the log', () => {
  let bed: ReadModelTestBed;
  let read: LiveReadModel;
  const positions: Record<string, string> = {};

  /** Appends as the command pipeline would, but recorded at the given time. */
  async function append(name: string, event: DeliveryDayEvent, recordedAt: string): Promise<Position> {
    const { position } = await appendRecordedAt(bed.store, stream, event, recordedAt);
    positions[name] = position.toString();
    await bed.engine.waitForPosition(LIVE_DASHBOARDS_PROJECTION_NAME, position, 15_000);
    return position;
  }

  const logKeys = async () =>
    (
      await bed.rows(
        `SELECT CONCAT(pos_commit, '#', seq) AS k FROM live_messages ORDER BY pos_commit, pos_prepare, seq`,
      )
    ).map((row) => String(row.k));
  const keysOf = (name: string, count: number) =>
    Array.from({ length: count }, (_, seq) => `${positions[name]}#${seq}`);
  const pruner = (chunkRows = 3) =>
    new LiveLogPruner({ pool: bed.pool, database: bed.database, retentionHours: 24, chunkRows, pauseMs: 0 });

  beforeAll(async () => {
    bed = await openReadModelTestBed({
      purpose: 'live_prune',
      projection: liveDashboardsProjection,
      schemaVersionOf: (type) => orderingEventSchemaVersions[type as OrderingEventType],
      actor: { kind: 'user', id: 'user-peter', printedName: 'Peter Hansen', role: 'production' },
    });
    read = new LiveReadModel(bed.pool, bed.database);
    // Each placement logs 2 messages (day, customer); the release of two orders logs 4.
    await append('a', fdgPlaced('order-a', 1, at0900, 100), hoursBefore(30));
    await append('b', fdgPlaced('order-b', 2, at0900, 200), hoursBefore(26));
    const release = activityReleased(
      'release-1',
      at0900.slotId,
      ['order-a', 'order-b'],
      [releasedVial(fdgVial1, null)],
    );
    await append('release', release, hoursBefore(25));
    await append('c', fdgPlaced('order-c', 3, at0900, 300), hoursBefore(1));
    // Recorded "earlier" than c (an api host's clock behind), but after it in the log.
    await append('d', fdgPlaced('order-d', 4, at0900, 400), hoursBefore(30));
    await append('e', fdgPlaced('order-e', 5, at0900, 500), now.toISOString());
  }, 60_000);

  afterAll(async () => {
    await bed?.close();
  });

  it('given messages older than the retention at the head of the log, when pruned in chunks, then exactly those go and the horizon names the last of them', async () => {
    expect(await read.prunedThrough()).toEqual(keyAfterPositionText('start'));
    const report = await pruner(3).prune(now);
    expect(report).toMatchObject({ outcome: 'done', deleted: 8, cutoff: '2031-06-01 12:00:00.000' });
    expect(report.prunedThrough && messageKeyText(report.prunedThrough)).toBe(`${positions.release}#3`);
    // c is within the retention, so d (older by its clock) stays too: only a head of the log goes.
    expect(await logKeys()).toEqual([...keysOf('c', 2), ...keysOf('d', 2), ...keysOf('e', 2)]);
    expect(messageKeyText(await read.prunedThrough())).toBe(`${positions.release}#3`);

    const again = await pruner(3).prune(now);
    expect(again).toMatchObject({ outcome: 'done', deleted: 0, prunedThrough: null });
    expect(messageKeyText(await read.prunedThrough())).toBe(`${positions.release}#3`);
  });

  it('given a pruned log, when a resume starts before the horizon, then the page is refused; at or after it, then it is whole', async () => {
    const after = (text: string) => parseMessageKeyText(text) as MessageKey;
    for (const from of [positions.a, `${positions.release}#1`]) {
      expect(await read.topicPage(topic, after(from), 100)).toEqual({
        complete: false,
        prunedThrough: after(`${positions.release}#3`),
      });
    }
    const whole = await read.topicPage(topic, after(positions.release), 100);
    expect(whole.complete && whole.messages.map(({ message }) => message.key)).toEqual([
      `${positions.c}#0`,
      `${positions.d}#0`,
      `${positions.e}#0`,
    ]);
    const fromLastPruned = await read.topicPage(topic, after(`${positions.release}#3`), 100);
    expect(fromLastPruned.complete && fromLastPruned.messages).toHaveLength(3);
  });

  it('never deletes a message recorded within the retention, also when measured later', async () => {
    // 23.5 hours on: c (24.5 h old) and d go, e (23.5 h old) stays.
    const later = new Date(now.getTime() + 23.5 * HOUR);
    const report = await pruner(1).prune(later);
    expect(report).toMatchObject({ outcome: 'done', deleted: 4 });
    expect(await logKeys()).toEqual(keysOf('e', 2));
    expect(messageKeyText(await read.prunedThrough())).toBe(`${positions.d}#1`);
  });

  it('given another process pruning, then a second pruner waits its turn instead of competing', async () => {
    const holder = await bed.pool.getConnection();
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [liveLogPrunerLockName(bed.database)]);
      expect(await pruner().prune(new Date(now.getTime() + 48 * HOUR))).toMatchObject({ outcome: 'busy', deleted: 0 });
    } finally {
      await holder.query('SELECT RELEASE_LOCK(?)', [liveLogPrunerLockName(bed.database)]);
      holder.release();
    }
    expect(await logKeys()).toEqual(keysOf('e', 2));
  });

  it('prunes while the projection keeps writing, without failing its batches', async () => {
    const before = Object.keys(positions).length;
    const writes = (async () => {
      for (let n = 0; n < 20; n++)
        await append(`live-${n}`, fdgPlaced(`order-live-${n}`, 100 + n, at0900, 10), now.toISOString());
    })();
    const far = new Date(now.getTime() + 48 * HOUR);
    const pruned: number[] = [];
    // Pruning rounds while the writes go on; each may find the next events already expired.
    for (let round = 0; round < 5; round++) pruned.push((await pruner(2).prune(far)).deleted);
    await writes;
    await pruner(2).prune(far);
    expect(Object.keys(positions).length - before).toBe(20);
    expect(await logKeys()).toEqual([]);
    const status = (await bed.engine.status()).find(
      (projection) => projection.name === LIVE_DASHBOARDS_PROJECTION_NAME,
    );
    expect(status?.healthy).toBe(true);
    expect(status?.checkpoint?.position.toString()).toBe(positions['live-19']);
    expect(pruned.reduce((sum, deleted) => sum + deleted, 0)).toBeGreaterThan(0);
  });
});
