import 'reflect-metadata';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { createConnection } from 'mysql2/promise';
import { HttpProblem } from '@tracershop/platform';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import { events } from '../../../../test/contract/event-fixtures';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../test/contract/mysql-test-database';
import { EventSearchController } from './event-search.controller';

const logger = { info: () => undefined } as unknown as Logger;
const auditor = { principal: { id: 'auditor-1', username: 'aud.itor' } } as unknown as FastifyRequest;

describe('GET /audit/events over a MySQL record with an event deleted behind the store', () => {
  const database = testDatabaseName('search');
  let store: MysqlEventStore;
  let search: EventSearchController;

  beforeAll(async () => {
    store = await MysqlEventStore.open({ connection: MYSQL_TEST_CONNECTION, database });
    search = new EventSearchController(store, logger);
    await store.append('x.a-1', events(1, 'A'), 'no_stream');
    await store.append('x.b-1', events(1, 'B'), 'no_stream');
    await store.append('x.c-1', events(2, 'C'), 'no_stream');
  });

  afterAll(async () => {
    await store?.close();
    await dropTestDatabase(database);
  });

  it('given the whole record readable, then a search ends (nextPosition null) at its head', async () => {
    const found = await search.search({ type: 'C' }, auditor);
    expect(found).toMatchObject({ scanned: 4, nextPosition: null, gap: null });
    expect(found.items.map((item) => item.type)).toEqual(['C', 'C']);
  });

  it('given an event missing before the head, then the search says where the record stops and never that it ended', async () => {
    const dba = await createConnection({ ...MYSQL_TEST_CONNECTION, database });
    try {
      await dba.query('DROP TRIGGER IF EXISTS events_refuse_delete');
      await dba.query("DELETE FROM events WHERE stream_id = 'x.b-1'");
    } finally {
      await dba.end();
    }

    const found = await search.search({ type: 'C' }, auditor);
    expect(found).toMatchObject({ items: [], scanned: 1, nextPosition: '0', gap: { after: '0', head: '3' } });

    // Asked on from there, it cannot go on: an error, not an empty end
    let refused: unknown;
    try {
      await search.search({ type: 'C', after: found.nextPosition ?? undefined }, auditor);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(HttpProblem);
    expect(refused).toMatchObject({ status: 500, code: 'RECORD_INCOMPLETE', details: { after: '0', head: '3' } });
  });
});
