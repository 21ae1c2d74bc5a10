/**
 * MySQL transport: what one round trip costs over TCP and over the server's Unix socket, in wall
 * time and in CPU on both sides (this process and the server). Every command, projection batch and
 * live read is a few such round trips, so this is the saving `MYSQL_SOCKET` buys a deployment with
 * the database on the same machine.
 *
 * For each transport, alternately and ROUNDS times: QUERIES round trips on one connection, of three
 * shapes (a point read, a ten-row read, a one-row insert and commit), and the same reads from
 * CONCURRENT connections at once. Medians over the rounds are reported.
 *
 * Env: BENCH_QUERIES (4000), BENCH_ROUNDS (3), BENCH_CONCURRENT (8).
 */
import { existsSync } from 'node:fs';
import { createConnection, type Connection, type ConnectionOptions, type RowDataPacket } from 'mysql2/promise';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { MYSQL_TEST_CONNECTION } from '../test/contract/mysql-test-database';
import { report, row, type BenchRow } from './bench-report';
import { cpuSecondsOf, findDatabaseServerPid } from './commands/cpu-usage';

const QUERIES = Number(process.env.BENCH_QUERIES ?? 4_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 8);
const DATABASE = `bench_transport_${process.pid}`;

interface Transport {
  name: string;
  options: ConnectionOptions;
}

interface Shape {
  name: string;
  connections: number;
  run(connection: Connection, index: number): Promise<unknown>;
}

const SHAPES: Shape[] = [
  {
    name: 'point read',
    connections: 1,
    run: (connection, index) => connection.query('SELECT id, name, state FROM items WHERE id = ?', [1 + (index % 100)]),
  },
  {
    name: 'ten-row read',
    connections: 1,
    run: (connection, index) =>
      connection.query('SELECT id, name, state FROM items WHERE id BETWEEN ? AND ?', [
        1 + (index % 90),
        10 + (index % 90),
      ]),
  },
  {
    name: 'insert and commit',
    connections: 1,
    run: (connection, index) =>
      connection.query('START TRANSACTION; INSERT INTO writes (item_id, note) VALUES (?, ?); COMMIT', [
        1 + (index % 100),
        `write ${index}`,
      ]),
  },
  {
    name: `point read, ${CONCURRENT} connections`,
    connections: CONCURRENT,
    run: (connection, index) => connection.query('SELECT id, name, state FROM items WHERE id = ?', [1 + (index % 100)]),
  },
];

interface Sample {
  wallSeconds: number;
  latenciesMs: number[];
  clientCpuUsPerQuery: number;
  serverCpuUsPerQuery: number | null;
}

async function measure(transport: Transport, shape: Shape, serverPid: number | null): Promise<Sample> {
  const connections = await Promise.all(
    Array.from({ length: shape.connections }, () =>
      createConnection({ ...transport.options, database: DATABASE, multipleStatements: true }),
    ),
  );
  try {
    // Warm each connection (and the server's caches) before measuring.
    await Promise.all(
      connections.map(async (connection) => {
        for (let index = 0; index < 200; index += 1) await shape.run(connection, index);
      }),
    );
    const latenciesMs: number[] = [];
    const perConnection = Math.ceil(QUERIES / connections.length);
    const clientBefore = process.cpuUsage();
    const serverBefore = serverPid === null ? null : cpuSecondsOf(serverPid);
    const started = performance.now();
    await Promise.all(
      connections.map(async (connection, which) => {
        for (let index = 0; index < perConnection; index += 1) {
          const sent = performance.now();
          await shape.run(connection, which * perConnection + index);
          latenciesMs.push(performance.now() - sent);
        }
      }),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const client = process.cpuUsage(clientBefore);
    const serverAfter = serverPid === null ? null : cpuSecondsOf(serverPid);
    const queries = perConnection * connections.length;
    return {
      wallSeconds,
      latenciesMs,
      clientCpuUsPerQuery: (client.user + client.system) / queries,
      serverCpuUsPerQuery:
        serverBefore === null || serverAfter === null ? null : ((serverAfter - serverBefore) * 1e6) / queries,
    };
  } finally {
    await Promise.all(connections.map((connection) => connection.end()));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function transports(admin: Connection): Promise<Transport[]> {
  const tcp: ConnectionOptions = { ...MYSQL_TEST_CONNECTION };
  delete tcp.socketPath;
  const found: Transport[] = [{ name: 'tcp', options: tcp }];
  const [[server]] = await admin.query<RowDataPacket[]>('SELECT @@socket AS socket');
  const socketPath = process.env.MYSQL_SOCKET ?? String(server.socket ?? '');
  if (socketPath && existsSync(socketPath)) found.push({ name: 'unix socket', options: { ...tcp, socketPath } });
  else console.log('the server has no Unix socket on this machine: TCP only');
  return found;
}

export async function run(): Promise<void> {
  const admin = await createConnection({ ...MYSQL_TEST_CONNECTION, multipleStatements: true });
  const serverPid = findDatabaseServerPid();
  if (serverPid === null) console.log('no local MariaDB/MySQL process: server CPU not measured');
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(DATABASE)}`);
    await admin.query(
      `USE ${quoteIdentifier(DATABASE)};
       CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, state JSON NOT NULL);
       CREATE TABLE writes (id BIGINT AUTO_INCREMENT PRIMARY KEY, item_id INT NOT NULL, note VARCHAR(64) NOT NULL)`,
    );
    await admin.query('INSERT INTO items (id, name, state) VALUES ?', [
      Array.from({ length: 100 }, (_, index) => [
        index + 1,
        `item ${index + 1}`,
        JSON.stringify({ activityMBq: 100 + index, status: 'ordered' }),
      ]),
    ]);
    const candidates = await transports(admin);
    const samples = new Map<string, Sample[]>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const shape of SHAPES) {
        // Alternate the transports within each round so a change in machine speed hits both alike.
        for (const transport of candidates) {
          const key = `${transport.name}\u0000${shape.name}`;
          samples.set(key, [...(samples.get(key) ?? []), await measure(transport, shape, serverPid)]);
        }
      }
    }
    const rows: BenchRow[] = [];
    for (const shape of SHAPES) {
      for (const transport of candidates) {
        const runs = samples.get(`${transport.name}\u0000${shape.name}`) ?? [];
        const middle = [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds)[Math.floor(runs.length / 2)];
        const queries = middle.latenciesMs.length;
        const client = median(runs.map((sample) => sample.clientCpuUsPerQuery));
        const server = runs.every((sample) => sample.serverCpuUsPerQuery !== null)
          ? median(runs.map((sample) => sample.serverCpuUsPerQuery as number))
          : null;
        rows.push({
          ...row(transport.name, shape.name, queries, middle.wallSeconds, middle.latenciesMs),
          note: `CPU µs per query: client ${client.toFixed(1)}, server ${server === null ? 'n/a' : server.toFixed(1)}; median of ${runs.length} rounds`,
        });
      }
    }
    report('mysql-transport', rows, { queriesPerRun: QUERIES, rounds: ROUNDS, concurrentConnections: CONCURRENT });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(DATABASE)}`);
    await admin.end();
  }
}
