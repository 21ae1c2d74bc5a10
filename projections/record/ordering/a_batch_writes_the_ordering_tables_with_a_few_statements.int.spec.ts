import { createConnection, type Connection } from 'mysql2/promise';
import { activeMondayRun } from '@tracershop/domain/catalog/catalog-examples';
import { vialStreamName } from '@tracershop/domain/ordering';
import {
  activityRefs,
  at,
  dailyDeadline,
  date,
  endpointId,
  inTime,
  openDays,
  placeFdg,
  secondMondayRun,
  slot0900,
  slot1030,
  timeZone,
} from '@tracershop/domain/ordering/ordering-examples';
import type { RecordedEvent } from '@tracershop/event-store';
import { eventMatcher, type ProjectionTransaction } from '@tracershop/projections/engine';
import { projectionTransactionOn } from '@tracershop/projections/engine/batch-transaction';
import { MYSQL_TEST_CONNECTION } from '../../../test/contract/mysql-test-database';
import { orderingProjection } from './ordering-projection';
import { orderingTables } from './ordering-tables';
import { openOrderingTestBed, productionUser, type OrderingTestBed, type Row } from './test-support/ordering-test-bed';
import { playMonday } from './test-support/ordering-scenario';

const day = { endpointId, date, at };
const reason = 'Production plan changed';
const primaryKeys: Record<string, string> = {
  [orderingTables.orders]: 'order_id',
  [orderingTables.orderHistory]: 'order_id, `position`',
  [orderingTables.ghosts]: 'ghost_id',
  [orderingTables.releases]: 'release_id',
  [orderingTables.vials]: 'vial_id',
};

interface ApplyOptions {
  /** Events per batch transaction. */
  batchSize: number;
  /** Run `prepareBatch` (the preload). */
  prepare: boolean;
  /** Flush after every event, as the engine does when it looks for the event a batch failed at. */
  flushEach: boolean;
}

/**
 * record.ordering applies a batch from memory: it reads the rows its events touch up front and
 * writes each table with a few multi-row statements. Applied in one batch, in many, or flushing
 * after every event without the preload, the events leave the same rows as the live runner.
 */
describe('a batch of record.ordering writes each table with a few statements', () => {
  let bed: OrderingTestBed;
  let connection: Connection;
  let events: RecordedEvent[];
  let statements: string[];

  beforeAll(async () => {
    bed = await openOrderingTestBed('ord_batch');
    connection = await createConnection({ ...MYSQL_TEST_CONNECTION, database: bed.recordDatabase });
    await playMonday(bed);
    // A second order moved into the ghost's slot, withdrawn and reinstated: the hosted count follows.
    bed.actor = productionUser;
    await bed.decideDay(
      placeFdg({
        orderId: 'order-6',
        legacyOid: 1006,
        slotId: 'slot-herlev-mon-1030',
        refs: activityRefs(slot1030, secondMondayRun),
      }),
    );
    await bed.decideDay({ type: 'AcceptOrder', ...day, orderId: 'order-6' });
    await bed.decideDay({
      type: 'MoveOrderToSlot',
      ...day,
      orderId: 'order-6',
      targetSlotId: 'slot-herlev-mon-0900',
      reason,
      ghostLegacyOid: 9004,
      secondGhostLegacyOid: 990005,
      timeZone,
      refs: {
        targetSlot: slot0900,
        targetRun: activeMondayRun,
        orderedSlot: slot1030,
        orderedRun: secondMondayRun,
        closedDays: openDays,
      },
    });
    expect(await hostedCounts()).toEqual({ 'ghost:slot-herlev-mon-0900:9003': 2 });
    const cancel = { ...day, now: inTime, deadline: dailyDeadline, orderId: 'order-6', reason };
    await bed.decideDay({ type: 'CancelOrder', ...cancel, actingAs: 'production', ghostLegacyOid: 9005 });
    expect(await hostedCounts()).toEqual({ 'ghost:slot-herlev-mon-0900:9003': 1 });
    await bed.decideDay({
      type: 'ReinstateOrder',
      ...day,
      orderId: 'order-6',
      reason,
      ghostLegacyOid: 9006,
      refs: { closedDays: openDays, activeSlot: { slot: slot0900, productionRun: activeMondayRun }, bookingOrders: [] },
    });
    expect(await hostedCounts()).toEqual({ 'ghost:slot-herlev-mon-0900:9003': 2 });
    events = await bed.store.readAll();
  });

  afterAll(async () => {
    await connection.end();
    await bed.close();
  });

  beforeEach(async () => {
    for (const table of Object.values(orderingTables)) {
      await connection.query(`DROP TABLE IF EXISTS \`batch_${table}\``);
      await connection.query(orderingProjection.tables[table](`\`batch_${table}\``));
    }
  });

  async function hostedCounts(): Promise<Record<string, number>> {
    const ghosts = await bed.rows("SELECT ghost_id, hosted_count FROM ordering_ghosts WHERE status = 'active'");
    return Object.fromEntries(ghosts.map((ghost) => [ghost.ghost_id, ghost.hosted_count]));
  }

  /** Every table's rows by primary key; `prefix` names the copy. */
  async function tableRows(prefix: string): Promise<Record<string, Row[]>> {
    const tables: Record<string, Row[]> = {};
    for (const table of Object.values(orderingTables)) {
      const [rows] = await connection.query(`SELECT * FROM \`${prefix}${table}\` ORDER BY ${primaryKeys[table]}`);
      tables[table] = rows as Row[];
    }
    return tables;
  }

  /** Applies the events to the `batch_` tables in batch transactions, counting the statements. */
  async function apply(applied: readonly RecordedEvent[], options: ApplyOptions): Promise<void> {
    statements = [];
    const counting = {
      query: ((sql: unknown, params?: unknown) => {
        statements.push(typeof sql === 'string' ? sql : (sql as { sql: string }).sql);
        return connection.query(sql as string, params as unknown[]);
      }) as Connection['query'],
    };
    const tables = new Map(Object.values(orderingTables).map((table) => [table, `\`batch_${table}\``]));
    const handled = applied.filter(eventMatcher(orderingProjection));
    for (let start = 0; start < handled.length; start += options.batchSize) {
      const batch = handled.slice(start, start + options.batchSize);
      const tx: ProjectionTransaction = projectionTransactionOn(counting, orderingProjection.name, tables, 'rebuild');
      await connection.query('START TRANSACTION');
      try {
        if (options.prepare) await orderingProjection.prepareBatch!(batch, tx);
        for (const event of batch) {
          await orderingProjection.handle(event, tx);
          if (options.flushEach) await orderingProjection.flushBatch!(tx);
        }
        await orderingProjection.flushBatch!(tx);
        await connection.query('COMMIT');
      } catch (error) {
        await connection.query('ROLLBACK');
        throw error;
      }
    }
  }

  /** `SELECT ordering_orders`, `INSERT ordering_order_history` … in the order sent. */
  const shapes = () =>
    statements.map((sql) => {
      const verb = sql.trim().split(/\s/)[0];
      const table = /`batch_(\w+)`/.exec(sql)?.[1];
      return `${verb} ${table}`;
    });

  it('given a day and its vials in one batch, then it reads each table once and inserts each once, leaving the live rows', async () => {
    expect(events.length).toBeGreaterThanOrEqual(30);

    await apply(events, { batchSize: 1_000, prepare: true, flushEach: false });

    expect(shapes().sort()).toEqual(
      [
        // The day's orders and ghosts, for its hosted counts.
        'SELECT ordering_ghosts',
        'SELECT ordering_orders',
        // Every row the events name, and the orders' last history positions.
        'SELECT ordering_orders',
        'SELECT ordering_ghosts',
        'SELECT ordering_releases',
        'SELECT ordering_vials',
        'SELECT ordering_order_history',
        'INSERT ordering_orders',
        'INSERT ordering_ghosts',
        'INSERT ordering_releases',
        'INSERT ordering_vials',
        'INSERT ordering_order_history',
      ].sort(),
    );
    expect(await tableRows('batch_')).toEqual(await tableRows(''));
  });

  it('given batches of three events, then stored rows are upserted in place and histories go on where they stopped', async () => {
    await apply(events, { batchSize: 3, prepare: true, flushEach: false });

    // The primary key is the tables' only unique key: a stored row is replaced by one upsert.
    expect(statements.some((sql) => /^\s*INSERT INTO \S*ordering_orders[\s\S]*ON DUPLICATE KEY UPDATE/.test(sql))).toBe(
      true,
    );
    expect(shapes()).not.toContain('DELETE ordering_orders');
    expect(shapes()).not.toContain('UPDATE ordering_orders');
    expect(await tableRows('batch_')).toEqual(await tableRows(''));
  });

  it('given no preload and a flush after every event, then the handlers read what they need and leave the same rows', async () => {
    await apply(events, { batchSize: 1_000, prepare: false, flushEach: true });

    expect(await tableRows('batch_')).toEqual(await tableRows(''));
  });

  it('given a vial dispensed, when a later batch dispenses it again, then the batch fails instead of overwriting it', async () => {
    const dispensed = events.find((event) => event.type === 'VialDispensed')!;
    expect(dispensed.streamId).toBe(vialStreamName((dispensed.data as { vialId: string }).vialId));
    await apply([dispensed], { batchSize: 1, prepare: true, flushEach: false });
    const again = { ...dispensed, data: { ...(dispensed.data as object), activityMBq: 1 } } as RecordedEvent;

    await expect(apply([again], { batchSize: 1, prepare: true, flushEach: false })).rejects.toThrow(
      /already has vial_id/,
    );
    await expect(apply([again], { batchSize: 1, prepare: false, flushEach: true })).rejects.toThrow(
      /already has vial_id/,
    );
    // The same creation twice in one batch fails too.
    await connection.query('DELETE FROM `batch_ordering_vials`');
    await expect(apply([dispensed, again], { batchSize: 2, prepare: true, flushEach: false })).rejects.toThrow(
      /already has vial_id/,
    );
    const [vials] = await connection.query('SELECT activity_mbq FROM `batch_ordering_vials`');
    expect(vials).toEqual([]);
  });
});
