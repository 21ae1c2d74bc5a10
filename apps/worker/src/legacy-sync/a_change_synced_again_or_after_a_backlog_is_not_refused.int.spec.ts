import { createPool, type Pool } from 'mysql2/promise';
import pino from 'pino';
import { CommandPipeline } from '@tracershop/command-pipeline';
import { loadConfiguration } from '@tracershop/config';
import { TracershopMetrics } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { CATALOG_PROJECTION_NAME, catalogProjection } from '@tracershop/projections/record';
import { MYSQL_TEST_CONNECTION } from '../../../../test/contract/mysql-test-database';
import { catalogue } from '../../../../projections/legacy/test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from '../../../../projections/legacy/test-support/legacy-test-bed';
import { customerIdOfLegacyRow, endpointIdOfLegacyCustomer } from './captured-catalog-changes';
import { LegacyInboundSync } from './legacy-inbound-sync';

interface Outcome {
  id: number;
  table_name: string;
  outcome: string;
  outcome_code: string | null;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** A Monday to come, past every ordering deadline of the test run. */
const MONDAY = '2027-03-01';

describe('a change the sync makes again after a crash, or after a backlog, is not refused', () => {
  let bed: LegacyTestBed;
  let sync: LegacyInboundSync;
  let enginePool: Pool;
  let catalog: ProjectionEngine;

  /** The catalogue read model of the bed's record database, as the projector runs it. */
  const startCatalog = () => {
    const engine = new ProjectionEngine({
      eventStore: bed.store,
      databases: { record: { pool: enginePool, database: bed.database } },
      projections: [catalogProjection],
      logger: silent,
      lockRetryMs: 50,
    });
    engine.start();
    return engine;
  };

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_sync_again');
    enginePool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 4 });
    // Ids Tracershop allocates stay clear of the fixtures' (which reserve no blocks).
    const config = loadConfiguration({
      RECORD_DATABASE: bed.database,
      LEGACY_SYNC_INTERVAL_MS: '20',
      LEGACY_ID_FLOOR: '100000',
    });
    const pipeline = new CommandPipeline({ store: bed.store, conflictRetries: 3 });
    sync = new LegacyInboundSync(
      config,
      bed.reader,
      pipeline,
      pino({ level: 'silent' }),
      new TracershopMetrics('worker-spec'),
      bed.store,
    );
    // Given the catalogue (Herlev, Users.Id 42, delivered FDG on Mondays at 08:00 by run 1), shown by its read model
    catalog = startCatalog();
    const head = await bed.given(...catalogue);
    await catalog.waitForPosition(CATALOG_PROJECTION_NAME, head, 15_000);
  });

  afterAll(async () => {
    await sync.onApplicationShutdown();
    await catalog.stop();
    await enginePool.end();
    await bed.close();
  });

  const outcomes = async (): Promise<Outcome[]> => {
    const [rows] = await bed.reader.query(
      'SELECT id, table_name, outcome, outcome_code FROM legacy_capture ORDER BY id',
    );
    return rows as Outcome[];
  };

  it('given an old-system order accepted, cancelled and reinstated, when the reinstate is synced again after a crash, then it is unchanged, not rejected', async () => {
    await bed.reader.query(
      `INSERT INTO orders (OID, BID, tracer, amount, deliver_datetime, status, run, COID, userName)
       VALUES (1001, 42, 6, 500, '${MONDAY} 08:00:00', 1, 1, -1, 'herlev')`,
    );
    for (const status of [2, 4, 2]) await bed.reader.query('UPDATE orders SET status = ? WHERE OID = 1001', [status]);
    expect(await sync.syncPending()).toBe(4);
    expect((await outcomes()).map(({ outcome }) => outcome)).toEqual(['applied', 'applied', 'applied', 'applied']);
    const before = (await bed.store.readAll()).length;

    // When the worker stopped after the reinstate's append, before its outcome was written
    const reinstate = (await outcomes()).at(-1) as Outcome;
    await bed.reader.query("UPDATE legacy_capture SET outcome = 'pending', events = NULL WHERE id = ?", [reinstate.id]);
    expect(await sync.syncPending()).toBe(1);

    // Then it is recorded as done, and nothing is appended twice
    expect((await outcomes()).at(-1)).toMatchObject({ id: reinstate.id, outcome: 'unchanged', outcome_code: null });
    expect((await bed.store.readAll()).length).toBe(before);
  });

  it('given a change that may need a ghost, when its legacy id is asked for again (a retry), then it is the one given first', async () => {
    const { lookups } = sync['planning'];

    const first = await lookups.newOrdersLegacyId(90_001);

    expect(await lookups.newOrdersLegacyId(90_001)).toBe(first);
    expect(await lookups.newOrdersLegacyId(90_003)).not.toBe(first);
  });

  it('given an old-system customer whose registration was cut off after its first command, when it is synced again, then its endpoint and permission are registered, not taken for done', async () => {
    // A sync whose endpoint registration meets a passing fault once, after the customer's append.
    let cutOff = false;
    const flaky = new CommandPipeline({ store: bed.store, conflictRetries: 3 });
    const execute = flaky.execute.bind(flaky);
    flaky.execute = ((definition, command, context) => {
      if (definition.name === 'DeliveryEndpoint' && !cutOff) {
        cutOff = true;
        return Promise.reject(Object.assign(new Error('connection lost'), { code: 'ECONNRESET' }));
      }
      return execute(definition, command, context);
    }) as CommandPipeline['execute'];
    const config = loadConfiguration({ RECORD_DATABASE: bed.database, LEGACY_ID_FLOOR: '100000' });
    const cutSync = new LegacyInboundSync(
      config,
      bed.reader,
      flaky,
      pino({ level: 'silent' }),
      new TracershopMetrics('worker-spec-cut'),
      bed.store,
    );
    await bed.reader.query(
      `INSERT INTO Users (Id, Username, Realname, overhead, kundenr, addr1, addr2)
       VALUES (61, 'gentofte', 'Gentofte Hospital', 10, 14, 'Hospitalsvej 1', 'Hellerup')`,
    );
    await bed.reader.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (61, 4)');

    // A passing fault leaves the change pending; the loop tries again.
    await expect(cutSync.syncPending()).rejects.toThrow('connection lost');
    expect(cutOff).toBe(true);
    await cutSync.syncPending();

    const registered = (await bed.store.readAll())
      .filter((event) =>
        [customerIdOfLegacyRow(61), endpointIdOfLegacyCustomer(61)].some((id) =>
          JSON.stringify(event.data).includes(id),
        ),
      )
      .map((event) => event.type);
    expect(registered).toEqual(
      expect.arrayContaining(['CustomerRegistered', 'DeliveryEndpointRegistered', 'TracerPermissionGranted']),
    );
    expect((await outcomes()).at(-1)).toMatchObject({ table_name: 'UserRoles', outcome: 'applied' });
    await cutSync.onApplicationShutdown();
  });

  it("given a backlog (the sync stopped a while), when the old system's new customer and its delivery time are synced, then the delivery time waits for the catalogue to show the customer", async () => {
    // The catalogue read model is behind: its projector is down while the sync registers the customer.
    await catalog.stop();
    await bed.reader.query(
      `INSERT INTO Users (Id, Username, Realname, overhead, kundenr, addr1, addr2)
       VALUES (51, 'hvidovre', 'Hvidovre Hospital', 10, 12, 'Kettegård Allé 30', 'Hvidovre')`,
    );
    await bed.reader.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (51, 4)');
    await bed.reader.query(
      "INSERT INTO deliverTimes (BID, day, repeat_t, dtime, max, DTID, run) VALUES (51, 1, 1, '08:30:00', NULL, 1005, 1)",
    );
    // Captured two minutes ago: longer than the grace for what the read models do not know yet.
    await bed.reader.query(
      "UPDATE legacy_capture SET captured_at = captured_at - INTERVAL 2 MINUTE WHERE outcome = 'pending'",
    );

    const synced = sync.syncPending();
    await new Promise((resolve) => setTimeout(resolve, 500));
    catalog = startCatalog();

    expect(await synced).toBe(3);
    expect((await outcomes()).slice(-3).map(({ table_name, outcome }) => [table_name, outcome])).toEqual([
      ['Users', 'unchanged'],
      ['UserRoles', 'applied'],
      ['deliverTimes', 'applied'],
    ]);
  });
});
