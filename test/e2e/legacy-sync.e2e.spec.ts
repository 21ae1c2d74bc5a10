import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection, type Connection } from 'mysql2/promise';
import request from 'supertest';
import { loadConfiguration } from '@tracershop/config';
import { createHttpApp, createLogger } from '@tracershop/platform';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { ADMIN, as, bootApp, logIn, type BootedApp } from './booted-app';

interface CapturedChange {
  id: string;
  table: string;
  operation: string;
  outcome: string;
  code: string | null;
  events: string[];
  position: string | null;
}

describe('the parallel run: what the old system writes itself reaches Tracershop', () => {
  let app: BootedApp;
  let worker: NestFastifyApplication;
  let oldSystem: Connection;
  let admin: ReturnType<typeof as>;

  beforeAll(async () => {
    app = await bootApp();
    const config = loadConfiguration({
      ...process.env,
      EVENTS_DATABASE: app.config.databases.events,
      RECORD_DATABASE: app.config.databases.record,
      WEB_DATABASE: app.config.databases.web,
      LOG_LEVEL: 'silent',
      LEGACY_SYNC_INTERVAL_MS: '25',
    });
    const logger = createLogger(config.logLevel, 'e2e-worker');
    worker = await createHttpApp(WorkerModule.register(config, logger), { config, logger });
    await worker.init();
    await worker.getHttpAdapter().getInstance().ready();
    // The old system: its own account's session, writing its tables as it always has.
    oldSystem = await createConnection({
      ...app.config.mysql,
      database: app.config.databases.record,
      dateStrings: true,
    });
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
  });

  afterAll(async () => {
    await oldSystem?.end();
    await worker?.close();
    await app?.close();
  });

  /** The captured change with this table and key, once the worker has synced it. */
  async function synced(table: string, rowKey: string): Promise<CapturedChange> {
    for (let waited = 0; waited < 10_000; waited += 50) {
      const page = await admin.get('/legacy/captured-changes').query({ table, limit: 500 }).expect(200);
      const change = (page.body.items as Array<CapturedChange & { rowKey: string }>).find(
        (item) => item.rowKey === rowKey && item.outcome !== 'pending',
      );
      if (change) return change;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${table} ${rowKey} was not synced within 10 s`);
  }

  it('when the dispenser script inserts a VAL row, then the vial is in the API, and the report says so', async () => {
    await oldSystem.query(
      `INSERT INTO VAL (customer, charge, depotpos, filldate, filltime, volume, gros, tare, net, product, ID, activity)
       VALUES ('7', 'FDG-270108-3', 2, '2027-01-08', '06:55:00', 9.8, 30.1, 20.3, 9.8, '18F', 99001, 15300)`,
    );

    const change = await synced('VAL', '99001');
    expect(change).toMatchObject({ operation: 'insert', outcome: 'applied', code: null, events: ['VialDispensed'] });

    const vials = await admin
      .get('/ordering/vials')
      .query({ lot: 'FDG-270108-3', minPosition: change.position })
      .expect(200);
    expect(vials.body.items).toEqual([
      expect.objectContaining({
        lot: 'FDG-270108-3',
        fillDate: '2027-01-08',
        fillTime: '06:55:00',
        activityMBq: 15300,
        dispenserNumber: 7,
        legacyValId: 99001,
      }),
    ]);
    // The legacy projection took over the old system's row: still one row, no copy of it.
    const [rows] = await oldSystem.query("SELECT ID FROM VAL WHERE charge = 'FDG-270108-3'");
    expect(rows).toEqual([{ ID: 99001 }]);
  });

  it('when the old system closes a date, then Tracershop has it closed', async () => {
    await oldSystem.query("INSERT INTO blockDeliverDate (BDID, ddate) VALUES (99003, '2027-01-15')");

    const change = await synced('blockDeliverDate', '99003');
    expect(change).toMatchObject({ outcome: 'applied', events: ['DateClosed'] });

    const closed = await admin.get('/catalog/closed-dates/2027-01-15').query({ minPosition: change.position });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ date: '2027-01-15', legacyId: 99003, reason: 'Closed in the old system' });
  });

  it('when the old system makes a change the sync does not translate, then the report lists it for reconciliation', async () => {
    await oldSystem.query("UPDATE blockDeliverDate SET ddate = '2027-01-16' WHERE BDID = 99003");

    let change: { items: CapturedChange[]; counts: Record<string, number> } = { items: [], counts: {} };
    for (let waited = 0; waited < 10_000 && change.items.length === 0; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      change = (await admin.get('/legacy/captured-changes').query({ outcome: 'unsupported' }).expect(200)).body;
    }
    expect(change.items).toEqual([
      expect.objectContaining({
        table: 'blockDeliverDate',
        operation: 'update',
        outcome: 'unsupported',
        code: 'LEGACY_CHANGE_NOT_SYNCED',
        events: [],
      }),
    ]);
    expect(change.counts).toMatchObject({ applied: 2, unsupported: 1 });
  });

  it('when the report is asked for nonsense, then it answers 400 and names the field', async () => {
    const answer = await admin.get('/legacy/captured-changes').query({ outcome: 'lost', cursor: 'x' }).expect(400);
    expect(answer.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(answer.body.error.details)).toMatch(/outcome/);
    expect(JSON.stringify(answer.body.error.details)).toMatch(/cursor/);
  });

  it("the worker's health shows the sync active with nothing pending", async () => {
    const health = await request(worker.getHttpServer()).get('/health').expect(200);
    expect(health.body.info.legacyInboundSync).toMatchObject({ status: 'up', enabled: true, active: true, pending: 0 });
  });
});
