import { randomBytes } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import type { ProjectionTransaction } from '@tracershop/projections/engine';
import { projectionTransactionOn } from '@tracershop/projections/engine/batch-transaction';
import { closeScratchDatabase, openScratchDatabase } from '../../../test/contract/mysql-test-database';
import { OrderHistoryBuffer, type HistoryEntry } from './ordering-batch';
import { orderingTableDefinitions, orderingTables } from './ordering-tables';

const table = orderingTables.orderHistory;

const entry = (eventPosition: number): HistoryEntry => ({
  event_type: 'OrderAccepted',
  event_position: String(eventPosition),
  stream_revision: '1',
  occurred_at: '2026-03-02 07:00:00.000',
  actor_id: 'user-peter',
  actor_name: 'Peter Hansen',
  reason: null,
  details: '{}',
  signature: null,
});

describe('the order history of a batch: numbered per order, inserted in chunks', () => {
  const database = `ord_history_${randomBytes(4).toString('hex')}`;
  let connection: Connection;
  let statements: string[];
  let tx: ProjectionTransaction;

  const verbs = () => statements.map((sql) => sql.trim().split(/\s/)[0]);
  const positions = async (orderId: string) => {
    const [rows] = await connection.query(
      `SELECT \`position\`, event_position FROM ${table} WHERE order_id = ? ORDER BY \`position\``,
      [orderId],
    );
    return (rows as { position: number; event_position: string }[]).map(
      (row) => `${row.position}@${row.event_position}`,
    );
  };

  beforeAll(async () => {
    connection = await openScratchDatabase(database);
    await connection.query(orderingTableDefinitions[table](`\`${table}\``));
  });

  afterAll(async () => {
    await closeScratchDatabase(connection, database);
  });

  beforeEach(async () => {
    await connection.query(`DELETE FROM ${table}`);
    statements = [];
    const counting = {
      query: ((options: unknown, params?: unknown) => {
        statements.push(typeof options === 'string' ? options : (options as { sql: string }).sql);
        return connection.query(options as string, params as unknown[]);
      }) as Connection['query'],
    };
    tx = projectionTransactionOn(counting, 'test', new Map([[table, `\`${table}\``]]), 'rebuild');
    // As the engine applies every batch: in a transaction, which a bulk load needs.
    await connection.query('START TRANSACTION');
  });

  afterEach(async () => {
    await connection.query('ROLLBACK');
  });

  it('given a stored history, when a batch appends to it and to a new order, then positions go on from the stored ones', async () => {
    const history = new OrderHistoryBuffer(table);
    await history.append(tx, 'order-1', entry(1));
    await history.append(tx, 'order-1', entry(2));
    await history.flush(tx);
    const next = projectionTransactionOn(connection, 'test', new Map([[table, `\`${table}\``]]), 'rebuild');
    statements = [];

    await history.preload(next, ['order-1', 'order-2']);
    await history.append(next, 'order-2', entry(3));
    await history.append(next, 'order-1', entry(4));
    await history.append(next, 'order-2', entry(5));
    await history.flush(next);

    expect(await positions('order-1')).toEqual(['1@1', '2@2', '3@4']);
    expect(await positions('order-2')).toEqual(['1@3', '2@5']);
  });

  it('given a preload, when a batch appends more than a chunk, then a chunk is loaded before the flush and the rest by it', async () => {
    const history = new OrderHistoryBuffer(table);
    await history.preload(tx, ['order-1', 'order-2']);
    for (let event = 1; event <= 1_200; event += 1) {
      await history.append(tx, event % 2 === 0 ? 'order-2' : 'order-1', entry(event));
    }
    const beforeFlush = verbs();

    await history.flush(tx);

    // The first chunk is under way before the flush: its savepoint is sent at once, its load when
    // the savepoint's reply arrives, which on a busy machine may come after the last append. The
    // second chunk goes once the first is in, before the flush or by it.
    expect(beforeFlush.slice(0, 2)).toEqual(['SELECT', 'SAVEPOINT']);
    expect(verbs()).toEqual(['SELECT', 'SAVEPOINT', 'LOAD', 'SAVEPOINT', 'LOAD', 'SAVEPOINT', 'LOAD']);
    expect((await positions('order-1')).slice(-2)).toEqual(['599@1197', '600@1199']);
    expect((await positions('order-2')).slice(0, 2)).toEqual(['1@2', '2@4']);
  });

  it('given a chunk that repeats a stored key, then its load is taken back, its INSERT fails, and the batch sends no more history', async () => {
    const history = new OrderHistoryBuffer(table);
    await history.preload(tx, ['order-1']);
    // A row the batch did not read: the chunk that repeats its key fails.
    await connection.query(
      `INSERT INTO ${table} (order_id, \`position\`, event_type, event_position, stream_revision, occurred_at,
         actor_id, actor_name, details) VALUES ('order-1', 1, 'OrderPlaced', '0', 0, NOW(), 'u', 'U', '{}')`,
    );
    // The first chunk is sent at the 500th entry; the failure may reach an append or only the flush.
    let failedAppend: unknown = null;
    for (let event = 1; event <= 700 && failedAppend === null; event += 1) {
      await history.append(tx, 'order-1', entry(event)).catch((error: unknown) => {
        failedAppend = error;
      });
    }

    await expect(history.flush(tx)).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    await expect(history.append(tx, 'order-1', entry(701))).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    // The load skipped the duplicate; rolled back to before it, the INSERT fails as it always did.
    expect(verbs()).toEqual(['SELECT', 'SAVEPOINT', 'LOAD', 'ROLLBACK', 'INSERT']);
    expect(await positions('order-1')).toEqual(['1@0']);
  });
});
