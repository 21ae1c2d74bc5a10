import { randomBytes } from 'node:crypto';
import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { CommandPipeline } from '@tracershop/command-pipeline';
import { loadConfiguration } from '@tracershop/config';
import { legacyIdBlockStreamName, type LegacyIdBlockReservedData } from '@tracershop/domain/legacy';
import type { EventStore, ExpectedRevision, NewEvent } from '@tracershop/event-store';
import { MysqlEventStore, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../test/contract/mysql-test-database';
import { LegacyIdAllocator } from './legacy-id-allocator';

const isEven = (id: number) => Number.isInteger(id) && id % 2 === 0;

describe('LegacyIdAllocator against MariaDB', () => {
  const eventsDatabase = testDatabaseName('legacy_ids');
  const recordDatabase = `tracershop_record_legacy_ids_${randomBytes(4).toString('hex')}`;
  const stores: MysqlEventStore[] = [];
  let record: Pool;

  /** A process of its own: its own event store connection pool, pipeline and allocator. */
  async function startProcess(env: Record<string, string> = {}, wrap: (store: EventStore) => EventStore = (s) => s) {
    const store = await MysqlEventStore.open({
      connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 4 },
      database: eventsDatabase,
    });
    stores.push(store);
    const pipeline = new CommandPipeline({ store: wrap(store) });
    return { store, allocator: new LegacyIdAllocator(pipeline, record, loadConfiguration(env)) };
  }

  async function reservedBlocks(store: EventStore, table: Parameters<typeof legacyIdBlockStreamName>[0]) {
    const events = await store.readStream(legacyIdBlockStreamName(table));
    return events.map((event) => event.data as LegacyIdBlockReservedData);
  }

  beforeAll(async () => {
    const admin = await createConnection({ ...MYSQL_TEST_CONNECTION });
    await admin.query(`CREATE DATABASE ${quoteIdentifier(recordDatabase)}`);
    await admin.end();
    record = createPool({
      ...MYSQL_TEST_CONNECTION,
      database: recordDatabase,
      connectionLimit: 4,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
  });

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await record.end();
    await dropTestDatabase(eventsDatabase);
    await dropTestDatabase(recordDatabase);
  });

  it('given many concurrent callers in one process, then every id is even and unique, from one reservation at a time', async () => {
    const { store, allocator } = await startProcess({ LEGACY_ID_BLOCK_SIZE: '7' });

    const ids = await Promise.all(Array.from({ length: 200 }, () => allocator.allocate('Tracers')));

    expect(ids.every(isEven)).toBe(true);
    expect(new Set(ids).size).toBe(200);
    // No reservation storm: the callers shared each block, so 200 ids took ceil(200 / 7) blocks,
    // and the last one, past its half, had the next reserved ahead.
    await allocator.reservationsSettled();
    const blocks = await reservedBlocks(store, 'Tracers');
    expect(blocks).toHaveLength(30);
    expect(blocks[0]).toEqual({ table: 'Tracers', firstId: 2, lastId: 14, step: 2 });
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, index) => 2 + 2 * index));
  });

  it('given a second process, then neither hands out an id the other did', async () => {
    const first = await startProcess({ LEGACY_ID_BLOCK_SIZE: '5' });
    const second = await startProcess({ LEGACY_ID_BLOCK_SIZE: '3' });

    const [fromFirst, fromSecond] = await Promise.all([
      Promise.all(Array.from({ length: 60 }, () => first.allocator.allocate('Users'))),
      Promise.all(Array.from({ length: 60 }, () => second.allocator.allocate('Users'))),
    ]);

    const all = [...fromFirst, ...fromSecond];
    expect(all.every(isEven)).toBe(true);
    expect(new Set(all).size).toBe(120);
    const blocks = await reservedBlocks(first.store, 'Users');
    const sorted = [...blocks].sort((a, b) => a.firstId - b.firstId);
    for (let index = 1; index < sorted.length; index++) {
      expect(sorted[index].firstId).toBeGreaterThan(sorted[index - 1].lastId);
    }
  });

  it('given a restart, then the rest of the old block is skipped and nothing is handed out twice', async () => {
    const before = await startProcess({ LEGACY_ID_BLOCK_SIZE: '50' });
    const early = [await before.allocator.allocate('orders'), await before.allocator.allocate('orders')];
    const after = await startProcess({ LEGACY_ID_BLOCK_SIZE: '50' });
    const late = await after.allocator.allocate('orders');

    expect(early).toEqual([2, 4]);
    expect(late).toBe(102);
  });

  it('given LEGACY_ID_FLOOR, then ids start at the even id at or above it', async () => {
    const { allocator } = await startProcess({ LEGACY_ID_FLOOR: '1001', LEGACY_ID_BLOCK_SIZE: '2' });
    expect([await allocator.allocate('VAL'), await allocator.allocate('VAL'), await allocator.allocate('VAL')]).toEqual(
      [1002, 1004, 1006],
    );
  });

  it('given the legacy table in the record database, then ids start above its highest id', async () => {
    await record.query('CREATE TABLE deliverTimes (BID INT, DTID INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY)');
    await record.query('INSERT INTO deliverTimes (BID, DTID) VALUES (1, 41), (1, 5003), (2, 17)');
    // A configured floor above the table's highest id stands.
    await record.query('CREATE TABLE isotopes (name VARCHAR(60), halflife INT, id INT NOT NULL PRIMARY KEY)');
    await record.query("INSERT INTO isotopes (name, halflife, id) VALUES ('F-18', 6586, 77)");
    // A table whose name differs only in case is not the legacy table.
    await record.query('CREATE TABLE tracercustomer (ID INT NOT NULL PRIMARY KEY)');
    await record.query('INSERT INTO tracercustomer (ID) VALUES (7777)');
    const { store, allocator } = await startProcess({ LEGACY_ID_FLOOR: '100', LEGACY_ID_BLOCK_SIZE: '2' });

    expect(await allocator.allocate('deliverTimes')).toBe(5004);
    expect(await allocator.allocate('isotopes')).toBe(100);
    expect(await allocator.allocate('TracerCustomer')).toBe(100);

    // The old system keeps writing (odd ids); the next block starts above what it wrote.
    await record.query('INSERT INTO deliverTimes (BID, DTID) VALUES (3, 6001)');
    expect(await allocator.allocate('deliverTimes')).toBe(5006);
    expect(await allocator.allocate('deliverTimes')).toBe(6002);
    expect(await reservedBlocks(store, 'deliverTimes')).toEqual([
      { table: 'deliverTimes', firstId: 5004, lastId: 5006, step: 2 },
      { table: 'deliverTimes', firstId: 6002, lastId: 6004, step: 2 },
    ]);
  });

  it('given ids the old system used and deleted above its highest row, then ids start above its counter', async () => {
    await record.query('CREATE TABLE productionTimes (PTID INT NOT NULL AUTO_INCREMENT PRIMARY KEY, run INT)');
    await record.query('INSERT INTO productionTimes (PTID, run) VALUES (41, 1), (5011, 2), (5013, 3)');
    await record.query('DELETE FROM productionTimes WHERE PTID > 41');
    const { allocator } = await startProcess({ LEGACY_ID_FLOOR: '2', LEGACY_ID_BLOCK_SIZE: '2' });

    expect(await allocator.allocate('productionTimes')).toBe(5014);
  });

  it('given a failed reservation, then its waiters fail and the next call reserves again', async () => {
    let failures = 1;
    const failingOnce = (inner: EventStore): EventStore => {
      const store = Object.create(inner) as EventStore;
      store.append = (streamId: string, events: NewEvent[], expected: ExpectedRevision) =>
        failures-- > 0 ? Promise.reject(new Error('connection lost')) : inner.append(streamId, events, expected);
      return store;
    };
    const { allocator } = await startProcess({ LEGACY_ID_BLOCK_SIZE: '4' }, failingOnce);

    const waiting = await Promise.allSettled([allocator.allocate('t_orders'), allocator.allocate('t_orders')]);
    expect(waiting.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(await allocator.allocate('t_orders')).toBe(2);
  });

  it('given half a block used, then the next block is reserved before anyone asks for it, and the rest is taken without waiting', async () => {
    let gate: { opened: Promise<void>; open: () => void } | null = null;
    let appendHeld = () => undefined as void;
    const anAppendHeld = new Promise<void>((resolve) => (appendHeld = resolve));
    const gated = (inner: EventStore): EventStore => {
      const store = Object.create(inner) as EventStore;
      store.append = async (streamId: string, events: NewEvent[], expected: ExpectedRevision) => {
        if (gate) {
          appendHeld();
          await gate.opened;
        }
        return inner.append(streamId, events, expected);
      };
      return store;
    };
    const { store, allocator } = await startProcess({ LEGACY_ID_BLOCK_SIZE: '6' }, gated);
    const first = await allocator.allocate('blockDeliverDate');
    // From here on every reservation's append waits at the gate.
    let open = () => undefined as void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    gate = { opened, open };

    // When: the first block is used up (the fourth id leaves two of six) while the gate is shut.
    const rest: number[] = [];
    for (let taken = 0; taken < 5; taken++) rest.push(await allocator.allocate('blockDeliverDate'));

    // Then: those ids came without a reservation, and the next block's is under way (its append
    // reaches the gate) with no one asking for more.
    expect([first, ...rest]).toEqual([2, 4, 6, 8, 10, 12]);
    await anAppendHeld;
    open();
    expect(await allocator.allocate('blockDeliverDate')).toBe(14);
    await allocator.reservationsSettled();
    expect(await reservedBlocks(store, 'blockDeliverDate')).toEqual([
      { table: 'blockDeliverDate', firstId: 2, lastId: 12, step: 2 },
      { table: 'blockDeliverDate', firstId: 14, lastId: 24, step: 2 },
    ]);
  });

  it('refuses a table the old system does not have', async () => {
    const { allocator } = await startProcess();
    await expect(allocator.allocate('Orders' as 'orders')).rejects.toThrow(/No legacy table Orders/);
  });
});
