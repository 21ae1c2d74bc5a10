import { createConnection, type Connection } from 'mysql2/promise';
import { addDays, isoWeekdayOf } from '@tracershop/domain/catalog';
import { deliveryDayStreamName } from '@tracershop/domain/ordering';
import type { EventStore, RecordedEvent } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { LEGACY_PROJECTION_NAME } from '@tracershop/projections/legacy';
import { ADMIN, as, bootApp, logIn, type BootedApp, createPerson } from '../e2e/booted-app';

/**
 * The old system keeps running beside us: after a realistic day driven through the HTTP API, its
 * own kind of SQL (positional `SELECT *`, the customer join, the delivery-note lookup, a
 * customer's delivery times by day) must read exactly the rows it expects.
 */

const F18_HALF_LIFE = 6586.2;
const NOT_RELEASED = '0000-01-01 00:00:00';

function mondayAhead(weeksAhead: number): string {
  let date = addDays(new Date().toISOString().slice(0, 10), 7 * weeksAhead);
  while (isoWeekdayOf(date) !== 1) date = addDays(date, 1);
  return date;
}

/** Naive local time in Copenhagen, to the second, as the old system stores it. */
function copenhagen(instant: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

describe('the old system reads a scripted day from the legacy tables', () => {
  let app: BootedApp;
  let admin: ReturnType<typeof as>;
  let store: EventStore;
  let sql: Connection;
  const monday = mondayAhead(3);
  const closedMonday = addDays(monday, 7);
  const ids = {} as Record<string, string>;
  let releaserId = '';

  async function created(path: string, body: object, client = admin): Promise<{ id: string; position: string }> {
    const response = await client.post(path).send(body);
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { id: string; position: string };
  }

  const person = (username: string, grant: object) => createPerson(app.server, admin, username, grant);

  const firstOf = async (streamId: string) => (await store.readStream(streamId))[0] as RecordedEvent;
  const dataOf = async (streamId: string) => (await firstOf(streamId)).data as Record<string, unknown>;
  const rows = async (query: string, params: unknown[] = []) =>
    (await sql.query({ sql: query, values: params, rowsAsArray: true }))[0] as unknown[][];

  let last = { position: '' };

  beforeAll(async () => {
    app = await bootApp({ MIN_POSITION_TIMEOUT_MS: '5000' });
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    store = app.api.get<EventStore>(EVENT_STORE);
    sql = await createConnection({ ...app.config.mysql, database: app.config.databases.record, dateStrings: true });

    // Reference data, as production keeps it.
    ids.f18 = (
      await created('/catalog/isotopes', {
        name: 'F-18',
        atomicNumber: 9,
        atomicMass: 18,
        halfLifeSeconds: F18_HALF_LIFE,
        metastable: false,
      })
    ).id;
    ids.fdg = (
      await created('/catalog/tracers', {
        shortName: 'FDG',
        clinicalName: 'Fludeoxyglucose (18F)',
        isotopeId: ids.f18,
        kind: 'activity',
        vialTag: 'FDG',
        inUse: true,
        legacyId: 6,
      })
    ).id;
    ids.fet = (
      await created('/catalog/tracers', {
        shortName: 'FET',
        clinicalName: 'Fluoroethyltyrosine (18F)',
        isotopeId: ids.f18,
        kind: 'injection',
        vialTag: 'FET',
        inUse: true,
      })
    ).id;
    ids.herlev = (
      await created('/catalog/customers', {
        shortName: 'herlev',
        longName: 'Herlev Hospital',
        dispenserNumber: 2,
        overheadPercent: 10,
        contactPerson: 'Hanne Hansen',
        emails: ['pet@herlev.example', 'nuk@herlev.example'],
        phone: '38 68 38 68',
        billingAddress: 'Herlev Ringvej 75',
        billingCity: '2730 Herlev',
        legacy: {
          title: 'Klinisk Fysiologisk Afd.',
          labelName: 'HERLEV',
          addressLine3: 'Opgang 7',
          addressLine4: 'Kælder',
        },
      })
    ).id;
    ids.glostrup = (
      await created('/catalog/customers', {
        shortName: 'glostrup',
        longName: 'Glostrup Hospital',
        dispenserNumber: 4,
        overheadPercent: 0,
      })
    ).id;
    ids.herlevPet = (await created('/catalog/delivery-endpoints', { customerId: ids.herlev, name: 'PET' })).id;
    ids.glostrupPet = (await created('/catalog/delivery-endpoints', { customerId: ids.glostrup, name: 'PET' })).id;
    ids.run1 = (
      await created('/catalog/production-runs', {
        tracerId: ids.fdg,
        weekday: 1,
        productionTime: '06:00',
        runNumber: 1,
        maxActivityMBq: 40000,
      })
    ).id;
    ids.run2 = (
      await created('/catalog/production-runs', {
        tracerId: ids.fdg,
        weekday: 1,
        productionTime: '09:00',
        runNumber: 2,
      })
    ).id;
    const slot = async (endpointId: string, productionRunId: string, deliveryTime: string, extra: object = {}) =>
      (await created('/catalog/delivery-time-slots', { endpointId, productionRunId, deliveryTime, ...extra })).id;
    ids.herlev0800 = await slot(ids.herlevPet, ids.run1, '08:00', { repeat: 'every', maxActivityMBq: 5000 });
    ids.herlev1030 = await slot(ids.herlevPet, ids.run2, '10:30', { repeat: 'odd' });
    ids.glostrup0815 = await slot(ids.glostrupPet, ids.run1, '08:15', { repeat: 'every' });
    ids.glostrup1100 = await slot(ids.glostrupPet, ids.run2, '11:00', { repeat: 'every' });
    for (const [endpointId, tracerId] of [
      [ids.herlevPet, ids.fdg],
      [ids.glostrupPet, ids.fdg],
      [ids.herlevPet, ids.fet],
    ] as const) {
      await admin.put(`/catalog/delivery-endpoints/${endpointId}/tracers/${tracerId}`).send({}).expect(200);
    }
    await admin.put(`/catalog/closed-dates/${closedMonday}`).send({ reason: 'Cyclotron service' }).expect(200);

    const shop = (await person('sally.shop', { role: 'shop', customerIds: [ids.herlev, ids.glostrup] })).client;
    const production = (await person('paul.production', { role: 'production' })).client;
    const releaser = await person('rita.releaser', { role: 'releaser' });
    releaserId = releaser.id;
    await admin.post(`/identity/users/${releaserId}/release-rights`).send({ tracerId: ids.fdg }).expect(200);

    // The day: Herlev orders 08:00 (released with two vials) and 10:30 (cancelled); Glostrup's 11:00
    // order is served from the empty 08:15 slot, so a ghost order hosts it; Herlev orders injections.
    const order = (slotId: string, activityMBq: number, comment?: string) =>
      created('/ordering/activity-orders', { slotId, deliveryDate: monday, activityMBq, comment }, shop);
    ids.orderA = (await order(ids.herlev0800, 1000, 'Tre patienter')).id;
    ids.orderB = (await order(ids.herlev1030, 400)).id;
    ids.orderC = (await order(ids.glostrup1100, 300)).id;
    ids.orderD = (
      await created(
        '/ordering/injection-orders',
        {
          endpointId: ids.herlevPet,
          tracerId: ids.fet,
          deliveryDate: monday,
          deliveryTime: '12:30',
          injections: 2,
          usage: 'animal',
        },
        shop,
      )
    ).id;
    await shop.post(`/ordering/orders/${ids.orderB}/cancel`).send({ reason: 'Patient cancelled' }).expect(200);
    for (const id of [ids.orderA, ids.orderC, ids.orderD]) {
      await production.post(`/ordering/orders/${id}/accept`).expect(200);
    }
    await production
      .post(`/ordering/activity-orders/${ids.orderC}/move`)
      .send({ targetSlotId: ids.glostrup0815, reason: 'Run 2 short: served from run 1' })
      .expect(200);
    const vial = async (lot: string, fillTime: string, activityMBq: number, volumeMl: number) =>
      (
        await created(
          '/ordering/vials',
          {
            lot,
            fillDate: monday,
            fillTime,
            activityMBq,
            volumeMl,
            dispenserNumber: 2,
            grossG: 12.5,
            tareG: 8.25,
            netG: 4.25,
            reason: 'Entered from the dispenser print-out',
          },
          production,
        )
      ).id;
    ids.vial1 = await vial('FDG-261207-1', '07:10:00', 1300, 4.2);
    ids.vial2 = await vial('FDG-261207-2', '07:12:30', 600, 2.5);
    const released = await created(
      '/ordering/releases/activity',
      {
        slotId: ids.herlev0800,
        deliveryDate: monday,
        orderIds: [ids.orderA],
        vialIds: [ids.vial1, ids.vial2],
        confirmOtherDate: true,
        signature: { username: 'rita.releaser', password: 'chosen-Passphrase-43' },
      },
      releaser.client,
    );
    last = released;
    // Everything the old system reads is projected before it reads.
    await admin.get('/ordering/orders').query({ minPosition: last.position, limit: 1 }).expect(200);
    await waitForLegacyProjection(last.position);
  }, 90_000);

  async function waitForLegacyProjection(position: string) {
    await app.projector.get(ProjectionEngine).waitForPosition(LEGACY_PROJECTION_NAME, position, 10_000);
  }

  afterAll(async () => {
    await sql?.end();
    await app?.close();
  });

  async function legacyIdsOfTheDay() {
    const herlevDay = await store.readStream(deliveryDayStreamName(ids.herlevPet, monday));
    const glostrupDay = await store.readStream(deliveryDayStreamName(ids.glostrupPet, monday));
    const placed = (events: RecordedEvent[], orderId: string) =>
      (
        events.find(
          (e) => e.type === 'OrderPlaced' && (e.data as { order: { orderId: string } }).order.orderId === orderId,
        )?.data as { order: { legacyOid: number } }
      ).order.legacyOid;
    const ghost = glostrupDay.find((e) => e.type === 'GhostOrderCreated') as RecordedEvent;
    const release = herlevDay.find((e) => e.type === 'ActivityReleased') as RecordedEvent;
    const releaseData = release.data as { vials: Array<{ extraRowLegacyOid: number | null; legacyValId: number }> };
    const lastChange = (events: RecordedEvent[], orderId: string) =>
      copenhagen(
        [...events].reverse().find((e) => JSON.stringify(e.data).includes(orderId))?.metadata.occurredAt as string,
      );
    return {
      herlev: (await dataOf(`catalog.customer-${ids.herlev}`)).legacyId as number,
      glostrup: (await dataOf(`catalog.customer-${ids.glostrup}`)).legacyId as number,
      releaser: (await dataOf(`identity.user-${releaserId}`)).legacyUserId as number,
      fet: (await dataOf(`catalog.tracer-${ids.fet}`)).legacyId as number,
      slotHerlev0800: (await dataOf(`catalog.deliveryTimeSlot-${ids.herlev0800}`)).legacyId as number,
      slotHerlev1030: (await dataOf(`catalog.deliveryTimeSlot-${ids.herlev1030}`)).legacyId as number,
      a: placed(herlevDay, ids.orderA),
      b: placed(herlevDay, ids.orderB),
      c: placed(glostrupDay, ids.orderC),
      d: placed(herlevDay, ids.orderD),
      ghost: (ghost.data as { legacyOid: number }).legacyOid,
      extraRow: releaseData.vials[1]?.extraRowLegacyOid as number,
      val1: releaseData.vials[0]?.legacyValId as number,
      val2: releaseData.vials[1]?.legacyValId as number,
      releasedAt: copenhagen(release.metadata.occurredAt),
      ghostCreatedAt: copenhagen(ghost.metadata.occurredAt),
      changedB: lastChange(herlevDay, ids.orderB),
      changedC: lastChange(glostrupDay, ids.orderC),
    };
  }

  it('reads the day’s FDG orders positionally, with the old codes, ghost, host and extra-vial rows', async () => {
    const id = await legacyIdsOfTheDay();
    const orders = await rows(`SELECT * FROM orders WHERE deliver_datetime LIKE ? ORDER BY OID`, [`${monday}%`]);
    const byOid = new Map(orders.map((row) => [row[1], row]));
    expect([...byOid.keys()].sort((a, b) => Number(a) - Number(b))).toEqual(
      [id.a, id.b, id.c, id.ghost, id.extraRow].sort((a, b) => a - b),
    );
    // BID, OID, order_time, amount, deliver_datetime, status, received_datetime, batchnr, run, COID,
    // total_amount, frigivet_amount, frigivet_datetime, amount_o, total_amount_o, price, frigivet_af,
    // tracer, volume, doser, dose_counter, comment, userName
    expect(byOid.get(id.a)).toEqual([
      id.herlev,
      id.a,
      id.releasedAt,
      1000,
      `${monday} 08:00:00`,
      3,
      null,
      'FDG-261207-1',
      1,
      -1,
      1000,
      1300,
      id.releasedAt,
      1100,
      1100,
      null,
      id.releaser,
      6,
      '4.20',
      null,
      null,
      'Tre patienter',
      'sally.shop',
    ]);
    expect(byOid.get(id.extraRow)).toEqual([
      id.herlev,
      id.extraRow,
      id.releasedAt,
      0,
      `${monday} 08:00:00`,
      3,
      null,
      'FDG-261207-2',
      1,
      id.a,
      0,
      600,
      id.releasedAt,
      0,
      0,
      null,
      id.releaser,
      6,
      '2.50',
      null,
      null,
      `Extra ordre generated due to multiple vials assigned to order: ${id.a}`,
      'sally.shop',
    ]);
    expect(byOid.get(id.b)).toEqual([
      id.herlev,
      id.b,
      id.changedB,
      400,
      `${monday} 10:30:00`,
      4,
      null,
      '',
      2,
      -1,
      400,
      null,
      NOT_RELEASED,
      440,
      440,
      null,
      null,
      6,
      null,
      null,
      null,
      null,
      'sally.shop',
    ]);
    // 300 MBq for 11:00 served at 08:15: 165 minutes of decay; Glostrup has no overhead.
    const corrected = Math.round(300 * Math.exp((Math.LN2 * 165 * 60) / F18_HALF_LIFE));
    expect(byOid.get(id.c)).toEqual([
      id.glostrup,
      id.c,
      id.changedC,
      300,
      `${monday} 11:00:00`,
      2,
      null,
      '',
      1,
      id.ghost,
      0,
      null,
      NOT_RELEASED,
      300,
      0,
      null,
      null,
      6,
      null,
      null,
      null,
      null,
      'sally.shop',
    ]);
    expect(byOid.get(id.ghost)).toEqual([
      id.glostrup,
      id.ghost,
      id.ghostCreatedAt,
      0,
      `${monday} 08:15:00`,
      2,
      null,
      '',
      1,
      -1,
      corrected,
      null,
      NOT_RELEASED,
      0,
      corrected,
      null,
      null,
      6,
      null,
      null,
      null,
      'Spøgelse bestilling',
      'paul.production',
    ]);
    // Invariant O1: one row per customer, delivery time and run (extra-vial rows aside).
    const duplicates = await rows(
      `SELECT BID, deliver_datetime, run, COUNT(*) FROM orders
        WHERE comment IS NULL OR comment NOT LIKE 'Extra ordre%' GROUP BY BID, deliver_datetime, run HAVING COUNT(*) > 1`,
    );
    expect(duplicates).toEqual([]);
  });

  it('reads the injection order from t_orders', async () => {
    const id = await legacyIdsOfTheDay();
    const [row] = await rows(`SELECT * FROM t_orders WHERE OID = ?`, [id.d]);
    expect(row).toEqual([
      id.herlev,
      id.d,
      expect.any(String),
      `${monday} 12:30:00`,
      2,
      null,
      '',
      null,
      null,
      null,
      null,
      null,
      null,
      id.fet,
      null,
      2,
      'Dyr',
      null,
      'sally.shop',
    ]);
  });

  it('finds customers the old way, prints the delivery note by Kundenr, and lists delivery times by day', async () => {
    const id = await legacyIdsOfTheDay();
    const customers = await rows(
      `SELECT u.Id, u.Username, u.kundenr FROM Users u JOIN UserRoles r ON r.Id_User = u.Id
        WHERE r.Id_Role = 4 AND u.kundenr IS NOT NULL ORDER BY u.kundenr`,
    );
    expect(customers).toEqual([
      [id.herlev, 'herlev', 2],
      [id.glostrup, 'glostrup', 4],
    ]);
    const note = await rows(`SELECT Shortname, title, addr1, addr2, addr3, addr4 FROM Users WHERE Kundenr = 2`);
    expect(note).toEqual([
      ['HERLEV', 'Klinisk Fysiologisk Afd.', 'Herlev Ringvej 75', '2730 Herlev', 'Opgang 7', 'Kælder'],
    ]);
    const [user] = await rows(`SELECT * FROM Users WHERE Id = ?`, [id.herlev]);
    expect(user).toEqual([
      id.herlev,
      'herlev',
      'Herlev Hospital',
      'pet@herlev.example',
      'nuk@herlev.example',
      null,
      null,
      10,
      2,
      38683868,
      'Hanne Hansen',
      'Herlev Ringvej 75',
      '2730 Herlev',
      'Opgang 7',
      'Kælder',
      'HERLEV',
      null,
      'Klinisk Fysiologisk Afd.',
    ]);
    const times = await rows(`SELECT * FROM deliverTimes WHERE BID = ? AND day = 1 ORDER BY dtime`, [id.herlev]);
    // BID, day, repeat_t, dtime, max, DTID, run
    expect(times).toEqual([
      [id.herlev, 1, 1, '08:00:00', 5000, id.slotHerlev0800, 1],
      [id.herlev, 1, 3, '10:30:00', null, id.slotHerlev1030, 2],
    ]);
    const runs = await rows(`SELECT day, ptime, run, max FROM productionTimes ORDER BY day, run`);
    expect(runs).toEqual([
      [1, '06:00:00', 1, 40000],
      [1, '09:00:00', 2, null],
    ]);
  });

  it('reads the dispensed vials, the tracer and the closed date', async () => {
    const id = await legacyIdsOfTheDay();
    const vials = await rows(`SELECT * FROM VAL WHERE filldate = ? ORDER BY ID`, [monday]);
    // customer, charge, depotpos, filldate, filltime, volume, gros, tare, net, product, ID, activity
    expect(vials).toEqual(
      [
        ['2', 'FDG-261207-1', 0, monday, '07:10:00', '4.20', '12.50', '8.25', '4.25', '18F', id.val1, '1300.00'],
        ['2', 'FDG-261207-2', 0, monday, '07:12:30', '2.50', '12.50', '8.25', '4.25', '18F', id.val2, '600.00'],
      ].sort((a, b) => Number(a[10]) - Number(b[10])),
    );
    const [fdg] = await rows(`SELECT id, name, in_use, tracer_type, longName FROM Tracers WHERE id = 6`);
    expect(fdg).toEqual([6, 'FDG', 1, 1, 'Fludeoxyglucose (18F)']);
    const permitted = await rows(`SELECT tracer_id, customer_id FROM TracerCustomer WHERE customer_id = ?`, [
      id.herlev,
    ]);
    expect(permitted).toEqual([[id.fet, id.herlev]]);
    expect(await rows(`SELECT ddate FROM blockDeliverDate WHERE ddate LIKE ?`, [closedMonday])).toEqual([
      [closedMonday],
    ]);
  });

  it('no longer lists a delivery time that expires today or whose endpoint is archived, and lists it again once restored', async () => {
    const id = await legacyIdsOfTheDay();
    // The old customer app's list of a customer's delivery times, by Id
    const deliveryTimes = async (customer: number) =>
      (await rows(`SELECT DTID FROM deliverTimes WHERE BID = ? ORDER BY dtime`, [customer])).map((row) => row[0]);
    const projected = async (response: { body: { position: string } }) =>
      waitForLegacyProjection(response.body.position);
    const today = copenhagen(new Date().toISOString()).slice(0, 10);

    // When production lets Herlev's 10:30 slot deliver for the last time yesterday (it expires today)
    await projected(
      await admin
        .patch(`/catalog/delivery-time-slots/${ids.herlev1030}`)
        .send({ expiryDate: today, reason: 'Herlev stops its 10:30 deliveries' })
        .expect(200),
    );
    // Then the old system no longer offers it
    expect(await deliveryTimes(id.herlev)).toEqual([id.slotHerlev0800]);
    // And when its expiry date is moved on, it is offered again
    await projected(
      await admin
        .patch(`/catalog/delivery-time-slots/${ids.herlev1030}`)
        .send({ expiryDate: addDays(today, 30), reason: 'Herlev keeps its 10:30 deliveries a month longer' })
        .expect(200),
    );
    expect(await deliveryTimes(id.herlev)).toEqual([id.slotHerlev0800, id.slotHerlev1030]);

    // When Glostrup's PET endpoint is archived (its new one takes the deliveries), none of its delivery
    // times is offered; restored, they are back
    const glostrupTimes = await deliveryTimes(id.glostrup);
    expect(glostrupTimes).toHaveLength(2);
    await created('/catalog/delivery-endpoints', { customerId: ids.glostrup, name: 'PET, new building' });
    await projected(
      await admin.post(`/catalog/delivery-endpoints/${ids.glostrupPet}/archive`).send({ reason: 'Moved' }).expect(200),
    );
    expect(await deliveryTimes(id.glostrup)).toEqual([]);
    await projected(
      await admin.post(`/catalog/delivery-endpoints/${ids.glostrupPet}/restore`).send({ reason: 'Back' }).expect(200),
    );
    expect(await deliveryTimes(id.glostrup)).toEqual(glostrupTimes);
  });
});
