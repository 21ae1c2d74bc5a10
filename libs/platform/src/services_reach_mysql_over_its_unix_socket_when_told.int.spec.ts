import { randomBytes } from 'node:crypto';
import { createConnection, type Pool, type RowDataPacket } from 'mysql2/promise';
import { checkMysql, DependencyUnreachableError, loadConfiguration, type TracershopConfig } from '@tracershop/config';
import type { EventStore } from '@tracershop/event-store';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { newEvent } from '../../../test/contract/event-fixtures';
import { MYSQL_TEST_CONNECTION } from '../../../test/contract/mysql-test-database';
import { openReadModelDatabase } from './databases';
import { openEventStore } from './event-store.factory';

describe('MySQL over its Unix socket', () => {
  const suffix = randomBytes(4).toString('hex');
  const databases = { events: `socket_events_${suffix}`, web: `socket_web_${suffix}` };
  let serverSocket: string;

  beforeAll(async () => {
    const connection = await createConnection({ ...MYSQL_TEST_CONNECTION });
    try {
      const [[row]] = await connection.query<RowDataPacket[]>('SELECT @@socket AS socket');
      serverSocket = String(row.socket);
    } finally {
      await connection.end();
    }
  });

  afterAll(async () => {
    const connection = await createConnection({ ...MYSQL_TEST_CONNECTION });
    try {
      for (const database of Object.values(databases)) {
        await connection.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
      }
    } finally {
      await connection.end();
    }
  });

  function configuration(env: Record<string, string>): TracershopConfig {
    return loadConfiguration({
      MYSQL_USER: MYSQL_TEST_CONNECTION.user ?? 'root',
      MYSQL_PASSWORD: MYSQL_TEST_CONNECTION.password ?? '',
      EVENTS_DATABASE: databases.events,
      WEB_DATABASE: databases.web,
      ...env,
    });
  }

  it('given MYSQL_SOCKET names the server socket, when the read models and the event store open, then their sessions use it', async () => {
    // Given
    const config = configuration({ MYSQL_SOCKET: serverSocket, MYSQL_HOST: '192.0.2.1' });
    let pool: Pool | undefined;
    let store: EventStore | undefined;
    try {
      // When
      pool = await openReadModelDatabase(config, 'web', 2);
      store = await openEventStore(config);
      const appended = await store.append('socket.check-1', [newEvent('SocketChecked', { n: 1 })], 'no_stream');
      const [[row]] = await pool.query<RowDataPacket[]>(
        'SELECT HOST AS host FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID()',
      );

      // Then: the host (a documentation address nothing answers on) was never tried, and the
      // server sees a local session (TCP sessions show as address:port).
      expect(appended.nextExpectedRevision).toBe(0n);
      expect((await store.readStream('socket.check-1')).map((event) => event.type)).toEqual(['SocketChecked']);
      expect(row.host).toBe('localhost');
    } finally {
      await store?.close();
      await pool?.end();
    }
  });

  it('given MYSQL_SOCKET names no socket, when the dependencies are checked, then the failure names the socket', async () => {
    // Given
    const config = configuration({ MYSQL_SOCKET: `/nonexistent-${suffix}/mysqld.sock` });

    // When
    const failure = await checkMysql(config, 2_000).then(
      () => null,
      (error: unknown) => error,
    );

    // Then
    expect(failure).toBeInstanceOf(DependencyUnreachableError);
    expect((failure as Error).message).toContain(`socket /nonexistent-${suffix}/mysqld.sock`);
    expect((failure as Error).message).toContain('MYSQL_SOCKET');
  });
});
