import { randomBytes, randomUUID } from 'node:crypto';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { loadConfiguration, type TracershopConfig } from '@tracershop/config';
import { MysqlEventStore, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { bootApp, type BootedApp } from './booted-app';
import { runCli } from './cli-process';

/**
 * Regression: `seed-demo` refused only when Tracershop's own catalogue listed customers, and took a
 * catalogue table the projector had not made yet for an empty one. On the old system's database
 * it appended permanent demo events and projected demo customers into the old `Users` and
 * `UserRoles` (a duplicate username, a real customer's dispenser number).
 */

function databasesNamed(prefix: string): Record<string, string> {
  const suffix = randomBytes(4).toString('hex');
  return {
    EVENTS_DATABASE: `e2e_${prefix}events_${suffix}`,
    RECORD_DATABASE: `e2e_${prefix}record_${suffix}`,
    WEB_DATABASE: `e2e_${prefix}web_${suffix}`,
  };
}

const cli = runCli;

const configOf = (env: Record<string, string>) => loadConfiguration({ ...process.env, ...env });

async function eventCount(config: TracershopConfig): Promise<number> {
  const store = await MysqlEventStore.open({ connection: { ...config.mysql }, database: config.databases.events });
  try {
    return (await store.readAll({ maxCount: 100_000 })).length;
  } finally {
    await store.close();
  }
}

async function onRecord<T>(config: TracershopConfig, work: (record: Connection) => Promise<T>): Promise<T> {
  const record = await createConnection({ ...config.mysql, database: config.databases.record });
  try {
    return await work(record);
  } finally {
    await record.end();
  }
}

const legacyCustomerNames = (config: TracershopConfig) =>
  onRecord(config, async (record) => {
    const [rows] = await record.query<RowDataPacket[]>(
      'SELECT u.Username FROM Users u JOIN UserRoles r ON r.Id_User = u.Id AND r.Id_Role = 4 ORDER BY u.Username',
    );
    return rows.map((row) => String(row.Username));
  });

async function dropDatabases(config: TracershopConfig): Promise<void> {
  const admin = await createConnection({ ...config.mysql });
  try {
    for (const database of Object.values(config.databases)) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
    }
  } finally {
    await admin.end();
  }
}

describe('seed-demo refuses a deployment that holds data', () => {
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Migrated databases of their own, dropped after the test. */
  async function migrated(prefix: string): Promise<{ env: Record<string, string>; config: TracershopConfig }> {
    const env = databasesNamed(prefix);
    const config = configOf(env);
    cleanups.push(() => dropDatabases(config));
    const migrate = await cli(env, 'migrate');
    expect(migrate.code).toBe(0);
    return { env, config };
  }

  it('given the old system with its customers in the record database, when seed-demo runs on an empty event store, then it is refused and writes nothing', async () => {
    const { env, config } = await migrated('sdold');
    await onRecord(config, async (record) => {
      await record.query(
        "INSERT INTO Users (Id, Username, Realname, kundenr, overhead) VALUES (17, 'herlev', 'Herlev Hospital', 2, 10)",
      );
      await record.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (17, 4)');
    });

    const seeded = await cli(env, 'seed-demo');
    expect(seeded.code).toBe(1);
    expect(seeded.stderr).toContain('holds 1 customers of the old system in Users (herlev …)');
    expect(seeded.stdout).not.toContain('events appended');
    expect(await eventCount(config)).toBe(0);
    expect(await legacyCustomerNames(config)).toEqual(['herlev']);
  });

  it('given records of its own in the event store that no catalogue table shows yet, when seed-demo runs, then it is refused and writes nothing', async () => {
    const { env, config } = await migrated('sdown');
    const store = await MysqlEventStore.open({ connection: { ...config.mysql }, database: config.databases.events });
    try {
      const eventId = randomUUID();
      const at = new Date().toISOString();
      await store.append(
        `catalog.customer-${randomUUID()}`,
        [
          {
            type: 'CustomerRegistered',
            data: { shortName: 'odense', longName: 'Odense Universitetshospital', dispenserNumber: 9, legacyId: 30 },
            metadata: {
              eventId,
              schemaVersion: 1,
              occurredAt: at,
              recordedAt: at,
              actor: { kind: 'user', id: 'someone', printedName: 'Someone', role: 'admin' },
              correlationId: eventId,
              causationId: eventId,
            },
          },
        ],
        'no_stream',
      );
    } finally {
      await store.close();
    }

    const seeded = await cli(env, 'seed-demo');
    expect(seeded.code).toBe(1);
    expect(seeded.stderr).toMatch(/the event store holds events of its own \(CustomerRegistered on catalog\.customer-/);
    expect(await eventCount(config)).toBe(1);
  });

  it('given a fresh demo machine whose api made the first administrator, when seed-demo runs, then it seeds; run again once the old tables show the demo customers, it changes nothing', async () => {
    const app: BootedApp = await bootApp();
    cleanups.push(() => app.close());
    const env = {
      EVENTS_DATABASE: app.config.databases.events,
      RECORD_DATABASE: app.config.databases.record,
      WEB_DATABASE: app.config.databases.web,
    };
    const verified = await cli(env, 'verify');
    expect(verified.code).toBe(0);

    const first = await cli(env, 'seed-demo');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/seed-demo: \d+ commands, [1-9]\d* events appended/);

    // The projector running beside the api writes the demo customers into the old system's tables.
    const deadline = Date.now() + 30_000;
    while ((await legacyCustomerNames(app.config)).length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await legacyCustomerNames(app.config)).toEqual(['glostrup', 'herlev', 'rigs']);

    const again = await cli(env, 'seed-demo');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/seed-demo: \d+ commands, 0 events appended/);
  });
});
