import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection, type Connection } from 'mysql2/promise';
import { createHttpApp, createLogger } from '@tracershop/platform';
import { addDays } from '@tracershop/domain/catalog';
import {
  customerIdOfLegacyRow,
  endpointIdOfLegacyCustomer,
  slotIdOfLegacyRow,
} from '../../apps/worker/src/legacy-sync/captured-catalog-changes';
import { orderIdOfLegacyRow } from '../../apps/worker/src/legacy-sync/captured-order-changes';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { ADMIN, as, bootApp, configOnTheSameDatabases, F18_ISOTOPE, logIn, monday, type BootedApp } from './booted-app';
import { cliOn } from './cli-process';

describe('go-live: the old database becomes Tracershop’s (cli import-legacy)', () => {
  let app: BootedApp;
  let worker: NestFastifyApplication;
  let oldSystem: Connection;
  let admin: ReturnType<typeof as>;
  const today = new Date().toISOString().slice(0, 10);
  const [lastWeek, inTwoWeeks, inThreeWeeks] = [monday(-1), monday(2), monday(3)];

  const cli = (...args: string[]) => cliOn(app, ...args);

  beforeAll(async () => {
    app = await bootApp();
    const config = configOnTheSameDatabases(app, { LEGACY_SYNC_INTERVAL_MS: '25' });
    const logger = createLogger(config.logLevel, 'e2e-worker');
    worker = await createHttpApp(WorkerModule.register(config, logger), { config, logger });
    await worker.init();
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));

    // Tracershop's own catalogue at go-live: the isotope and the tracers, with the old ids.
    const created = async (path: string, body: object) =>
      (await admin.post(path).send(body).expect(201)).body.id as string;
    const f18 = await created('/catalog/isotopes', F18_ISOTOPE);
    const tracer = { isotopeId: f18, inUse: true };
    await created('/catalog/tracers', {
      ...tracer,
      shortName: 'FDG',
      clinicalName: 'FDG',
      kind: 'activity',
      vialTag: 'FDG',
      legacyId: 6,
    });
    await created('/catalog/tracers', {
      ...tracer,
      shortName: 'FET',
      clinicalName: 'FET',
      kind: 'injection',
      vialTag: 'FET',
      legacyId: 9001,
    });

    // A customer registered in Tracershop already: its projected rows are Tracershop's own.
    await created('/catalog/customers', {
      shortName: 'herlev',
      longName: 'Herlev',
      dispenserNumber: 3,
      overheadPercent: 0,
    });

    // The old database as it stood before its capture triggers existed: rows written unseen.
    oldSystem = await createConnection({
      ...app.config.mysql,
      database: app.config.databases.record,
      dateStrings: true,
    });
    await oldSystem.query('SET @tracershop_projection_write = 1');
    await oldSystem.query(
      `INSERT INTO Users (Id, Username, Realname, overhead, kundenr, addr1, addr2) VALUES
         (5, 'rigs', 'Rigshospitalet', 10, 7, 'Blegdamsvej 9', 'København Ø'),
         (9, 'laborant', 'Lab Person', NULL, NULL, NULL, NULL)`,
    );
    await oldSystem.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (5, 4), (9, 2)');
    await oldSystem.query(
      "INSERT INTO productionTimes (day, ptime, run, max, PTID) VALUES (1, '06:00:00', 1, 50000, 3)",
    );
    await oldSystem.query(
      `INSERT INTO deliverTimes (BID, day, repeat_t, dtime, max, DTID, run) VALUES
         (5, 1, 1, '08:00:00', 20000, 13, 1), (5, 1, 1, '10:00:00', NULL, 15, 1)`,
    );
    await oldSystem.query('INSERT INTO TracerCustomer (tracer_id, customer_id, ID) VALUES (9001, 5, 17)');
    await oldSystem.query('INSERT INTO blockDeliverDate (BDID, ddate) VALUES (19, ?), (21, ?)', [
      lastWeek,
      addDays(inThreeWeeks, 2),
    ]);
    const order = (oid: number, date: string, time: string, amount: number, status: number, coid = -1) =>
      oldSystem.query(
        `INSERT INTO orders (BID, OID, order_time, amount, deliver_datetime, status, batchnr, run, COID, total_amount,
           frigivet_datetime, amount_o, total_amount_o, tracer, comment, userName)
         VALUES (5, ?, ?, ?, ?, ?, '', 1, ?, ?, '0000-01-01 00:00:00', ?, ?, 6, NULL, 'rigs')`,
        [oid, `${lastWeek} 09:00:00`, amount, `${date} ${time}:00`, status, coid, amount, amount * 1.1, amount * 1.1],
      );
    await order(101, inTwoWeeks, '08:00', 1000, 1);
    await order(103, inThreeWeeks, '08:00', 800, 2);
    // Delivered last week: history, not imported.
    await order(105, lastWeek, '08:00', 900, 2);
    await order(107, inThreeWeeks, '10:00', 500, 2);
    // At a time the customer has no slot for: refused, and listed.
    await order(113, inThreeWeeks, '09:30', 300, 1);
    // A move the old production made (10:00 into 101 at 08:00): the moved row and its host stay the old system's.
    await order(109, inTwoWeeks, '10:00', 400, 2, 101);
    await oldSystem.query(
      `INSERT INTO t_orders (BID, OID, order_time, deliver_datetime, status, batchnr, tracer, n_injections, anvendelse, userName)
       VALUES (5, 111, ?, ?, 1, '', 9001, 3, 'Human', 'rigs')`,
      [`${lastWeek} 09:00:00`, `${inTwoWeeks} 11:15:00`],
    );
    await oldSystem.query('SET @tracershop_projection_write = NULL');
    for (let waited = 0; waited < 10_000; waited += 50) {
      const [herlev] = await oldSystem.query("SELECT Id FROM Users WHERE Username = 'herlev'");
      if ((herlev as unknown[]).length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  afterAll(async () => {
    await oldSystem?.end();
    await worker?.close();
    await app?.close();
  });

  it('a dry run counts what the import would take and queues nothing', async () => {
    const run = await cli('import-legacy', '--dry-run', '--from', today);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Herlev's role row is Tracershop's own (an even id of its reserved block)
    expect(run.stdout).toContain(
      'UserRoles: 2 rows (customers (customer role and a dispenser number), each with an endpoint that may order FDG), 1 known already, 1 changes',
    );
    expect(run.stdout).toContain('deliverTimes: 2 rows');
    // 103, 107 and 113; 101 hosts the moved 109
    expect(run.stdout).toContain('orders: 3 rows');
    expect(run.stdout).toContain('dry run: 12 changes would be queued');
    expect(run.stdout).toContain('left to the old system: 2 open orders rows');
    expect(run.stdout).toContain('orders OID 101, 109');
    const [queued] = await oldSystem.query(
      "SELECT COUNT(*) AS n FROM legacy_capture WHERE captured_by = 'import-legacy'",
    );
    expect(queued).toEqual([{ n: 0 }]);
  });

  it('queues the rows step by step; the sync makes them customers, runs, slots, permissions, closed dates and orders', async () => {
    const run = await cli('import-legacy', '--from', today);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('orders: 3 rows (open FDG orders), 0 known already, 5 changes: applied 4, rejected 1');
    // The row it could not take is listed for reconciliation, and the exit code says so
    expect(run.stdout).toMatch(
      /open for reconciliation \(GET \/legacy\/captured-changes\?open=true\): 1\n +#\d+ orders 113: rejected LEGACY_SLOT_NOT_FOUND/,
    );
    expect(run.code).toBe(1);

    const customer = await admin.get(`/catalog/customers/${customerIdOfLegacyRow(5)}`).expect(200);
    expect(customer.body).toMatchObject({
      shortName: 'rigs',
      longName: 'Rigshospitalet',
      dispenserNumber: 7,
      legacyId: 5,
    });
    const slot = await admin.get(`/catalog/delivery-time-slots/${slotIdOfLegacyRow(13)}`).expect(200);
    expect(slot.body).toMatchObject({ endpointId: endpointIdOfLegacyCustomer(5), deliveryTime: '08:00', legacyId: 13 });
    await admin.get(`/catalog/closed-dates/${addDays(inThreeWeeks, 2)}`).expect(200);

    // The open orders, as placed in the old system (and accepted there), by the old system
    const accepted = await admin.get(`/ordering/orders/${orderIdOfLegacyRow('orders', 103)}`).expect(200);
    expect(accepted.body).toMatchObject({
      status: 'accepted',
      activityMBq: 800,
      legacyOid: 103,
      deliveryDate: inThreeWeeks,
    });
    const moveHost = await admin.get(`/ordering/orders/${orderIdOfLegacyRow('orders', 107)}`).expect(200);
    expect(moveHost.body).toMatchObject({ status: 'accepted', activityMBq: 500, deliveryTime: '10:00' });
    const injection = await admin.get(`/ordering/orders/${orderIdOfLegacyRow('t_orders', 111)}`).expect(200);
    expect(injection.body).toMatchObject({ kind: 'injection', status: 'ordered', injections: 3, usage: 'human' });
    // Rows part of a move, and last week's, are not Tracershop's
    for (const oid of [101, 105, 109])
      await admin.get(`/ordering/orders/${orderIdOfLegacyRow('orders', oid)}`).expect(404);

    // The projections adopted the old rows: still one row each, as the old system wrote them
    const [orders] = await oldSystem.query('SELECT OID, amount, status, run, COID FROM orders ORDER BY OID');
    expect(orders).toEqual([
      { OID: 101, amount: 1000, status: 1, run: 1, COID: -1 },
      { OID: 103, amount: 800, status: 2, run: 1, COID: -1 },
      { OID: 105, amount: 900, status: 2, run: 1, COID: -1 },
      { OID: 107, amount: 500, status: 2, run: 1, COID: -1 },
      { OID: 109, amount: 400, status: 2, run: 1, COID: 101 },
      { OID: 113, amount: 300, status: 1, run: 1, COID: -1 },
    ]);
    const [slots] = await oldSystem.query('SELECT DTID, run FROM deliverTimes ORDER BY DTID');
    expect(slots).toEqual([
      { DTID: 13, run: 1 },
      { DTID: 15, run: 1 },
    ]);
  });

  it('run again, it finds everything known and queues nothing, but is not done while a change is open', async () => {
    const [before] = await oldSystem.query('SELECT COUNT(*) AS n FROM legacy_capture');
    const run = await cli('import-legacy', '--from', today);
    expect(run.stdout).toContain('orders: 3 rows (open FDG orders), 3 known already, 0 changes');
    expect(run.stdout).toContain('import-legacy: nothing new to import');
    // The first run's refusal is still open: listed again, and the exit code says so
    expect(run.stdout).toMatch(
      /open for reconciliation \(GET \/legacy\/captured-changes\?open=true\): 1\n +#\d+ orders 113: rejected LEGACY_SLOT_NOT_FOUND/,
    );
    expect(run.code).toBe(1);
    const [after] = await oldSystem.query('SELECT COUNT(*) AS n FROM legacy_capture');
    expect(after).toEqual(before);
  });

  it('once the open change is reconciled, run again, it is done', async () => {
    const [[open]] = (await oldSystem.query(
      "SELECT id FROM legacy_capture WHERE captured_by = 'import-legacy' AND outcome = 'rejected'",
    )) as unknown as [Array<{ id: number }>];
    const reconciled = await admin
      .post(`/legacy/captured-changes/${open.id}/reconcile`)
      .send({ reason: 'production keeps 113 in the old system' })
      .expect(200);
    await admin.get(`/legacy/captured-changes?open=true&minPosition=${reconciled.body.position}`).expect(200);
    const run = await cli('import-legacy', '--from', today);
    expect(run.stdout).toContain('import-legacy: nothing new to import');
    expect(run.stdout).toContain('import-legacy: done, nothing pending or open');
    expect(run.code).toBe(0);
  });

  it('refuses to run beside another import of the same database', async () => {
    const other = await createConnection({ ...app.config.mysql, database: app.config.databases.record });
    try {
      await other.query('SELECT GET_LOCK(?, 0)', [`tracershop:import-legacy:${app.config.databases.record}`]);
      const run = await cli('import-legacy', '--from', today);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Another import-legacy');
    } finally {
      await other.end();
    }
  });

  it('refuses a --from that is no date', async () => {
    const run = await cli('import-legacy', '--from', 'tomorrow');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--from must be a date');
  });
});
