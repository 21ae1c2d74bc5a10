import { addDays, isoWeekdayOf } from '@tracershop/domain/catalog';
import { bookingStreamName } from '@tracershop/domain/bookings';
import { deliveryDayStreamName, vialIdOf, vialStreamName, type OrderPlaced } from '@tracershop/domain/ordering';
import { StreamNotFoundError, type EventStore } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ADMIN, as, bootApp, logIn, type BootedApp, createPerson } from './booted-app';
import { shapeMismatches, type OpenApiDocument } from './documented-shape';

/** The Monday at least `weeksAhead` weeks after today: far from any deadline. */
function mondayAhead(weeksAhead: number): string {
  let date = addDays(new Date().toISOString().slice(0, 10), 7 * weeksAhead);
  while (isoWeekdayOf(date) !== 1) date = addDays(date, 1);
  return date;
}

const F18_HALF_LIFE = 6586.2;

describe('bookings over HTTP: worklist import, mapping, mass order', () => {
  let app: BootedApp;
  let admin: ReturnType<typeof as>;
  let store: EventStore;
  let worklist: ReturnType<typeof as>;
  let shop: ReturnType<typeof as>;
  let otherShop: ReturnType<typeof as>;
  let production: ReturnType<typeof as>;
  const monday = mondayAhead(2);
  const catalog = {} as {
    fdg: string;
    fet: string;
    customer: string;
    otherCustomer: string;
    endpoint: string;
    otherEndpoint: string;
    early: string;
    late: string;
  };

  async function created(path: string, body: object, client = admin): Promise<string> {
    const response = await client.post(path).send(body);
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id as string;
  }

  const person = async (username: string, grant: object) =>
    (await createPerson(app.server, admin, username, grant)).client;

  const booking = (accessionNumber: string, locationCode: string, procedureCode: string, startTime: string) => ({
    accessionNumber,
    locationCode,
    procedureCode,
    procedureDescription: `${procedureCode} study`,
    startDate: monday,
    startTime,
  });

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
    catalog.fdg = await created('/catalog/tracers', {
      shortName: 'FDG',
      clinicalName: 'Fludeoxyglucose (18F)',
      isotopeId: f18,
      kind: 'activity',
      vialTag: 'FDG',
      inUse: true,
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
    const run = (productionTime: string, runNumber: number) =>
      created('/catalog/production-runs', { tracerId: catalog.fdg, weekday: 1, productionTime, runNumber });
    const run1 = await run('06:00', 1);
    const run2 = await run('09:00', 2);
    const slot = (endpointId: string, productionRunId: string, deliveryTime: string) =>
      created('/catalog/delivery-time-slots', { endpointId, productionRunId, deliveryTime, repeat: 'every' });
    catalog.early = await slot(catalog.endpoint, run1, '08:00');
    catalog.late = await slot(catalog.endpoint, run2, '10:30');
    await slot(catalog.otherEndpoint, run1, '08:15');
    for (const [endpointId, tracerId] of [
      [catalog.endpoint, catalog.fdg],
      [catalog.endpoint, catalog.fet],
      [catalog.otherEndpoint, catalog.fdg],
    ]) {
      await admin.put(`/catalog/delivery-endpoints/${endpointId}/tracers/${tracerId}`).send({}).expect(200);
    }
    shop = await person('sally.shop', { role: 'shop', customerIds: [catalog.customer] });
    otherShop = await person('olga.shop', { role: 'shop', customerIds: [catalog.otherCustomer] });
    production = await person('paul.production', { role: 'production' });
    const client = await admin
      .post('/identity/api-clients')
      .send({ name: 'Worklist feed', scopes: ['bookings', 'vials'] })
      .expect(201);
    const issued = await admin
      .post(`/identity/api-clients/${client.body.id}/tokens`)
      .send({ name: 'ris 2026' })
      .expect(201);
    worklist = as(app.server, issued.body.token);
  }, 90_000);

  afterAll(async () => {
    await app?.close();
  });

  it('the worklist integration imports bookings; the same values again change nothing', async () => {
    const bookings = [
      booking('HRL/0001', 'PET1', 'WBFDG', '09:15'),
      booking('HRL-0002', 'PET1', 'WBFDG', '10:15'),
      booking('HRL-0003', 'PET1', 'BRAIN', '09:00'),
      booking('HRL-0004', 'PET1', 'FETSCAN', '11:00'),
      booking('HRL-0005', 'PET1', 'WBFDG', '12:00'),
      booking('HRL-0006', 'PET1', 'CARDIAC', '09:00'),
      booking('GLO-0001', 'GLO PET', 'WBFDG', '09:00'),
    ];
    for (const body of bookings) {
      const imported = await worklist.post('/bookings').send(body).expect(200);
      expect(imported.body).toMatchObject({ id: body.accessionNumber, events: ['BookingImported'] });
    }
    const again = await worklist.post('/bookings').send(bookings[0]).expect(200);
    expect(again.body.events).toEqual([]);
    const moved = await worklist
      .post('/bookings')
      .send({ ...booking('HRL-0005', 'PET1', 'WBFDG', '12:30') })
      .expect(200);
    expect(moved.body.events).toEqual(['BookingUpdated']);
    const [, updated] = await store.readStream(moved.body.streamId);
    expect(updated.data).toMatchObject({
      changes: { startTime: { from: '12:00', to: '12:30' } },
      status: { from: 'initial', to: 'initial' },
    });
    expect(updated.metadata.actor).toMatchObject({ kind: 'application' });

    const bad = await worklist
      .post('/bookings')
      .send({ ...bookings[0], startTime: '9:15' })
      .expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    await shop.post('/bookings').send(bookings[0]).expect(403);
  });

  it('production maps the rooms and defines the procedures; nobody else may', async () => {
    await worklist.put('/bookings/locations/PET1').send({ endpointId: catalog.endpoint }).expect(403);
    await shop.put('/bookings/locations/PET1').send({ endpointId: catalog.endpoint }).expect(403);
    const mapped = await production.put('/bookings/locations/PET1').send({ endpointId: catalog.endpoint }).expect(200);
    expect(mapped.body.events).toEqual(['LocationMapped']);
    await production.put('/bookings/locations/GLO%20PET').send({ endpointId: catalog.otherEndpoint }).expect(200);
    const unknown = await production
      .put('/bookings/locations/CT3')
      .send({ endpointId: 'no-such-endpoint' })
      .expect(404);
    expect(unknown.body.error.code).toBe('DELIVERY_ENDPOINT_NOT_FOUND');

    const define = (code: string, tracerId: string, tracerUnits: number, delayMinutes: number) =>
      production
        .put(`/bookings/procedures/${code}/endpoints/${catalog.endpoint}`)
        .send({ tracerId, tracerUnits, delayMinutes, isPet: true });
    expect((await define('WBFDG', catalog.fdg, 300, 15).expect(200)).body.events).toEqual(['ProcedureDefined']);
    await define('BRAIN', catalog.fdg, 200, 60).expect(200);
    await define('FETSCAN', catalog.fet, 2, 30).expect(200);
    const fractional = await define('FETSCAN', catalog.fet, 1.5, 30).expect(422);
    expect(fractional.body.error.code).toBe('INVALID_TRACER_UNITS');
  });

  it('shop members see the bookings of their own endpoints only', async () => {
    // Read after everything the earlier specs appended (the room mapping above in particular).
    const minPosition = (await store.headPosition())!.toString();
    const listed = await shop
      .get('/bookings')
      .query({ date: monday, endpointId: catalog.endpoint, minPosition })
      .expect(200);
    expect(listed.body.items.map((item: { accessionNumber: string }) => item.accessionNumber)).toEqual([
      'HRL-0003',
      'HRL-0006',
      'HRL/0001',
      'HRL-0002',
      'HRL-0004',
      'HRL-0005',
    ]);
    expect(listed.body.items[0]).toMatchObject({ status: 'initial', endpointId: catalog.endpoint, order: null });
    expect((await shop.get('/bookings').query({ date: monday }).expect(400)).body.error.code).toBe('FILTER_REQUIRED');
    await otherShop.get('/bookings').query({ endpointId: catalog.endpoint }).expect(404);
    const theirs = await otherShop.get('/bookings/HRL-0002').expect(404);
    expect(theirs.body.error.code).toBe('BOOKING_NOT_FOUND');
    await shop.get(`/bookings/${encodeURIComponent('HRL/0001')}`).expect(200);
    await production.get('/bookings/GLO-0001').expect(200);
    await worklist.get('/bookings/HRL-0002').expect(403);
  });

  it('another customer’s shop member can neither mass-order the endpoint nor its bookings', async () => {
    const mass = { endpointId: catalog.endpoint, date: monday, accessionNumbers: ['HRL-0002'] };
    expect((await otherShop.post('/bookings/mass-order').send(mass).expect(404)).body.error.code).toBe(
      'DELIVERY_ENDPOINT_NOT_FOUND',
    );
    const viaOwnEndpoint = await otherShop
      .post('/bookings/mass-order')
      .send({ ...mass, endpointId: catalog.otherEndpoint })
      .expect(404);
    expect(viaOwnEndpoint.body.error.code).toBe('BOOKING_NOT_FOUND');
    const elsewhere = await production
      .post('/bookings/mass-order')
      .send({ ...mass, endpointId: catalog.otherEndpoint })
      .expect(422);
    expect(elsewhere.body.error.code).toBe('BOOKING_OF_ANOTHER_ENDPOINT');

    await worklist
      .post('/bookings')
      .send(booking('CT-0001', 'CT3', 'WBFDG', '09:00'))
      .expect(200);
    const unmapped = { ...mass, accessionNumbers: ['CT-0001'] };
    const notMapped = await production.post('/bookings/mass-order').send(unmapped).expect(422);
    expect(notMapped.body.error).toMatchObject({
      code: 'BOOKING_LOCATION_NOT_MAPPED',
      details: { accessionNumber: 'CT-0001', locationCode: 'CT3' },
    });
    expect((await shop.post('/bookings/mass-order').send(unmapped).expect(404)).body.error.code).toBe(
      'BOOKING_NOT_FOUND',
    );
  });

  it('a shop member mass-orders the day: decay-corrected sums per slot, rounded down; bookings become ordered', async () => {
    const mass = {
      endpointId: catalog.endpoint,
      date: monday,
      accessionNumbers: ['HRL/0001', 'HRL-0002', 'HRL-0003', 'HRL-0004', 'HRL-0006'],
      declined: ['HRL-0005'],
    };
    const response = await shop.post('/bookings/mass-order').send(mass).expect(200);
    // 08:00 serves HRL/0001 (injected 09:30: 90 min later) and HRL-0003 (10:00: 120 min later).
    const early = 300 * 2 ** ((90 * 60) / F18_HALF_LIFE) + 200 * 2 ** ((120 * 60) / F18_HALF_LIFE);
    expect(Math.floor(early)).toBe(956);
    expect(response.body).toMatchObject({
      endpointId: catalog.endpoint,
      date: monday,
      orders: [
        {
          kind: 'activity',
          slotId: catalog.early,
          deliveryTime: '08:00',
          activityMBq: 956,
          bookingIds: ['HRL/0001', 'HRL-0003'],
          events: ['OrderPlaced'],
        },
        { kind: 'activity', slotId: catalog.late, activityMBq: 300, bookingIds: ['HRL-0002'], events: ['OrderPlaced'] },
        {
          kind: 'injection',
          tracerId: catalog.fet,
          deliveryTime: '11:00',
          injections: 2,
          bookingIds: ['HRL-0004'],
          events: ['OrderPlaced'],
        },
      ],
      ordered: ['HRL/0001', 'HRL-0003', 'HRL-0002', 'HRL-0004'],
      rejected: ['HRL-0005'],
      skipped: [{ accessionNumber: 'HRL-0006', procedureCode: 'CARDIAC', reason: 'NO_PROCEDURE' }],
    });
    const [earlyOrder, lateOrder, injectionOrder] = response.body.orders as { orderId: string }[];

    const placed = (await store.readStream(deliveryDayStreamName(catalog.endpoint, monday)))
      .filter((event) => event.type === 'OrderPlaced')
      .map((event) => (event.data as OrderPlaced['data']).order);
    expect(placed).toEqual([
      expect.objectContaining({ orderId: earlyOrder.orderId, activityMBq: 956, bookingIds: ['HRL/0001', 'HRL-0003'] }),
      expect.objectContaining({ orderId: lateOrder.orderId, activityMBq: 300, bookingIds: ['HRL-0002'] }),
      expect.objectContaining({ orderId: injectionOrder.orderId, kind: 'injection', injections: 2, usage: 'human' }),
    ]);

    const first = await shop
      .get(`/bookings/${encodeURIComponent('HRL/0001')}`)
      .query({ minPosition: response.body.position })
      .expect(200);
    expect(first.body).toMatchObject({
      status: 'ordered',
      order: { orderId: earlyOrder.orderId, endpointId: catalog.endpoint, date: monday },
    });
    // (an ordered booking and a page of them answer what the OpenAPI document describes)
    const openApi = (await admin.get('/docs/openapi.json').expect(200)).body as OpenApiDocument;
    expect(shapeMismatches(openApi, 'BookingViewDto', first.body)).toEqual([]);
    const page = await shop
      .get('/bookings')
      .query({ date: monday, endpointId: catalog.endpoint, minPosition: response.body.position })
      .expect(200);
    expect(shapeMismatches(openApi, 'BookingPageDto', page.body)).toEqual([]);
    // (and so does the mass order's own answer: a slot id is a string, null for an injection order)
    expect(shapeMismatches(openApi, 'MassOrderResponseDto', response.body)).toEqual([]);
    const declined = await shop.get('/bookings/HRL-0005').query({ minPosition: response.body.position }).expect(200);
    expect(declined.body).toMatchObject({ status: 'rejected', order: null });
    const skipped = await shop.get('/bookings/HRL-0006').query({ minPosition: response.body.position }).expect(200);
    expect(skipped.body.status).toBe('initial');

    const orders = await shop
      .get('/ordering/orders')
      .query({ deliveryDate: monday, minPosition: response.body.position })
      .expect(200);
    type Listed = { id?: string; orderId?: string; activityMBq?: number; status: string };
    const items = (orders.body.items ?? orders.body) as Listed[];
    const listed = (orderId: string) => items.find((order) => (order.orderId ?? order.id) === orderId);
    expect(listed(earlyOrder.orderId)).toMatchObject({
      activityMBq: 956,
      status: 'ordered',
      bookingIds: ['HRL/0001', 'HRL-0003'],
    });
    expect(listed(lateOrder.orderId)).toMatchObject({ activityMBq: 300, status: 'ordered' });
    expect(listed(injectionOrder.orderId)).toMatchObject({
      injections: 2,
      status: 'ordered',
      bookingIds: ['HRL-0004'],
    });
  });

  it('a retried mass order orders nothing twice', async () => {
    const before = (await store.readStream(deliveryDayStreamName(catalog.endpoint, monday))).length;
    const retried = await shop
      .post('/bookings/mass-order')
      .send({
        endpointId: catalog.endpoint,
        date: monday,
        accessionNumbers: ['HRL/0001', 'HRL-0002', 'HRL-0003', 'HRL-0004', 'HRL-0006'],
        declined: ['HRL-0005'],
      })
      .expect(200);
    expect(retried.body.orders.map((order: { events: string[] }) => order.events)).toEqual([[], [], []]);
    expect((await store.readStream(deliveryDayStreamName(catalog.endpoint, monday))).length).toBe(before);

    const twice = await shop
      .post('/bookings/mass-order')
      .send({ endpointId: catalog.endpoint, date: monday, accessionNumbers: ['HRL/0001'] })
      .expect(409);
    expect(twice.body.error.code).toBe('BOOKING_ALREADY_ORDERED');
  });

  it('orders made from bookings are the shop admin’s to edit or withdraw; a shop member’s edit is refused', async () => {
    const placed = (await store.readStream(deliveryDayStreamName(catalog.endpoint, monday)))
      .filter((event) => event.type === 'OrderPlaced')
      .map((event) => (event.data as OrderPlaced['data']).order);
    const [early, , injection] = placed;
    const shopAdmin = await person('sam.shopadmin', { role: 'shop-admin', customerIds: [catalog.customer] });
    const otherShopAdmin = await person('oscar.shopadmin', {
      role: 'shop-admin',
      customerIds: [catalog.otherCustomer],
    });

    // Given the shop member who mass-ordered; when it edits or withdraws an order of the bookings: 403
    const refused = await shop
      .patch(`/ordering/activity-orders/${early.orderId}`)
      .send({ activityMBq: 1000 })
      .expect(403);
    expect(refused.body.error).toMatchObject({
      code: 'BOOKING_ORDER_NEEDS_SHOP_ADMIN',
      details: { orderId: early.orderId, bookingIds: ['HRL/0001', 'HRL-0003'] },
    });
    await shop.post(`/ordering/orders/${early.orderId}/cancel`).send({ reason: 'Patient ill' }).expect(403);
    await shop.patch(`/ordering/injection-orders/${injection.orderId}`).send({ injections: 3 }).expect(403);
    // A shop admin of another customer does not see it
    await otherShopAdmin.patch(`/ordering/activity-orders/${early.orderId}`).send({ activityMBq: 1000 }).expect(404);

    // When the customer's shop admin edits them; then the changes are recorded, as the admin's
    const edited = await shopAdmin
      .patch(`/ordering/activity-orders/${early.orderId}`)
      .send({ activityMBq: 1000 })
      .expect(200);
    expect(edited.body.events).toEqual(['OrderActivityChanged']);
    const changed = await shopAdmin
      .patch(`/ordering/injection-orders/${injection.orderId}`)
      .send({ injections: 3 })
      .expect(200);
    expect(changed.body.events).toEqual(['InjectionOrderChanged']);
    const [last] = (await store.readStream(deliveryDayStreamName(catalog.endpoint, monday))).slice(-1);
    expect(last.metadata.actor).toMatchObject({
      printedName: expect.stringContaining('sam.shopadmin'),
      role: 'shop-admin',
    });
    const listed = await shopAdmin
      .get(`/ordering/orders/${early.orderId}`)
      .query({ minPosition: edited.body.position });
    expect(listed.body).toMatchObject({ activityMBq: 1000, status: 'ordered' });

    // When the shop admin withdraws one, then mass-ordering its bookings again does not answer as
    // if it were placed: the withdrawn order covers them no more, and a new order does
    await shopAdmin.post(`/ordering/orders/${injection.orderId}/cancel`).send({ reason: 'Study moved' }).expect(200);
    const repeated = await shop
      .post('/bookings/mass-order')
      .send({ endpointId: catalog.endpoint, date: monday, accessionNumbers: injection.bookingIds })
      .expect(200);
    expect(repeated.body.orders).toEqual([
      expect.objectContaining({ kind: 'injection', bookingIds: injection.bookingIds, events: ['OrderPlaced'] }),
    ]);
    expect(repeated.body.orders[0].orderId).not.toBe(injection.orderId);
  });

  it('the worklist cancels a booking: it stays, cancelled, and cannot be ordered', async () => {
    const cancelled = await worklist.post('/bookings/HRL-0006/cancel').send({ reason: 'ORC-1 CA' }).expect(200);
    expect(cancelled.body.events).toEqual(['BookingCancelled']);
    const [event] = (await store.readStream(cancelled.body.streamId)).slice(-1);
    expect(event.metadata.reason).toBe('ORC-1 CA');
    const read = await production.get('/bookings/HRL-0006').query({ minPosition: cancelled.body.position }).expect(200);
    expect(read.body).toMatchObject({ status: 'cancelled', reason: 'ORC-1 CA' });
    const refused = await shop
      .post('/bookings/mass-order')
      .send({ endpointId: catalog.endpoint, date: monday, accessionNumbers: ['HRL-0006'] })
      .expect(409);
    expect(refused.body.error.code).toBe('BOOKING_CANCELLED');
    await worklist.post('/bookings/NO-SUCH/cancel').send({ reason: 'x' }).expect(404);
  });

  it('a refused order fails the mass order with its error; the orders placed before it stay and are named', async () => {
    const nextMonday = addDays(monday, 7);
    await worklist.post('/bookings').send({ ...booking('HRL-0101', 'PET1', 'WBFDG', '09:15'), startDate: nextMonday });
    await worklist
      .post('/bookings')
      .send({ ...booking('HRL-0102', 'PET1', 'FETSCAN', '11:00'), startDate: nextMonday });
    await admin
      .post(`/catalog/delivery-endpoints/${catalog.endpoint}/tracers/${catalog.fet}/revoke`)
      .send({ reason: 'FET no longer offered to Herlev' })
      .expect(200);

    const failed = await shop
      .post('/bookings/mass-order')
      .send({ endpointId: catalog.endpoint, date: nextMonday, accessionNumbers: ['HRL-0101', 'HRL-0102'] })
      .expect(422);
    expect(failed.body.error).toMatchObject({
      code: 'TRACER_NOT_PERMITTED',
      details: {
        failedOrder: { kind: 'injection', tracerId: catalog.fet, bookingIds: ['HRL-0102'] },
        placedOrders: [{ kind: 'activity', bookingIds: ['HRL-0101'], orderId: expect.any(String) }],
      },
    });
    const placed = (await store.readStream(deliveryDayStreamName(catalog.endpoint, nextMonday))).filter(
      (event) => event.type === 'OrderPlaced',
    );
    expect(placed.map((event) => (event.data as OrderPlaced['data']).order.orderId)).toEqual([
      failed.body.error.details.placedOrders[0].orderId,
    ]);
    const [ordered, notOrdered] = await Promise.all(
      ['HRL-0101', 'HRL-0102'].map((accessionNumber) =>
        store.readStream(`bookings.booking-${accessionNumber}`).then((events) => events.map((event) => event.type)),
      ),
    );
    expect(ordered).toEqual(['BookingImported', 'BookingOrdered']);
    expect(notOrdered).toEqual(['BookingImported']);
  });

  it("a token limited to a customer imports and cancels that customer's bookings only, and records no vials", async () => {
    // Given a room of each customer, a booking in the other customer's room, and a token limited to Herlev
    await production.put('/bookings/locations/LIM-HRL').send({ endpointId: catalog.endpoint }).expect(200);
    await production.put('/bookings/locations/LIM-GLO').send({ endpointId: catalog.otherEndpoint }).expect(200);
    await worklist
      .post('/bookings')
      .send(booking('LIM-GLO-1', 'LIM-GLO', 'WBFDG', '09:00'))
      .expect(200);
    const client = await admin
      .post('/identity/api-clients')
      .send({ name: 'Herlev worklist', customerIds: [catalog.customer], scopes: ['bookings', 'vials'] })
      .expect(201);
    const issued = await admin
      .post(`/identity/api-clients/${client.body.id}/tokens`)
      .send({ name: 'herlev ris' })
      .expect(201);
    const herlevFeed = as(app.server, issued.body.token);
    const eventsOf = async (accession: string) =>
      (await store.readStream(bookingStreamName(accession))).map((event) => event.type);

    // When it writes its own customer's booking, then it is imported and cancelled
    await herlevFeed
      .post('/bookings')
      .send(booking('LIM-HRL-1', 'LIM-HRL', 'WBFDG', '09:00'))
      .expect(200);
    await herlevFeed.post('/bookings/LIM-HRL-1/cancel').send({ reason: 'Study moved' }).expect(200);
    expect(await eventsOf('LIM-HRL-1')).toEqual(['BookingImported', 'BookingCancelled']);

    // When it touches the other customer's booking, then it does not exist for it, and nothing is stored
    const cancelled = await herlevFeed.post('/bookings/LIM-GLO-1/cancel').send({ reason: 'Not ours' }).expect(404);
    expect(cancelled.body.error).toMatchObject({ code: 'BOOKING_NOT_FOUND', details: { id: 'LIM-GLO-1' } });
    const taken = await herlevFeed
      .post('/bookings')
      .send(booking('LIM-GLO-1', 'LIM-HRL', 'WBFDG', '10:00'))
      .expect(404);
    expect(taken.body.error.code).toBe('BOOKING_NOT_FOUND');
    expect(await eventsOf('LIM-GLO-1')).toEqual(['BookingImported']);

    // When it imports a booking in a room that is not its customer's (mapped elsewhere, or not at all), then it is refused
    for (const room of ['LIM-GLO', 'LIM-UNMAPPED']) {
      const refused = await herlevFeed
        .post('/bookings')
        .send(booking(`LIM-NEW-${room}`, room, 'WBFDG', '11:00'))
        .expect(403);
      expect(refused.body.error).toMatchObject({ code: 'LOCATION_OUT_OF_SCOPE', details: { locationCode: room } });
      await expect(store.readStream(bookingStreamName(`LIM-NEW-${room}`))).rejects.toBeInstanceOf(StreamNotFoundError);
    }

    // When it records a vial, then it is refused: vials are the radiopharmacy's record
    const vial = {
      lot: 'FDG-260101-1',
      fillDate: monday,
      fillTime: '07:10:00',
      activityMBq: 1300,
      volumeMl: 4.2,
      dispenserNumber: 2,
    };
    const dispensed = await herlevFeed.post('/ordering/vials').send(vial).expect(403);
    expect(dispensed.body.error.code).toBe('TOKEN_LIMITED_TO_CUSTOMERS');
    const valFile = await herlevFeed.post('/ordering/vials/val-files').send({ content: 'not read' }).expect(403);
    expect(valFile.body.error.code).toBe('TOKEN_LIMITED_TO_CUSTOMERS');
    await expect(store.readStream(vialStreamName(vialIdOf('FDG-260101-1', monday, '07:10:00')))).rejects.toBeInstanceOf(
      StreamNotFoundError,
    );
    // (a token without customers, the site's integration, records it)
    await worklist.post('/ordering/vials').send(vial).expect(201);
  });
});
