import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection, type Connection } from 'mysql2/promise';
import request from 'supertest';
import { createHttpApp, createLogger } from '@tracershop/platform';
import {
  customerIdOfLegacyRow,
  endpointIdOfLegacyCustomer,
  productionRunIdOfLegacyRow,
  slotIdOfLegacyRow,
} from '../../apps/worker/src/legacy-sync/captured-catalog-changes';
import { orderIdOfLegacyRow } from '../../apps/worker/src/legacy-sync/captured-order-changes';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { LEGACY_PROJECTION_NAME } from '../../projections/legacy/legacy-projection';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { ADMIN, as, bootApp, configOnTheSameDatabases, logIn, monday, type BootedApp } from './booted-app';
import { shapeMismatches, type OpenApiDocument } from './documented-shape';
import { connectRealtime, type RealtimeTestClient } from './realtime-client';

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
  let adminToken: string;

  beforeAll(async () => {
    app = await bootApp({}, { listen: true });
    const config = configOnTheSameDatabases(app, { LEGACY_SYNC_INTERVAL_MS: '25' });
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
    adminToken = await logIn(app.server, ADMIN.username, ADMIN.password);
    admin = as(app.server, adminToken);
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

  /** The api's gauges of captured changes, as a scrape reads them. */
  async function legacyChangeMetrics(): Promise<{ open: number; byOutcome: Record<string, number> }> {
    const text = (await request(app.server).get('/metrics').expect(200)).text;
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
    const byOutcome: Record<string, number> = {};
    for (const match of text.matchAll(/^tracershop_legacy_changes\{outcome="(\w+)"[^}]*\} (\d+)$/gm)) {
      byOutcome[match[1] as string] = Number(match[2]);
    }
    return { open: value(/^tracershop_legacy_changes_open(?:\{[^}]*\})? (\d+)$/m), byOutcome };
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

  it('when the dispenser script inserts a vial Tracershop recorded already, then the extra row is listed, not passed over', async () => {
    // Given a vial Tracershop recorded (the dispenser's file posted to it), under a VAL row of its own
    const posted = await admin
      .post('/ordering/vials')
      .send({
        lot: 'FDG-270108-4',
        fillDate: '2027-01-08',
        fillTime: '07:05:00',
        activityMBq: 14100,
        volumeMl: 9.1,
        dispenserNumber: 7,
        depotPosition: 3,
        grossG: 29.4,
        tareG: 20.3,
        netG: 9.1,
        product: '18F',
        reason: 'Entered from the dispenser print-out',
      })
      .expect(201);
    const recorded = await admin
      .get(`/ordering/vials/${posted.body.id}`)
      .query({ minPosition: posted.body.position })
      .expect(200);

    // When the old system's script records the same vial in a row of its own
    await oldSystem.query(
      `INSERT INTO VAL (customer, charge, depotpos, filldate, filltime, volume, gros, tare, net, product, ID, activity)
       VALUES ('7', 'FDG-270108-4', 3, '2027-01-08', '07:05:00', 9.1, 29.4, 20.3, 9.1, '18F', 99011, 14100)`,
    );

    // Then the sync refuses it with the row Tracershop keeps, and the reconciliation report lists it
    const change = await synced('VAL', '99011');
    expect(change).toMatchObject({ operation: 'insert', outcome: 'rejected', code: 'VIAL_IN_ANOTHER_ROW', events: [] });
    const listed = await admin.get('/legacy/captured-changes').query({ outcome: 'rejected', table: 'VAL' }).expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ rowKey: '99011', code: 'VIAL_IN_ANOTHER_ROW' })]);
    const [rows] = await oldSystem.query("SELECT ID FROM VAL WHERE charge = 'FDG-270108-4' ORDER BY ID");
    expect(rows).toEqual([{ ID: recorded.body.legacyValId }, { ID: 99011 }]);

    // (Production deals with the old system's copy and closes the case, as the report asks)
    await admin
      .post(`/legacy/captured-changes/${change.id}/reconcile`)
      .send({ reason: 'The dispenser script copy of FDG-270108-4 is taken out of the old system' })
      .expect(200);
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
    expect(change.counts).toMatchObject({ applied: 2, unsupported: 1, open: 1 });
    // Operations see it on /metrics too, to alert on.
    // (rejected: the vial's second row above, reconciled, so not open)
    expect(await legacyChangeMetrics()).toEqual({
      open: 1,
      byOutcome: { pending: 0, applied: 2, unchanged: 0, rejected: 1, unsupported: 1 },
    });
  });

  it('when someone reconciles an open change with a reason, then it leaves the open list and the report says who and why', async () => {
    const [open] = (await admin.get('/legacy/captured-changes').query({ open: true }).expect(200)).body
      .items as CapturedChange[];
    const reason = 'Closed 16 January in Tracershop instead';

    const reconciled = await admin.post(`/legacy/captured-changes/${open.id}/reconcile`).send({ reason }).expect(200);
    expect(reconciled.body).toMatchObject({ id: open.id, events: ['CapturedChangeReconciled'] });

    const after = await admin
      .get('/legacy/captured-changes')
      .query({ open: true, minPosition: reconciled.body.position })
      .expect(200);
    expect(after.body.items).toEqual([]);
    expect(after.body.counts).toMatchObject({ unsupported: 1, open: 0 });
    expect((await legacyChangeMetrics()).open).toBe(0);
    const all = await admin.get('/legacy/captured-changes').query({ outcome: 'unsupported' }).expect(200);
    expect(all.body.items[0].reconciliation).toMatchObject({
      reason,
      by: { printedName: ADMIN.printedName },
      position: reconciled.body.position,
    });
    // The report answers as the OpenAPI document describes it, a reconciled change included
    const openApi = (await admin.get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
    expect(shapeMismatches(openApi, 'CapturedChangesPageDto', all.body)).toEqual([]);
    const everything = await admin.get('/legacy/captured-changes').expect(200);
    expect(shapeMismatches(openApi, 'CapturedChangesPageDto', everything.body)).toEqual([]);

    // The same statement again changes nothing; another one, or one about a change that needs none, is refused.
    const again = await admin.post(`/legacy/captured-changes/${open.id}/reconcile`).send({ reason }).expect(200);
    expect(again.body.events).toEqual([]);
    const other = await admin
      .post(`/legacy/captured-changes/${open.id}/reconcile`)
      .send({ reason: 'Something else' })
      .expect(409);
    expect(other.body.error.code).toBe('CAPTURED_CHANGE_ALREADY_RECONCILED');
    const [applied] = (await admin.get('/legacy/captured-changes').query({ outcome: 'applied' }).expect(200)).body
      .items as CapturedChange[];
    const notOpen = await admin
      .post(`/legacy/captured-changes/${applied.id}/reconcile`)
      .send({ reason: 'Nothing to do' })
      .expect(422);
    expect(notOpen.body.error.code).toBe('CAPTURED_CHANGE_NOT_OPEN');
    const missing = await admin.post('/legacy/captured-changes/999999/reconcile').send({ reason }).expect(404);
    expect(missing.body.error.code).toBe('CAPTURED_CHANGE_NOT_FOUND');
    await admin.post(`/legacy/captured-changes/${open.id}/reconcile`).send({}).expect(400);
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

  describe("the old customer app's FDG orders", () => {
    const date = monday(3);
    let customerLegacyId: number;
    let customerId: string;
    let fet: string;
    let endpointId: string;
    let f18Id: string;
    let oid: number;
    let orderId: string;

    let lastPosition = '';
    async function created(path: string, body: object): Promise<string> {
      const response = await admin.post(path).send(body);
      if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
      lastPosition = response.body.position as string;
      return response.body.id as string;
    }

    /** The newest captured change of the row, once synced. */
    async function lastSynced(rowKey: string, table = 'orders'): Promise<CapturedChange> {
      for (let waited = 0; waited < 10_000; waited += 50) {
        const page = await admin.get('/legacy/captured-changes').query({ table, limit: 500 }).expect(200);
        const changes = (page.body.items as Array<CapturedChange & { rowKey: string }>).filter(
          (item) => item.rowKey === rowKey,
        );
        const last = changes.at(-1);
        if (last && last.outcome !== 'pending') return last;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`${table} ${rowKey} was not synced within 10 s`);
    }

    /** Waits until the legacy projection has applied the position, and says it still runs. */
    async function legacyTablesAt(position: string | null): Promise<string> {
      for (let waited = 0; waited < 10_000; waited += 50) {
        const [rows] = await oldSystem.query(
          "SELECT position, status FROM projection_checkpoints WHERE name = 'legacy.tracershop' AND slot = 'live'",
        );
        const [checkpoint] = rows as Array<{ position: string; status: string }>;
        // A runner that handed its lock to a rebuild stands by until it takes it back.
        const reached = checkpoint.status === 'running' && BigInt(checkpoint.position) >= BigInt(position ?? '0');
        if (reached || checkpoint.status === 'failed') return checkpoint.status;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`legacy.tracershop did not reach ${position} within 10 s`);
    }

    beforeAll(async () => {
      const f18 = (f18Id = await created('/catalog/isotopes', {
        name: 'F-18',
        atomicNumber: 9,
        atomicMass: 18,
        halfLifeSeconds: 6586.2,
        metastable: false,
      }));
      const fdg = await created('/catalog/tracers', {
        shortName: 'FDG',
        clinicalName: 'Fludeoxyglucose (18F)',
        isotopeId: f18,
        kind: 'activity',
        vialTag: 'FDG',
        inUse: true,
        legacyId: 6,
      });
      const customer = (customerId = await created('/catalog/customers', {
        shortName: 'rigs',
        longName: 'Rigshospitalet',
        dispenserNumber: 7,
        overheadPercent: 10,
      }));
      const registered = await admin.get(`/catalog/customers/${customer}`).query({ minPosition: lastPosition });
      customerLegacyId = registered.body.legacyId;
      const endpoint = (endpointId = await created('/catalog/delivery-endpoints', {
        customerId: customer,
        name: 'PET',
      }));
      const run = await created('/catalog/production-runs', {
        tracerId: fdg,
        weekday: 1,
        productionTime: '06:00',
        runNumber: 1,
      });
      await created('/catalog/delivery-time-slots', {
        endpointId: endpoint,
        productionRunId: run,
        deliveryTime: '08:00',
        repeat: 'every',
      });
      fet = await created('/catalog/tracers', {
        shortName: 'FET',
        clinicalName: 'Fluoroethyltyrosine (18F)',
        isotopeId: f18,
        kind: 'injection',
        vialTag: 'FET',
        inUse: true,
        legacyId: 9001,
      });
      for (const tracer of [fdg, fet]) {
        await admin.put(`/catalog/delivery-endpoints/${endpoint}/tracers/${tracer}`).send({}).expect(200);
      }
      // The old system's sessions take odd ids (README: its accounts' auto-increment settings).
      await oldSystem.query('SET SESSION auto_increment_increment = 2, auto_increment_offset = 1');
    });

    it('when a customer orders in the old system, then Tracershop has the order, the board hears of it, and the old row stays the one row', async () => {
      const board: RealtimeTestClient = await connectRealtime(app.url as string, { token: adminToken });
      expect(await board.join(`production-day:${date}`)).toMatchObject({ ok: true });
      await oldSystem.query('CALL InsertOrder(?, ?, ?, ?, ?, ?, ?)', [
        1000,
        1100,
        customerLegacyId,
        `${date} 08:00:00`,
        'from the old shop',
        'rigs.user',
        1,
      ]);
      const [inserted] = await oldSystem.query('SELECT OID FROM orders WHERE BID = ?', [customerLegacyId]);
      oid = (inserted as Array<{ OID: number }>)[0].OID;
      expect(oid % 2).toBe(1);

      const change = await lastSynced(String(oid));
      expect(change).toMatchObject({ operation: 'insert', outcome: 'applied', events: ['OrderPlaced'] });

      orderId = orderIdOfLegacyRow('orders', oid);
      const update = await board.next('order.updated', (message) => message.payload.order.orderId === orderId);
      board.close();
      expect(update).toMatchObject({ topic: `production-day:${date}`, position: change.position });
      expect(update.payload.order).toMatchObject({ status: 'ordered', activityMBq: 1000, servedMBq: 1100 });
      const order = await admin.get(`/ordering/orders/${orderId}`).query({ minPosition: change.position }).expect(200);
      expect(order.body).toMatchObject({
        deliveryDate: date,
        deliveryTime: '08:00',
        activityMBq: 1000,
        status: 'ordered',
        comment: 'from the old shop',
        legacyOid: oid,
        orderedBy: { username: 'rigs.user' },
      });
      expect(await legacyTablesAt(change.position)).toBe('running');
      const [rows] = await oldSystem.query('SELECT OID, amount, amount_o, status FROM orders WHERE BID = ?', [
        customerLegacyId,
      ]);
      expect(rows).toEqual([{ OID: oid, amount: 1000, amount_o: 1100, status: 1 }]);
    });

    it('when the customer edits it and production accepts it there, then the order changes and is accepted', async () => {
      await oldSystem.query(
        "UPDATE orders SET amount = 1200, amount_o = 1320, total_amount = 1200, total_amount_o = 1320, comment = 'a little more' WHERE OID = ?",
        [oid],
      );
      expect(await lastSynced(String(oid))).toMatchObject({ outcome: 'applied', events: ['OrderActivityChanged'] });
      await oldSystem.query('UPDATE orders SET status = 2 WHERE OID = ?', [oid]);
      const accepted = await lastSynced(String(oid));
      expect(accepted).toMatchObject({ outcome: 'applied', events: ['OrderAccepted'] });

      const order = await admin
        .get(`/ordering/orders/${orderId}`)
        .query({ minPosition: accepted.position })
        .expect(200);
      expect(order.body).toMatchObject({ activityMBq: 1200, comment: 'a little more', status: 'accepted' });
      expect(await legacyTablesAt(accepted.position)).toBe('running');
      const [rows] = await oldSystem.query('SELECT OID, amount, comment, status FROM orders WHERE BID = ?', [
        customerLegacyId,
      ]);
      expect(rows).toEqual([{ OID: oid, amount: 1200, comment: 'a little more', status: 2 }]);
      expect(order.body.history.map((entry: { eventType: string }) => entry.eventType)).toEqual([
        'OrderPlaced',
        'OrderActivityChanged',
        'OrderAccepted',
      ]);
      expect(order.body.history[2]).toMatchObject({
        actor: { printedName: 'Old Tracershop' },
        reason: 'Accepted in the old system',
      });
    });

    it('when the old production moves the row, then the move is listed for reconciliation, not guessed at', async () => {
      await oldSystem.query('UPDATE orders SET run = 2, COID = 7, total_amount = 0, total_amount_o = 0 WHERE OID = ?', [
        oid,
      ]);
      const change = await lastSynced(String(oid));
      expect(change).toMatchObject({ outcome: 'unsupported', code: 'LEGACY_CHANGE_NOT_SYNCED', events: [] });
    });

    it('when a customer orders after the deadline in the old system, then the order is rejected with the rule', async () => {
      await oldSystem.query('CALL InsertOrder(?, ?, ?, ?, ?, ?, ?)', [
        300,
        330,
        customerLegacyId,
        `${monday(-1)} 08:00:00`,
        null,
        'rigs.user',
        1,
      ]);
      const [rows] = await oldSystem.query('SELECT MAX(OID) AS oid FROM orders');
      const late = await lastSynced(String((rows as Array<{ oid: number }>)[0].oid));
      expect(late).toMatchObject({ operation: 'insert', outcome: 'rejected', events: [] });
      expect(late.code).toMatch(/DEADLINE|PAST/);
    });

    it('when a customer orders injections in the old system, then Tracershop has the injection order', async () => {
      await oldSystem.query(
        `INSERT INTO t_orders (BID, deliver_datetime, status, batchnr, tracer, n_injections, anvendelse, comment, userName)
         VALUES (?, ?, 1, '', 9001, 3, 'Human', 'two patients and a spare', 'rigs.user')`,
        [customerLegacyId, `${date} 11:45:00`],
      );
      const [rows] = await oldSystem.query('SELECT MAX(OID) AS oid FROM t_orders');
      const tOid = (rows as Array<{ oid: number }>)[0].oid;

      const change = await lastSynced(String(tOid), 't_orders');
      expect(change).toMatchObject({ outcome: 'applied', events: ['OrderPlaced'] });
      const order = await admin
        .get(`/ordering/orders/${orderIdOfLegacyRow('t_orders', tOid)}`)
        .query({ minPosition: change.position })
        .expect(200);
      expect(order.body).toMatchObject({
        kind: 'injection',
        tracerId: fet,
        deliveryDate: date,
        deliveryTime: '11:45',
        injections: 3,
        usage: 'human',
        legacyOid: tOid,
        status: 'ordered',
      });
    });

    it('when a customer deletes an ordered row in the old system, then the order is cancelled and its row stays gone', async () => {
      const later = monday(4);
      await oldSystem.query('CALL InsertOrder(?, ?, ?, ?, ?, ?, ?)', [
        700,
        770,
        customerLegacyId,
        `${later} 08:00:00`,
        null,
        'rigs.user',
        1,
      ]);
      const [inserted] = await oldSystem.query('SELECT OID FROM orders WHERE BID = ? AND DATE(deliver_datetime) = ?', [
        customerLegacyId,
        later,
      ]);
      const withdrawnOid = (inserted as Array<{ OID: number }>)[0].OID;
      expect(await lastSynced(String(withdrawnOid))).toMatchObject({ outcome: 'applied', events: ['OrderPlaced'] });

      await oldSystem.query('DELETE FROM orders WHERE OID = ?', [withdrawnOid]);
      const deleted = await lastSynced(String(withdrawnOid));
      expect(deleted).toMatchObject({ operation: 'delete', outcome: 'applied', events: ['OrderCancelled'] });
      const order = await admin
        .get(`/ordering/orders/${orderIdOfLegacyRow('orders', withdrawnOid)}`)
        .query({ minPosition: deleted.position })
        .expect(200);
      expect(order.body).toMatchObject({ status: 'cancelled', legacyOid: withdrawnOid });
      // The projection does not write back the row the old system deleted, live or rebuilt.
      expect(await legacyTablesAt(deleted.position)).toBe('running');
      const customersRows = async () =>
        (
          await oldSystem.query('SELECT OID, status FROM orders WHERE BID = ? ORDER BY OID', [customerLegacyId])
        )[0] as Array<{ OID: number }>;
      const live = await customersRows();
      expect(live.map((row) => row.OID)).not.toContain(withdrawnOid);
      await app.projector.get(ProjectionEngine).rebuild(LEGACY_PROJECTION_NAME);
      expect(await customersRows()).toEqual(live);
    });

    it("when the old system schedules, changes and removes a production run, then Tracershop's run follows", async () => {
      await oldSystem.query("INSERT INTO productionTimes (day, ptime, run, max) VALUES (2, '07:00:00', 1, 20000)");
      const [inserted] = await oldSystem.query('SELECT PTID FROM productionTimes WHERE day = 2');
      const ptid = (inserted as Array<{ PTID: number }>)[0].PTID;
      const runId = productionRunIdOfLegacyRow(ptid);

      const scheduled = await lastSynced(String(ptid), 'productionTimes');
      expect(scheduled).toMatchObject({ operation: 'insert', outcome: 'applied', events: ['ProductionRunScheduled'] });
      const run = await admin
        .get(`/catalog/production-runs/${runId}`)
        .query({ minPosition: scheduled.position })
        .expect(200);
      expect(run.body).toMatchObject({
        weekday: 2,
        productionTime: '07:00',
        runNumber: 1,
        maxActivityMBq: 20000,
        legacyId: ptid,
        status: 'active',
      });
      expect(await legacyTablesAt(scheduled.position)).toBe('running');
      const [rows] = await oldSystem.query('SELECT PTID, ptime, run, max FROM productionTimes WHERE day = 2');
      expect(rows).toEqual([{ PTID: ptid, ptime: '07:00:00', run: 1, max: 20000 }]);

      await oldSystem.query("UPDATE productionTimes SET ptime = '06:30:00' WHERE PTID = ?", [ptid]);
      const changed = await lastSynced(String(ptid), 'productionTimes');
      expect(changed).toMatchObject({ operation: 'update', outcome: 'applied', events: ['ProductionRunUpdated'] });
      const after = await admin.get(`/catalog/production-runs/${runId}`).query({ minPosition: changed.position });
      expect(after.body).toMatchObject({ productionTime: '06:30' });

      await oldSystem.query('DELETE FROM productionTimes WHERE PTID = ?', [ptid]);
      const removed = await lastSynced(String(ptid), 'productionTimes');
      expect(removed).toMatchObject({ operation: 'delete', outcome: 'applied', events: ['ProductionRunArchived'] });
      const archived = await admin.get(`/catalog/production-runs/${runId}`).query({ minPosition: removed.position });
      expect(archived.body).toMatchObject({ status: 'archived', archivedReason: 'Removed in the old system' });
    });

    it("when the old system schedules, moves and removes a delivery time, then Tracershop's slot follows, on the old row", async () => {
      await oldSystem.query(
        "INSERT INTO deliverTimes (BID, day, repeat_t, dtime, max, run) VALUES (?, 1, 3, '09:15:00', 5000, 1)",
        [customerLegacyId],
      );
      const [inserted] = await oldSystem.query("SELECT DTID FROM deliverTimes WHERE BID = ? AND dtime = '09:15:00'", [
        customerLegacyId,
      ]);
      const dtid = (inserted as Array<{ DTID: number }>)[0].DTID;
      const slotId = slotIdOfLegacyRow(dtid);

      const scheduled = await lastSynced(String(dtid), 'deliverTimes');
      expect(scheduled).toMatchObject({
        operation: 'insert',
        outcome: 'applied',
        events: ['DeliveryTimeSlotScheduled'],
      });
      const slot = await admin
        .get(`/catalog/delivery-time-slots/${slotId}`)
        .query({ minPosition: scheduled.position })
        .expect(200);
      expect(slot.body).toMatchObject({
        endpointId,
        weekday: 1,
        deliveryTime: '09:15',
        repeat: 'odd',
        maxActivityMBq: 5000,
        legacyId: dtid,
        status: 'active',
      });
      expect(await legacyTablesAt(scheduled.position)).toBe('running');
      const [rows] = await oldSystem.query('SELECT DTID, dtime, repeat_t, max FROM deliverTimes WHERE DTID = ?', [
        dtid,
      ]);
      expect(rows).toEqual([{ DTID: dtid, dtime: '09:15:00', repeat_t: 3, max: 5000 }]);

      await oldSystem.query("UPDATE deliverTimes SET dtime = '09:45:00', max = NULL WHERE DTID = ?", [dtid]);
      const moved = await lastSynced(String(dtid), 'deliverTimes');
      expect(moved).toMatchObject({ operation: 'update', outcome: 'applied', events: ['DeliveryTimeSlotUpdated'] });
      const after = await admin.get(`/catalog/delivery-time-slots/${slotId}`).query({ minPosition: moved.position });
      expect(after.body).toMatchObject({ deliveryTime: '09:45', maxActivityMBq: null, repeat: 'odd' });

      await oldSystem.query('DELETE FROM deliverTimes WHERE DTID = ?', [dtid]);
      const removed = await lastSynced(String(dtid), 'deliverTimes');
      expect(removed).toMatchObject({ operation: 'delete', outcome: 'applied', events: ['DeliveryTimeSlotArchived'] });
      const archived = await admin
        .get(`/catalog/delivery-time-slots/${slotId}`)
        .query({ minPosition: removed.position });
      expect(archived.body).toMatchObject({ status: 'archived', archivedReason: 'Removed in the old system' });
      expect(await legacyTablesAt(removed.position)).toBe('running');
      const [gone] = await oldSystem.query('SELECT DTID FROM deliverTimes WHERE DTID = ?', [dtid]);
      expect(gone).toEqual([]);
    });

    it("when the old system lets the customer order an injection tracer and takes it back, then Tracershop's permission follows", async () => {
      const pib = await created('/catalog/tracers', {
        shortName: 'PIB',
        clinicalName: 'Pittsburgh compound B (11C)',
        isotopeId: f18Id,
        kind: 'injection',
        vialTag: 'PIB',
        inUse: true,
        legacyId: 9003,
      });
      await admin.get(`/catalog/tracers/${pib}`).query({ minPosition: lastPosition }).expect(200);
      await oldSystem.query('INSERT INTO TracerCustomer (tracer_id, customer_id) VALUES (9003, ?)', [customerLegacyId]);
      const [inserted] = await oldSystem.query('SELECT ID FROM TracerCustomer WHERE tracer_id = 9003');
      const id = (inserted as Array<{ ID: number }>)[0].ID;

      const granted = await lastSynced(String(id), 'TracerCustomer');
      expect(granted).toMatchObject({ operation: 'insert', outcome: 'applied', events: ['TracerPermissionGranted'] });
      const permission = await admin
        .get(`/catalog/delivery-endpoints/${endpointId}/tracers/${pib}`)
        .query({ minPosition: granted.position })
        .expect(200);
      expect(permission.body).toMatchObject({ legacyId: id, status: 'granted' });
      expect(await legacyTablesAt(granted.position)).toBe('running');
      const [rows] = await oldSystem.query(
        'SELECT tracer_id, customer_id, ID FROM TracerCustomer WHERE tracer_id = 9003',
      );
      expect(rows).toEqual([{ tracer_id: 9003, customer_id: customerLegacyId, ID: id }]);

      await oldSystem.query('DELETE FROM TracerCustomer WHERE ID = ?', [id]);
      const revoked = await lastSynced(String(id), 'TracerCustomer');
      expect(revoked).toMatchObject({ operation: 'delete', outcome: 'applied', events: ['TracerPermissionRevoked'] });
      const after = await admin
        .get(`/catalog/delivery-endpoints/${endpointId}/tracers/${pib}`)
        .query({ minPosition: revoked.position })
        .expect(200);
      expect(after.body).toMatchObject({ status: 'revoked', revokedReason: 'Revoked in the old system' });
    });

    it('when the old system takes a tracer out of use and renames it, then the tracer in Tracershop follows', async () => {
      await oldSystem.query("UPDATE Tracers SET in_use = 0, longName = 'O-(2-fluoroethyl)-L-tyrosine' WHERE id = 9001");

      const change = await lastSynced('9001', 'Tracers');
      expect(change).toMatchObject({ operation: 'update', outcome: 'applied', events: ['TracerUpdated'] });
      const tracer = await admin.get(`/catalog/tracers/${fet}`).query({ minPosition: change.position }).expect(200);
      expect(tracer.body).toMatchObject({
        inUse: false,
        clinicalName: 'O-(2-fluoroethyl)-L-tyrosine',
        shortName: 'FET',
      });
    });

    it('when the old system makes a new customer, gives it a delivery time and it orders, then Tracershop has all three', async () => {
      await oldSystem.query(
        `INSERT INTO Users (Username, Realname, EMail, overhead, kundenr, tlf, addr1, addr2, shortname, password)
         VALUES ('hvidovre', 'Hvidovre Hospital', 'pet@hvidovre.example', 15, 12, 38623862, 'Kettegård Allé 30', 'Hvidovre', 'hvidovre', 'zope-secret')`,
      );
      const [users] = await oldSystem.query("SELECT Id FROM Users WHERE Username = 'hvidovre'");
      const userId = (users as Array<{ Id: number }>)[0].Id;
      expect(userId % 2).toBe(1);
      await oldSystem.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (?, 4)', [userId]);

      const registered = await lastSynced(`${userId}:4`, 'UserRoles');
      expect(registered).toMatchObject({
        operation: 'insert',
        outcome: 'applied',
        events: ['CustomerRegistered', 'DeliveryEndpointRegistered', 'TracerPermissionGranted'],
      });
      expect(await lastSynced(String(userId), 'Users')).toMatchObject({ outcome: 'unchanged', events: [] });
      const customer = await admin
        .get(`/catalog/customers/${customerIdOfLegacyRow(userId)}`)
        .query({ minPosition: registered.position })
        .expect(200);
      expect(customer.body).toMatchObject({
        shortName: 'hvidovre',
        longName: 'Hvidovre Hospital',
        dispenserNumber: 12,
        overheadPercent: 15,
        legacyId: userId,
      });
      // The projection took over the old system's rows, password untouched, and keeps running.
      expect(await legacyTablesAt(registered.position)).toBe('running');
      const [rows] = await oldSystem.query(
        'SELECT u.Id, u.Realname, u.password, r.Id_Role FROM Users u JOIN UserRoles r ON r.Id_User = u.Id WHERE u.Id = ?',
        [userId],
      );
      expect(rows).toEqual([{ Id: userId, Realname: 'Hvidovre Hospital', password: 'zope-secret', Id_Role: 4 }]);

      await oldSystem.query(
        "INSERT INTO deliverTimes (BID, day, repeat_t, dtime, max, run) VALUES (?, 1, 1, '08:30:00', NULL, 1)",
        [userId],
      );
      const [times] = await oldSystem.query('SELECT DTID FROM deliverTimes WHERE BID = ?', [userId]);
      const dtid = (times as Array<{ DTID: number }>)[0].DTID;
      expect(await lastSynced(String(dtid), 'deliverTimes')).toMatchObject({ outcome: 'applied' });

      const later = monday(6);
      await oldSystem.query('CALL InsertOrder(?, ?, ?, ?, ?, ?, ?)', [
        900,
        1035,
        userId,
        `${later} 08:30:00`,
        null,
        'hvidovre',
        1,
      ]);
      const [orders] = await oldSystem.query('SELECT OID FROM orders WHERE BID = ?', [userId]);
      const newOid = (orders as Array<{ OID: number }>)[0].OID;
      const ordered = await lastSynced(String(newOid));
      expect(ordered).toMatchObject({ outcome: 'applied', events: ['OrderPlaced'] });
      const order = await admin
        .get(`/ordering/orders/${orderIdOfLegacyRow('orders', newOid)}`)
        .query({ minPosition: ordered.position })
        .expect(200);
      expect(order.body).toMatchObject({
        endpointId: endpointIdOfLegacyCustomer(userId),
        slotId: slotIdOfLegacyRow(dtid),
        deliveryDate: later,
        activityMBq: 900,
      });
    });

    it("when the old system edits a customer's contact details, then the customer in Tracershop has them", async () => {
      await oldSystem.query("UPDATE Users SET addr1 = 'Blegdamsvej 9', tlf = 35451234 WHERE Id = ?", [
        customerLegacyId,
      ]);

      const change = await lastSynced(String(customerLegacyId), 'Users');
      expect(change).toMatchObject({ operation: 'update', outcome: 'applied' });
      expect(change.events).toHaveLength(1);
      const customer = await admin
        .get(`/catalog/customers/${customerId}`)
        .query({ minPosition: change.position })
        .expect(200);
      expect(customer.body).toMatchObject({ billingAddress: 'Blegdamsvej 9', phone: '35451234', shortName: 'rigs' });
    });
  });
});
