import { randomUUID } from 'node:crypto';
import { Position, StreamNotFoundError, type EventStore } from '@tracershop/event-store';
import { nameBasedUuid } from '@tracershop/command-pipeline';
import { EVENT_STORE } from '@tracershop/platform';
import { addDays, isoWeekdayOf } from '@tracershop/domain/catalog';
import { deliveryDayStreamName, vialIdOf, vialStreamName } from '@tracershop/domain/ordering';
import {
  ADMIN,
  as,
  bootApp,
  INITIAL_PASSWORD,
  logIn,
  PERSON_PASSWORD,
  setInitialPassword,
  VERIFIED_IDENTITY,
  type BootedApp,
  createPerson,
} from './booted-app';
import { shapeMismatches, type OpenApiDocument } from './documented-shape';
import { pdfTextLines } from '../../apps/api/src/documents/pdf-text';

/** A PDF document's text as a reader copies it out, its wrapped lines joined again. */
const pdfText = (body: unknown) => pdfTextLines(body as Buffer).join(' ');

/** The Monday at least `weeksAhead` weeks after today: far from any deadline. */
function mondayAhead(weeksAhead: number): string {
  let date = addDays(new Date().toISOString().slice(0, 10), 7 * weeksAhead);
  while (isoWeekdayOf(date) !== 1) date = addDays(date, 1);
  return date;
}

const F18_HALF_LIFE = 6586.2;

describe('ordering over HTTP', () => {
  let app: BootedApp;
  let admin: ReturnType<typeof as>;
  let store: EventStore;
  const monday = mondayAhead(2);
  const catalog = {} as {
    tracer: string;
    fet: string;
    customer: string;
    otherCustomer: string;
    endpoint: string;
    otherEndpoint: string;
    early: string;
    late: string;
    otherSlot: string;
  };
  let shop: ReturnType<typeof as>;
  let otherShop: ReturnType<typeof as>;
  let production: ReturnType<typeof as>;
  let releaser: ReturnType<typeof as>;
  const releaserCredentials = { username: 'rita.releaser', password: 'chosen-Passphrase-43' };

  async function created(path: string, body: object, client = admin): Promise<string> {
    const response = await client.post(path).send(body);
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id as string;
  }

  const person = (username: string, grant: object) => createPerson(app.server, admin, username, grant);

  beforeAll(async () => {
    app = await bootApp({ MIN_POSITION_TIMEOUT_MS: '2000' });
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    store = app.api.get<EventStore>(EVENT_STORE);
    const f18 = await created('/catalog/isotopes', {
      name: 'F-18',
      atomicNumber: 9,
      atomicMass: 18,
      halfLifeSeconds: F18_HALF_LIFE,
      metastable: false,
    });
    catalog.tracer = await created('/catalog/tracers', {
      shortName: 'FDG',
      clinicalName: 'Fludeoxyglucose (18F)',
      isotopeId: f18,
      kind: 'activity',
      vialTag: 'FDG',
      inUse: true,
      legacyId: 6,
    });
    catalog.fet = await created('/catalog/tracers', {
      shortName: 'FET',
      clinicalName: 'Fluoroethyltyrosine (18F)',
      isotopeId: f18,
      kind: 'injection',
      vialTag: 'FET',
      inUse: true,
    });
    catalog.customer = await created('/catalog/customers', {
      shortName: 'herlev',
      longName: 'Herlev Hospital',
      dispenserNumber: 2,
      overheadPercent: 10,
    });
    catalog.otherCustomer = await created('/catalog/customers', {
      shortName: 'glostrup',
      longName: 'Glostrup Hospital',
      dispenserNumber: 4,
      overheadPercent: 0,
    });
    catalog.endpoint = await created('/catalog/delivery-endpoints', { customerId: catalog.customer, name: 'PET' });
    catalog.otherEndpoint = await created('/catalog/delivery-endpoints', {
      customerId: catalog.otherCustomer,
      name: 'PET',
    });
    const run1 = await created('/catalog/production-runs', {
      tracerId: catalog.tracer,
      weekday: 1,
      productionTime: '06:00',
      runNumber: 1,
    });
    const run2 = await created('/catalog/production-runs', {
      tracerId: catalog.tracer,
      weekday: 1,
      productionTime: '09:00',
      runNumber: 2,
    });
    const slot = (endpointId: string, productionRunId: string, deliveryTime: string) =>
      created('/catalog/delivery-time-slots', { endpointId, productionRunId, deliveryTime, repeat: 'every' });
    catalog.early = await slot(catalog.endpoint, run1, '08:00');
    catalog.late = await slot(catalog.endpoint, run2, '10:30');
    catalog.otherSlot = await slot(catalog.otherEndpoint, run1, '08:15');
    for (const [endpointId, tracerId] of [
      [catalog.endpoint, catalog.tracer],
      [catalog.otherEndpoint, catalog.tracer],
      [catalog.endpoint, catalog.fet],
    ]) {
      await admin.put(`/catalog/delivery-endpoints/${endpointId}/tracers/${tracerId}`).send({}).expect(200);
    }
    shop = (await person('sally.shop', { role: 'shop', customerIds: [catalog.customer] })).client;
    otherShop = (await person('olga.shop', { role: 'shop', customerIds: [catalog.otherCustomer] })).client;
    production = (await person('paul.production', { role: 'production' })).client;
    const rita = await person(releaserCredentials.username, { role: 'releaser' });
    releaser = rita.client;
    await admin.post(`/identity/users/${rita.id}/release-rights`).send({ tracerId: catalog.tracer }).expect(200);
    await admin.post(`/identity/users/${rita.id}/release-rights`).send({ tracerId: catalog.fet }).expect(200);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  /** A VialAssigned as a release's first step appends it, recorded at `at`: what a stop mid-release leaves. */
  const leftAssigned = (vialId: string, releaseId: string, streamId: string, at: Date) =>
    store.append(
      vialStreamName(vialId),
      [
        {
          type: 'VialAssigned',
          data: { vialId, releaseId, streamId },
          metadata: {
            eventId: randomUUID(),
            schemaVersion: 1,
            occurredAt: at.toISOString(),
            recordedAt: at.toISOString(),
            actor: { kind: 'system', id: 'release-saga', printedName: 'Release', role: 'system' },
            correlationId: randomUUID(),
            causationId: randomUUID(),
          },
        },
      ],
      'any',
    );

  /** GET a release's PDF document, its bytes in `body`. */
  const releaseDocument = (client: ReturnType<typeof as>, releaseId: string, minPosition: string) =>
    client
      .get(`/ordering/releases/${releaseId}/document`)
      .query({ minPosition })
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });

  const dayEvents = async () =>
    (await store.readStream(deliveryDayStreamName(catalog.endpoint, monday))).map((event) => event.type);

  it('a shop member orders for its customer; another customer’s shop member cannot see or touch it', async () => {
    const placed = await shop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.late, deliveryDate: monday, activityMBq: 1000, comment: 'two patients' })
      .expect(201);
    expect(placed.body.events).toEqual(['OrderPlaced']);
    const order = await shop
      .get(`/ordering/orders/${placed.body.id}`)
      .query({ minPosition: placed.body.position })
      .expect(200);
    expect(order.body).toMatchObject({
      orderId: placed.body.id,
      status: 'ordered',
      activityMBq: 1000,
      deliveryDate: monday,
    });
    // Another customer's order and slot answer exactly as ids that do not exist.
    const missing = randomUUID();
    const alike = (foreign: { body: unknown }, foreignId: string, absent: { body: unknown }) =>
      expect(JSON.stringify(foreign.body).replaceAll(foreignId, '<id>')).toBe(
        JSON.stringify(absent.body).replaceAll(missing, '<id>'),
      );
    alike(
      await otherShop.get(`/ordering/orders/${placed.body.id}`).expect(404),
      placed.body.id,
      await otherShop.get(`/ordering/orders/${missing}`).expect(404),
    );
    const cancel = await otherShop
      .post(`/ordering/orders/${placed.body.id}/cancel`)
      .send({ reason: 'mine' })
      .expect(404);
    expect(cancel.body.error).toEqual({
      code: 'ORDER_NOT_FOUND',
      message: `No order ${placed.body.id}`,
      details: { id: placed.body.id },
    });
    alike(
      cancel,
      placed.body.id,
      await otherShop.post(`/ordering/orders/${missing}/cancel`).send({ reason: 'mine' }).expect(404),
    );
    const placeOnSlot = (slotId: string) =>
      otherShop.post('/ordering/activity-orders').send({ slotId, deliveryDate: monday, activityMBq: 10 }).expect(404);
    alike(await placeOnSlot(catalog.late), catalog.late, await placeOnSlot(missing));
    await shop.post(`/ordering/orders/${placed.body.id}/accept`).expect(403);
    const changed = await shop
      .patch(`/ordering/activity-orders/${placed.body.id}`)
      .send({ activityMBq: 1200 })
      .expect(200);
    expect(changed.body.events).toEqual(['OrderActivityChanged']);
  });

  it('a client-chosen order id belongs to its delivery day for good; the read models keep following', async () => {
    const id = `chosen-${randomUUID()}`;
    const place = (client: ReturnType<typeof as>, slotId: string, deliveryDate: string) =>
      client.post('/ordering/activity-orders').send({ id, slotId, deliveryDate, activityMBq: 400 });
    // Days of their own, so the other specs' days stay as they expect
    const first = addDays(monday, 21);
    const placed = await place(shop, catalog.late, first).expect(201);
    expect(placed.body).toMatchObject({ id, events: ['OrderPlaced'] });
    // A retry of the same request is safe
    expect((await place(shop, catalog.late, first).expect(201)).body.events).toEqual([]);

    // When the id is given again for another day, or by another customer, then it is refused
    const later = addDays(monday, 28);
    const laterDay = deliveryDayStreamName(catalog.endpoint, later);
    const elsewhere = await place(shop, catalog.late, later).expect(409);
    expect(elsewhere.body.error).toEqual({
      code: 'ORDER_ID_TAKEN',
      message: `The order id ${id} belongs to another delivery day; choose another id`,
      details: { field: 'id', id },
    });
    await expect(store.readStream(laterDay)).rejects.toThrow('does not exist');
    expect((await place(otherShop, catalog.otherSlot, first).expect(409)).body.error.code).toBe('ORDER_ID_TAKEN');
    // The form of the ids the server derives from names (mass orders, the legacy sync) is the server's
    const derived = await shop
      .post('/ordering/activity-orders')
      .send({
        id: nameBasedUuid('old-tracershop:orders:1000001'),
        slotId: catalog.late,
        deliveryDate: first,
        activityMBq: 1,
      })
      .expect(422);
    expect(derived.body.error).toMatchObject({ code: 'ID_RESERVED', details: { field: 'id' } });
    // An id the server made is as taken: a client that read it cannot place it on another day
    const minted = await shop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.late, deliveryDate: first, activityMBq: 100 })
      .expect(201);
    const reused = await shop
      .post('/ordering/activity-orders')
      .send({ id: minted.body.id, slotId: catalog.late, deliveryDate: later, activityMBq: 100 })
      .expect(409);
    expect(reused.body.error.code).toBe('ORDER_ID_TAKEN');

    // Then the order is the first day's, and the record projection is still applying new events
    const next = await shop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.late, deliveryDate: later, activityMBq: 300 })
      .expect(201);
    await shop.get(`/ordering/orders/${next.body.id}`).query({ minPosition: next.body.position }).expect(200);
    const order = await shop.get(`/ordering/orders/${id}`).expect(200);
    expect(order.body).toMatchObject({ orderId: id, deliveryDate: first, activityMBq: 400 });
  });

  it('a shop member who is also an auditor reads every customer’s orders but orders for its own only', async () => {
    const created = await admin
      .post('/identity/users')
      .send({
        username: 'sven.shop-auditor',
        printedName: 'Sven Shop-Auditor',
        identityVerification: VERIFIED_IDENTITY,
      })
      .expect(201);
    const grant = (body: object) => admin.post(`/identity/users/${created.body.id}/roles`).send(body).expect(200);
    await grant({ role: 'shop', customerIds: [catalog.customer] });
    await grant({ role: 'auditor' });
    await setInitialPassword(app.server, admin, created.body.id);
    const sven = as(app.server, await logIn(app.server, 'sven.shop-auditor', INITIAL_PASSWORD, PERSON_PASSWORD));
    const day = addDays(monday, 35);
    const foreign = await otherShop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.otherSlot, deliveryDate: day, activityMBq: 200 })
      .expect(201);

    // As auditor: reads the other customer's order
    await sven.get(`/ordering/orders/${foreign.body.id}`).query({ minPosition: foreign.body.position }).expect(200);
    // As shop member: orders for its own customer, and neither orders for nor changes the other's
    const place = (slotId: string) =>
      sven.post('/ordering/activity-orders').send({ slotId, deliveryDate: day, activityMBq: 100 });
    expect((await place(catalog.otherSlot).expect(404)).body.error.code).toBe('DELIVERY_TIME_SLOT_NOT_FOUND');
    await sven.patch(`/ordering/activity-orders/${foreign.body.id}`).send({ activityMBq: 1 }).expect(404);
    await sven.post(`/ordering/orders/${foreign.body.id}/cancel`).send({ reason: 'not mine' }).expect(404);
    expect((await place(catalog.late).expect(201)).body.events).toEqual(['OrderPlaced']);
    const otherDay = await store.readStream(deliveryDayStreamName(catalog.otherEndpoint, day));
    expect(otherDay.map((event) => event.type)).toEqual(['OrderPlaced']);
  });

  it('refuses what the rules forbid, with a stable code, and stores nothing', async () => {
    const before = await dayEvents();
    const bad = await shop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.late, deliveryDate: monday, activityMBq: -5, extra: 1 })
      .expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const tuesday = addDays(monday, 1);
    const wrongDay = await shop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.late, deliveryDate: tuesday, activityMBq: 100 })
      .expect(422);
    expect(wrongDay.body.error.code).toBe('SLOT_DOES_NOT_DELIVER');
    await admin
      .put(`/catalog/closed-dates/${addDays(monday, 7)}`)
      .send({ reason: 'Cyclotron service' })
      .expect(200);
    const closed = await shop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.late, deliveryDate: addDays(monday, 7), activityMBq: 100 })
      .expect(422);
    expect(closed.body.error.code).toBe('DATE_CLOSED');
    const pastMonday = addDays(monday, -7 * 10);
    const late = await shop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.late, deliveryDate: pastMonday, activityMBq: 100 })
      .expect(422);
    expect(late.body.error.code).toBe('ORDER_DEADLINE_PASSED');
    expect(await dayEvents()).toEqual(before);
    const overridden = await production
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.late, deliveryDate: pastMonday, activityMBq: 100, deadlineOverrideReason: 'Phoned in' })
      .expect(201);
    expect(overridden.body.events).toEqual(['OrderPlaced']);
    // Changing it after the deadline is production's too, and it says why; the reason is on record
    const edit = (body: object) => production.patch(`/ordering/activity-orders/${overridden.body.id}`).send(body);
    const unexplained = await edit({ activityMBq: 150 }).expect(422);
    expect(unexplained.body.error).toMatchObject({ code: 'ORDER_DEADLINE_PASSED', details: { overridable: true } });
    const explained = await edit({ activityMBq: 150, deadlineOverrideReason: 'Second patient phoned in' }).expect(200);
    expect(explained.body.events).toEqual(['OrderActivityChanged']);
    const [changedEvent] = (await store.readStream(explained.body.streamId)).slice(-1);
    expect(changedEvent?.metadata.reason).toBe('Second patient phoned in');
  });

  it('production accepts, moves the order to an earlier slot with a ghost, releases it signed, and corrects it', async () => {
    const placed = await shop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.late, deliveryDate: monday, activityMBq: 500 })
      .expect(201);
    const orderId = placed.body.id as string;
    const accepted = await production.post(`/ordering/orders/${orderId}/accept`).expect(200);
    expect(accepted.body.events).toEqual(['OrderAccepted']);
    expect((await production.post(`/ordering/orders/${orderId}/accept`).expect(200)).body.events).toEqual([]);

    const noReason = await production
      .post(`/ordering/activity-orders/${orderId}/move`)
      .send({ targetSlotId: catalog.early });
    expect(noReason.status).toBe(400);
    const moved = await production
      .post(`/ordering/activity-orders/${orderId}/move`)
      .send({ targetSlotId: catalog.early, reason: 'Run 2 dropped' })
      .expect(200);
    expect(moved.body.events).toEqual(['OrderMovedToSlot', 'GhostOrderCreated']);
    const order = await production
      .get(`/ordering/orders/${orderId}`)
      .query({ minPosition: moved.body.position })
      .expect(200);
    // 500 MBq for 10:30 served at 08:00: 150 minutes of F-18 decay, plus 10 % overhead.
    const expected = 500 * Math.exp((Math.LN2 * 150 * 60) / F18_HALF_LIFE) * 1.1;
    expect(order.body.activityServedMBq).toBeCloseTo(expected, 3);
    expect(order.body.activeSlotId).toBe(catalog.early);

    const vial = async (lot: string, fillTime: string, activityMBq: number) =>
      (
        await production
          .post('/ordering/vials')
          .send({
            lot,
            fillDate: monday,
            fillTime,
            activityMBq,
            volumeMl: 4.2,
            dispenserNumber: 2,
            reason: 'Entered from the dispenser print-out',
          })
          .expect(201)
      ).body.id as string;
    // A vial typed in by a person is a change by hand: without a reason it is refused, with one the
    // reason is on record
    const byHand = {
      lot: 'FDG-261123-1',
      fillDate: monday,
      fillTime: '07:10:00',
      activityMBq: 1300,
      volumeMl: 4.2,
      dispenserNumber: 2,
    };
    const vialWithoutReason = await production.post('/ordering/vials').send(byHand).expect(422);
    expect(vialWithoutReason.body.error).toMatchObject({ code: 'FIELD_REQUIRED', details: { field: 'reason' } });
    await expect(store.readStream(vialStreamName(vialIdOf('FDG-261123-1', monday, '07:10:00')))).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );
    const first = await vial('FDG-261123-1', '07:10:00', 1300);
    const [dispensed] = await store.readStream(vialStreamName(first));
    expect(dispensed?.metadata.reason).toBe('Entered from the dispenser print-out');
    const valFile = [
      'customer:   2-herlev',
      'charge:     FDG:261123:2',
      'depotpos:   0',
      `filldate:   ${monday.slice(8, 10)}.${monday.slice(5, 7)}.${monday.slice(2, 4)}`,
      'filltime:   07:12:30',
      'activity:   600 MBq;',
      'volume:     2.5 ml',
      'product:    18F-FDG',
    ].join('\r\n');
    // A VAL file a person uploads is theirs too: it needs a reason (the dispenser's token sends without one)
    const upload = { content: valFile, reason: 'Dispenser PC offline: file copied by hand' };
    const second = (await production.post('/ordering/vials/val-files').send(upload).expect(201)).body.id as string;
    expect(second).toBe(`FDG-261123-2@${monday}T07:12:30`);
    const again = await production.post('/ordering/vials/val-files').send(upload).expect(201);
    expect(again.body.events).toEqual([]);
    // A file whose values the old system's VAL row cannot hold (charge of 20 characters at most) stores nothing
    const longLot = `FDG-261123-${'3'.repeat(12)}`;
    const tooLong = await production
      .post('/ordering/vials/val-files')
      .send({ ...upload, content: valFile.replace('FDG:261123:2', longLot) })
      .expect(422);
    expect(tooLong.body.error.code).toBe('INVALID_LOT_NUMBER');
    await expect(store.readStream(vialStreamName(vialIdOf(longLot, monday, '07:12:30')))).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );

    const release = (signature: object) =>
      releaser.post('/ordering/releases/activity').send({
        slotId: catalog.early,
        deliveryDate: monday,
        orderIds: [orderId],
        vialIds: [first, second],
        confirmOtherDate: true,
        signature,
      });
    const wrongPassword = await release({ username: releaserCredentials.username, password: 'not-my-password-1' });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.error.code).toBe('SIGNATURE_INVALID');
    expect(await dayEvents()).not.toContain('ActivityReleased');
    const notTheirs = await production.post('/ordering/releases/activity').send({
      slotId: catalog.early,
      deliveryDate: monday,
      orderIds: [orderId],
      vialIds: [first],
      confirmOtherDate: true,
      signature: { username: 'paul.production', password: 'chosen-Passphrase-43' },
    });
    expect(notTheirs.status).toBe(403);
    expect(notTheirs.body.error.code).toBe('NO_RELEASE_RIGHT');

    const released = await release(releaserCredentials).expect(201);
    expect(released.body.events).toEqual(['ActivityReleased']);
    const [releasedEvent] = (await store.readStream(released.body.streamId)).slice(-1);
    expect(releasedEvent?.metadata.signature).toMatchObject({
      meaning: 'release',
      printedName: 'Person rita.releaser',
    });
    // The signature stays on the record it signs: the vials' assignments carry none
    const [assigned] = (await store.readStream(vialStreamName(first))).slice(-1);
    expect(assigned?.type).toBe('VialAssigned');
    expect(assigned?.metadata.signature).toBeUndefined();
    const releasedOrder = await shop
      .get(`/ordering/orders/${orderId}`)
      .query({ minPosition: released.body.position })
      .expect(200);
    expect(releasedOrder.body).toMatchObject({ status: 'released', lot: 'FDG-261123-1' });
    // The release document goes to the customer: a PDF naming the tracer, the lots and the signer
    const document = await releaseDocument(shop, released.body.id, released.body.position).expect(200);
    expect(document.headers['content-type']).toBe('application/pdf');
    expect((document.body as Buffer).subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    const documentText = pdfText(document.body);
    for (const shown of [
      'Hermed frigives Fludeoxyglucose (18F) - F-18 til humant brug.',
      'Kunde: Herlev Hospital, PET',
      'Lot FDG-261123-1, fyldt',
      'Lot FDG-261123-2, fyldt',
      'Elektronisk signatur af Person rita.releaser, betydning "release"',
      // The order as ordered, the slot that delivered it and what that slot delivered for it (the
      // page wraps the line after this)
      `Ordre ${order.body.legacyOid}: 500 MBq bestilt til kl. 10:30, flyttet til kl. 08:00; leveres ` +
        `${expected.toLocaleString('da-DK', { maximumFractionDigits: 1 })} MBq`,
    ]) {
      expect(documentText).toContain(shown);
    }
    expect(documentText).not.toContain('KORRIGERET');
    // Another customer does not learn it exists
    await releaseDocument(otherShop, released.body.id, released.body.position).expect(404);
    const twice = await releaser
      .post('/ordering/releases/activity')
      .send({
        slotId: catalog.early,
        deliveryDate: monday,
        orderIds: [orderId],
        vialIds: [first],
        confirmOtherDate: true,
        signature: { password: releaserCredentials.password },
      })
      .expect(409);
    expect(twice.body.error.code).toBe('SLOT_RELEASED');
    const intoReleased = await shop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.early, deliveryDate: monday, activityMBq: 100 })
      .expect(409);
    expect(intoReleased.body.error).toMatchObject({ code: 'SLOT_RELEASED', details: { slotId: catalog.early } });

    const shopCancel = await shop.post(`/ordering/orders/${orderId}/cancel`).send({ reason: 'too late' }).expect(409);
    expect(shopCancel.body.error.code).toBe('ORDER_RELEASED');
    const unsigned = await production
      .post(`/ordering/releases/${released.body.id}/correct`)
      .send({ reason: 'Wrong vial', signature: { password: 'nope-nope-nope-1' } });
    expect(unsigned.status).toBe(401);
    const corrected = await production
      .post(`/ordering/releases/${released.body.id}/correct`)
      .send({ reason: 'Wrong vial', signature: { username: 'paul.production', password: 'chosen-Passphrase-43' } })
      .expect(200);
    expect(corrected.body.events).toEqual(['ReleasedOrderCorrected']);
    // The answer's position covers the vials the correction gave back after its own append: a read
    // at it never shows them still assigned to the corrected release
    const answered = Position.parse(corrected.body.position as string);
    for (const vialId of [first, second]) {
      const [unassigned] = (await store.readStream(vialStreamName(vialId))).slice(-1);
      expect(unassigned?.type).toBe('VialUnassigned');
      expect(unassigned?.position.compareTo(answered)).toBeLessThanOrEqual(0);
    }
    const freeVials = await production
      .get('/ordering/vials')
      .query({ assigned: 'false', limit: 500, minPosition: corrected.body.position })
      .expect(200);
    expect(freeVials.body.items.map((vial: { vialId: string }) => vial.vialId)).toEqual(
      expect.arrayContaining([first, second]),
    );
    const correctedDocument = await releaseDocument(shop, released.body.id, corrected.body.position).expect(200);
    expect(pdfText(correctedDocument.body)).toContain('KORRIGERET: denne frigivelse gælder ikke længere');
    const afterCorrection = await production
      .get(`/ordering/orders/${orderId}`)
      .query({ minPosition: corrected.body.position })
      .expect(200);
    expect(afterCorrection.body.status).toBe('accepted');
    const vialAfter = await production.get(`/ordering/vials/${encodeURIComponent(first)}`).expect(200);
    expect(vialAfter.body.releaseId).toBeNull();

    // Given the state a stop between the correction and the giving back of its vials leaves: the
    // first vial still assigned to the corrected release
    await leftAssigned(first, released.body.id, released.body.streamId, new Date());
    // When the order is released again with it; then the vial is given back first, reason on record
    const reReleased = await release({ password: releaserCredentials.password }).expect(201);
    expect(reReleased.body.events).toEqual(['ActivityReleased']);
    const firstVialEvents = await store.readStream(vialStreamName(first));
    expect(firstVialEvents.slice(-2).map((event) => [event.type, event.data])).toEqual([
      [
        'VialUnassigned',
        { vialId: first, releaseId: released.body.id, reason: `Release ${released.body.id} was corrected` },
      ],
      ['VialAssigned', { vialId: first, releaseId: reReleased.body.id, streamId: reReleased.body.streamId }],
    ]);
  });

  it("a reinstated order counts towards its slot's maximum again", async () => {
    // Given a slot of at most 1,500 MBq, whose 1,000 MBq order was cancelled and 800 MBq ordered since
    // (on Tuesdays: the other specs read Monday's runs)
    const run = await created('/catalog/production-runs', {
      tracerId: catalog.tracer,
      weekday: 2,
      productionTime: '11:00',
      runNumber: 1,
    });
    const capped = await created('/catalog/delivery-time-slots', {
      endpointId: catalog.endpoint,
      productionRunId: run,
      deliveryTime: '12:00',
      repeat: 'every',
      maxActivityMBq: 1500,
    });
    const date = addDays(mondayAhead(5), 1);
    const first = await created(
      '/ordering/activity-orders',
      { slotId: capped, deliveryDate: date, activityMBq: 1000 },
      shop,
    );
    await production.post(`/ordering/orders/${first}/cancel`).send({ reason: 'Patient ill' }).expect(200);
    await created('/ordering/activity-orders', { slotId: capped, deliveryDate: date, activityMBq: 800 }, shop);

    // When production reinstates the cancelled order
    const refused = await production
      .post(`/ordering/orders/${first}/reinstate`)
      .send({ reason: 'Patient well again' })
      .expect(422);

    // Then it is refused, and nothing is stored
    expect(refused.body.error).toMatchObject({
      code: 'SLOT_MAX_ACTIVITY_EXCEEDED',
      details: { slotId: capped, maxActivityMBq: 1500, orderedMBq: 1800 },
    });
    const day = await store.readStream(deliveryDayStreamName(catalog.endpoint, date));
    expect(day.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderCancelled', 'OrderPlaced']);
  });

  it('a vial reserved for a release that was never recorded is free again after the grace period', async () => {
    const dispense = async (lot: string) =>
      (
        await production
          .post('/ordering/vials')
          .send({
            lot,
            fillDate: monday,
            fillTime: '07:40:00',
            activityMBq: 900,
            volumeMl: 2,
            dispenserNumber: 2,
            reason: 'Entered from the dispenser print-out',
          })
          .expect(201)
      ).body.id as string;
    const dayStream = deliveryDayStreamName(catalog.endpoint, monday);
    const correction = { reason: 'Volume read again', volumeMl: 2.1 };
    // Given a vial reserved a moment ago for a release not recorded (yet): it stays reserved
    const recent = await dispense('FDG-261123-8');
    await leftAssigned(recent, 'release-in-flight', dayStream, new Date());
    const refused = await production.post(`/ordering/vials/${encodeURIComponent(recent)}/correct`).send(correction);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('VIAL_ASSIGNED');
    // Given one reserved ten minutes ago for a release never recorded: it is given back, then corrected
    const stale = await dispense('FDG-261123-9');
    await leftAssigned(stale, 'release-lost', dayStream, new Date(Date.now() - 10 * 60_000));
    const corrected = await production
      .post(`/ordering/vials/${encodeURIComponent(stale)}/correct`)
      .send(correction)
      .expect(200);
    expect(corrected.body.events).toEqual(['VialCorrected']);
    const events = await store.readStream(vialStreamName(stale));
    expect(events.slice(-2).map((event) => event.type)).toEqual(['VialUnassigned', 'VialCorrected']);
    expect(events.at(-2)?.data).toMatchObject({ reason: 'Release release-lost was never recorded' });
  });

  /** An accepted order of Glostrup's (dispenser number 4) for the date, and a vial typed in for it. */
  async function glostrupOrderAndVial(
    date: string,
    activityMBq: number,
    vial: { lot: string; fillTime: string; activityMBq: number; volumeMl: number },
  ) {
    const placed = await otherShop
      .post('/ordering/activity-orders')
      .send({ slotId: catalog.otherSlot, deliveryDate: date, activityMBq })
      .expect(201);
    const orderId = placed.body.id as string;
    await production.post(`/ordering/orders/${orderId}/accept`).expect(200);
    const dispensed = await production
      .post('/ordering/vials')
      .send({ ...vial, fillDate: date, dispenserNumber: 4, reason: 'Entered from the dispenser print-out' })
      .expect(201);
    return { orderId, vial: dispensed };
  }

  it('a vial recorded in error is voided with a reason: no release takes it until it is restored', async () => {
    // Given an accepted Glostrup order six weeks later, and a vial typed in with the wrong fill time
    const laterMonday = addDays(monday, 42);
    const { orderId, vial } = await glostrupOrderAndVial(laterMonday, 150, {
      lot: 'FDG-261130-4',
      fillTime: '07:02:00',
      activityMBq: 300,
      volumeMl: 2,
    });
    const vialPath = `/ordering/vials/${encodeURIComponent(vial.body.id)}`;

    // When it is voided without a reason, or by a shop member; then nothing is recorded
    expect((await production.post(`${vialPath}/void`).send({}).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    await otherShop.post(`${vialPath}/void`).send({ reason: 'Not ours' }).expect(403);
    // When production voids it with a reason; then the record says why, by whom, and it is no free vial
    const voided = await production
      .post(`${vialPath}/void`)
      .send({ reason: 'Fill time mistyped: 07:20, dispensed again' })
      .expect(200);
    expect(voided.body.events).toEqual(['VialVoided']);
    const read = await production.get(vialPath).query({ minPosition: voided.body.position }).expect(200);
    expect(read.body.voided).toMatchObject({
      reason: 'Fill time mistyped: 07:20, dispensed again',
      byName: 'Person paul.production',
    });
    const free = await production
      .get('/ordering/vials')
      .query({ fillDate: laterMonday, assigned: false, voided: false, minPosition: voided.body.position })
      .expect(200);
    expect(free.body.items).toEqual([]);
    // Voiding it again changes nothing
    expect((await production.post(`${vialPath}/void`).send({ reason: 'Again' }).expect(200)).body.events).toEqual([]);

    // When a releaser signs a release with it; then it is refused and the order stays accepted
    const release = () =>
      releaser.post('/ordering/releases/activity').send({
        slotId: catalog.otherSlot,
        deliveryDate: laterMonday,
        orderIds: [orderId],
        vialIds: [vial.body.id],
        confirmOtherDate: true,
        signature: releaserCredentials,
      });
    const refused = await release().expect(409);
    expect(refused.body.error).toMatchObject({ code: 'VIAL_VOIDED', details: { vialId: vial.body.id } });

    // When it is restored (it was voided in error after all); then the release takes it
    const restored = await production
      .post(`${vialPath}/restore`)
      .send({ reason: 'Fill time was right: voided in error' })
      .expect(200);
    expect(restored.body.events).toEqual(['VialRestored']);
    expect((await release().expect(201)).body.events).toEqual(['ActivityReleased']);
    const events = await store.readStream(vialStreamName(vial.body.id));
    expect(events.map((event) => [event.type, event.metadata.reason ?? null])).toEqual([
      ['VialDispensed', 'Entered from the dispenser print-out'],
      ['VialVoided', 'Fill time mistyped: 07:20, dispensed again'],
      ['VialRestored', 'Fill time was right: voided in error'],
      ['VialAssigned', null],
    ]);
  });

  it('a release right is checked on the day of signing, not on the delivery date', async () => {
    // Given an accepted order for Glostrup weeks ahead, and a vial for it
    const { orderId, vial } = await glostrupOrderAndVial(monday, 200, {
      lot: 'FDG-261123-7',
      fillTime: '07:20:00',
      activityMBq: 400,
      volumeMl: 3,
    });
    // (its volume corrected after it was first recorded)
    await production
      .post(`/ordering/vials/${encodeURIComponent(vial.body.id)}/correct`)
      .send({ reason: 'Volume read again', volumeMl: 3.1 })
      .expect(200);
    // And a releaser whose FDG right runs out tomorrow, before the delivery date
    const tomorrow = addDays(new Date().toISOString().slice(0, 10), 1);
    const rex = await person('rex.releaser', { role: 'releaser' });
    await admin
      .post(`/identity/users/${rex.id}/release-rights`)
      .send({ tracerId: catalog.tracer, expiresOn: tomorrow })
      .expect(200);
    // When they release it today; then the right, unexpired today, lets them sign
    const released = await rex.client
      .post('/ordering/releases/activity')
      .send({
        slotId: catalog.otherSlot,
        deliveryDate: monday,
        orderIds: [orderId],
        vialIds: [vial.body.id],
        confirmOtherDate: true,
        signature: { username: 'rex.releaser', password: 'chosen-Passphrase-43' },
      })
      .expect(201);
    expect(released.body.events).toEqual(['ActivityReleased']);

    // And Glostrup's board shows run 1 (06:00) making its 08:15 order, decayed back 135 minutes
    const board = await otherShop
      .get('/ordering/day-board')
      .query({ date: monday, tracerId: catalog.tracer, minPosition: released.body.position })
      .expect(200);
    expect(board.body.runs.map((run: { runNumber: number; productionTime: string }) => run.productionTime)).toEqual([
      '06:00',
      '09:00',
    ]);
    const [run1, run2] = board.body.runs;
    expect(run1).toMatchObject({ runNumber: 1, slotIds: [catalog.otherSlot], deliveredMBq: 200 });
    expect(run1.activityAtProductionMBq).toBeCloseTo(200 * Math.exp((Math.LN2 * 135 * 60) / F18_HALF_LIFE), 6);
    expect(run2).toMatchObject({ runNumber: 2, slotIds: [], deliveredMBq: 0, activityAtProductionMBq: 0 });

    // And the release document flags the vial's value that differs from its first recording (Annex 11 §8.2)
    const document = await releaseDocument(otherShop, released.body.id, released.body.position).expect(200);
    const documentText = pdfText(document.body);
    expect(documentText).toContain('Lot FDG-261123-7, fyldt');
    expect(documentText).toContain('3.1 ml (rettet, se nedenfor)');
    expect(documentText).toContain(
      'af Person paul.production: volumen (ml) fra 3 til 3.1. Begrundelse: Volume read again',
    );

    // And every ordering read answers what the OpenAPI document describes, at every depth
    const openApi = (await admin.get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
    const read = (client: ReturnType<typeof as>, path: string, query: object = {}) =>
      client
        .get(path)
        .query({ ...query, minPosition: released.body.position })
        .expect(200)
        .then((response) => response.body as unknown);
    const answers: Array<[string, unknown]> = [
      ['OrderDetailViewDto', await read(otherShop, `/ordering/orders/${orderId}`)],
      ['OrderPageDto', await read(otherShop, '/ordering/orders', { deliveryDate: monday })],
      ['ReleaseViewDto', await read(otherShop, `/ordering/releases/${released.body.id}`)],
      ['DayBoardDto', board.body],
      ['VialViewDto', await read(production, `/ordering/vials/${encodeURIComponent(vial.body.id)}`)],
      ['VialPageDto', await read(production, '/ordering/vials', { fillDate: monday })],
    ];
    for (const [schema, answer] of answers) expect(shapeMismatches(openApi, schema, answer)).toEqual([]);
  });

  it('injection orders: placed, accepted and released with a lot number', async () => {
    const placed = await shop
      .post('/ordering/injection-orders')
      .send({
        endpointId: catalog.endpoint,
        tracerId: catalog.fet,
        deliveryDate: monday,
        deliveryTime: '11:15',
        injections: 2,
        usage: 'human',
      })
      .expect(201);
    await production.post(`/ordering/orders/${placed.body.id}/accept`).expect(200);
    const badLot = await releaser
      .post('/ordering/releases/injection')
      .send({
        endpointId: catalog.endpoint,
        deliveryDate: monday,
        orderIds: [placed.body.id],
        lot: 'FDG-261123-1',
        signature: releaserCredentials,
      })
      .expect(422);
    expect(badLot.body.error.code).toBe('INVALID_LOT_NUMBER');
    const released = await releaser
      .post('/ordering/releases/injection')
      .send({
        endpointId: catalog.endpoint,
        deliveryDate: monday,
        orderIds: [placed.body.id],
        lot: 'FET:261123:1',
        maxInjectionVolumeMl: 8.5,
        signature: releaserCredentials,
      })
      .expect(201);
    expect(released.body.events).toEqual(['InjectionOrdersReleased']);
    const order = await shop.get(`/ordering/orders/${placed.body.id}`).query({ minPosition: released.body.position });
    expect(order.body).toMatchObject({ status: 'released', lot: 'FET-261123-1', injections: 2, usage: 'human' });
    const release = await shop
      .get(`/ordering/releases/${released.body.id}`)
      .query({ minPosition: released.body.position })
      .expect(200);
    expect(release.body).toMatchObject({ kind: 'injection', lot: 'FET-261123-1', maxInjectionVolumeMl: 8.5 });
    const document = await releaseDocument(shop, released.body.id, released.body.position).expect(200);
    expect(pdfText(document.body)).toContain('Største injektionsvolumen: 8,5 ml');
  });
});
