import { CommandBus } from '@nestjs/cqrs';
import type { BookingCommand } from '@tracershop/domain/bookings';
import { addDays } from '@tracershop/domain/catalog';
import { deliveryDayStreamName, type OrderPlaced } from '@tracershop/domain/ordering';
import type { EventStore } from '@tracershop/event-store';
import { EVENT_STORE, ExecuteDomainCommand } from '@tracershop/platform';
import {
  ADMIN,
  as,
  bootApp,
  createPerson,
  fdgCatalogue,
  logIn,
  monday as mondayIn,
  type BootedApp,
} from '../../../../test/e2e/booted-app';

/**
 * The order made from a worklist booking follows the booking: the worklist changing or cancelling
 * an ordered study leaves its order in force and says so on the booking; while that order is in
 * force the study is not ordered again, on any day; once it is withdrawn, it is.
 */
describe('a booking is ordered once while its order is in force', () => {
  let app: BootedApp;
  let store: EventStore;
  let worklist: ReturnType<typeof as>;
  let shop: ReturnType<typeof as>;
  let shopAdmin: ReturnType<typeof as>;
  const monday = mondayIn(3);
  const nextMonday = addDays(monday, 7);
  let endpoint: string;

  const study = (accessionNumber: string, startTime: string, startDate = monday) => ({
    accessionNumber,
    locationCode: 'PET1',
    procedureCode: 'WBFDG',
    startDate,
    startTime,
  });
  const massOrder = (date: string, accessionNumbers: string[]) =>
    shop.post('/bookings/mass-order').send({ endpointId: endpoint, date, accessionNumbers });
  const ordersOfDay = async (date: string) =>
    (await store.readStream(deliveryDayStreamName(endpoint, date)).catch(() => []))
      .filter((event) => event.type === 'OrderPlaced')
      .map((event) => (event.data as OrderPlaced['data']).order);
  const bookingRead = (accessionNumber: string, minPosition: string) =>
    shop.get(`/bookings/${encodeURIComponent(accessionNumber)}`).query({ minPosition });

  beforeAll(async () => {
    app = await bootApp({ MIN_POSITION_TIMEOUT_MS: '3000' });
    store = app.api.get<EventStore>(EVENT_STORE);
    const admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    const catalogue = await fdgCatalogue(admin, { weekday: 1, overheadPercent: 10 });
    endpoint = catalogue.endpoint;
    const production = (await createPerson(app.server, admin, 'paul.production', { role: 'production' })).client;
    shop = (await createPerson(app.server, admin, 'sally.shop', { role: 'shop', customerIds: [catalogue.customer] }))
      .client;
    shopAdmin = (
      await createPerson(app.server, admin, 'sam.shopadmin', { role: 'shop-admin', customerIds: [catalogue.customer] })
    ).client;
    await production.put('/bookings/locations/PET1').send({ endpointId: endpoint }).expect(200);
    await production
      .put(`/bookings/procedures/WBFDG/endpoints/${endpoint}`)
      .send({ tracerId: catalogue.fdg, tracerUnits: 300, delayMinutes: 60, isPet: true })
      .expect(200);
    const client = await admin
      .post('/identity/api-clients')
      .send({ name: 'Worklist feed', scopes: ['bookings'] })
      .expect(201);
    const issued = await admin.post(`/identity/api-clients/${client.body.id}/tokens`).send({ name: 'ris' }).expect(201);
    worklist = as(app.server, issued.body.token);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
  });

  it('regression: a study moved to another day after ordering keeps its order and is not ordered twice', async () => {
    // Given B-1 mass-ordered for Monday
    await worklist.post('/bookings').send(study('B-1', '09:00')).expect(200);
    const first = await massOrder(monday, ['B-1']).expect(200);
    const [order] = first.body.orders;

    // When the worklist moves the study to the next Monday
    const moved = await worklist
      .post('/bookings')
      .send(study('B-1', '09:00', nextMonday))
      .expect(200);

    // Then the booking keeps its order and says it no longer matches it
    const read = await bookingRead('B-1', moved.body.position).expect(200);
    expect(read.body).toMatchObject({
      status: 'changed-after-order',
      startDate: nextMonday,
      order: { orderId: order.orderId, endpointId: endpoint, date: monday, withdrawn: null },
    });
    const listed = await shop
      .get('/bookings')
      .query({ endpointId: endpoint, status: 'changed-after-order', minPosition: moved.body.position })
      .expect(200);
    expect(listed.body.items.map((item: { accessionNumber: string }) => item.accessionNumber)).toEqual(['B-1']);

    // And mass-ordering its new day is refused while the Monday order is in force
    const twice = await massOrder(nextMonday, ['B-1']).expect(409);
    expect(twice.body.error).toMatchObject({
      code: 'BOOKING_ALREADY_ORDERED',
      details: { accessionNumber: 'B-1', orderId: order.orderId, orderDate: monday, status: 'changed-after-order' },
    });
    expect((await ordersOfDay(nextMonday)).filter((placed) => placed.bookingIds.includes('C-1'))).toEqual([]);

    // When the shop admin withdraws the Monday order, then the study is ordered for its new day
    const withdrawn = await shopAdmin
      .post(`/ordering/orders/${order.orderId}/cancel`)
      .send({ reason: 'Study moved to the next Monday in the RIS' })
      .expect(200);
    expect((await bookingRead('B-1', withdrawn.body.position).expect(200)).body).toMatchObject({
      status: 'initial',
      order: { orderId: order.orderId, withdrawn: 'cancelled' },
    });
    const again = await massOrder(nextMonday, ['B-1']).expect(200);
    expect(again.body.ordered).toEqual(['B-1']);
    expect((await bookingRead('B-1', again.body.position).expect(200)).body).toMatchObject({
      status: 'ordered',
      order: { orderId: again.body.orders[0].orderId, date: nextMonday, withdrawn: null },
    });
  });

  it('regression: a study rescheduled the same day after ordering is flagged, and not ordered again beside its order', async () => {
    // Given B2-1 (12:00) ordered for the 08:00 slot
    await worklist.post('/bookings').send(study('B2-1', '12:00')).expect(200);
    const first = await massOrder(monday, ['B2-1']).expect(200);
    const [order] = first.body.orders;

    // When the worklist moves it to 08:30
    const changed = await worklist.post('/bookings').send(study('B2-1', '08:30')).expect(200);
    expect(changed.body.events).toEqual(['BookingUpdated']);

    // Then it reads changed after its order, and a new mass order names that order instead of placing another
    expect((await bookingRead('B2-1', changed.body.position).expect(200)).body).toMatchObject({
      status: 'changed-after-order',
      startTime: '08:30',
      order: { orderId: order.orderId, withdrawn: null },
    });
    const again = await massOrder(monday, ['B2-1']).expect(409);
    expect(again.body.error).toMatchObject({
      code: 'BOOKING_ALREADY_ORDERED',
      details: { accessionNumber: 'B2-1', orderId: order.orderId, status: 'changed-after-order' },
    });

    // And the same with a cancellation: the order stays named, the study is not orderable
    const cancelled = await worklist.post('/bookings/B2-1/cancel').send({ reason: 'ORC-1 CA' }).expect(200);
    expect((await bookingRead('B2-1', cancelled.body.position).expect(200)).body).toMatchObject({
      status: 'cancelled-after-order',
      order: { orderId: order.orderId, withdrawn: null },
    });
    const refused = await massOrder(monday, ['B2-1']).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'BOOKING_CANCELLED', details: { orderId: order.orderId } });
  });

  it('regression: the bookings of a withdrawn order are ordered again in a new grouping', async () => {
    // Given ordered together, the worklist cancelling A-2, and the shop admin withdrawing the order
    await worklist.post('/bookings').send(study('A-1', '09:00')).expect(200);
    await worklist.post('/bookings').send(study('A-2', '09:30')).expect(200);
    const first = await massOrder(monday, ['A-1', 'A-2']).expect(200);
    const [order] = first.body.orders;
    await worklist.post('/bookings/A-2/cancel').send({ reason: 'ORC-1 CA' }).expect(200);
    const withdrawn = await shopAdmin
      .post(`/ordering/orders/${order.orderId}/cancel`)
      .send({ reason: 'A-2 cancelled in the RIS' })
      .expect(200);
    expect((await bookingRead('A-1', withdrawn.body.position).expect(200)).body).toMatchObject({
      status: 'initial',
      order: { orderId: order.orderId, withdrawn: 'cancelled' },
    });
    expect((await bookingRead('A-2', withdrawn.body.position).expect(200)).body).toMatchObject({
      status: 'cancelled',
    });

    // When the shop mass-orders A-1 alone; then a new order covers it
    const again = await massOrder(monday, ['A-1']).expect(200);
    expect(again.body.orders).toEqual([expect.objectContaining({ bookingIds: ['A-1'], events: ['OrderPlaced'] })]);
    expect(again.body.orders[0].orderId).not.toBe(order.orderId);
    expect((await bookingRead('A-1', again.body.position).expect(200)).body).toMatchObject({
      status: 'ordered',
      order: { orderId: again.body.orders[0].orderId, withdrawn: null },
    });
    // And repeating it orders nothing twice
    const repeated = await massOrder(monday, ['A-1']).expect(200);
    expect(repeated.body.orders).toEqual([
      expect.objectContaining({ orderId: again.body.orders[0].orderId, events: [] }),
    ]);
  });

  it('regression: a booking moved to another day between the plan and the marking names its order and is not ordered twice', async () => {
    // Given C-1 (Monday 09:00); the worklist moves it to next Monday while its mass order places the order
    await worklist.post('/bookings').send(study('C-1', '09:00')).expect(200);
    const bus = app.api.get(CommandBus);
    const execute = bus.execute.bind(bus);
    const racing = jest.spyOn(bus, 'execute').mockImplementation(async (command) => {
      const sent = command instanceof ExecuteDomainCommand ? (command.command as BookingCommand) : null;
      if (sent?.type === 'MarkBookingOrdered' && sent.accessionNumber === 'C-1') {
        racing.mockRestore();
        await worklist
          .post('/bookings')
          .send(study('C-1', '09:00', nextMonday))
          .expect(200);
      }
      return execute(command);
    });

    // When the shop mass-orders C-1 for Monday
    const raced = await massOrder(monday, ['C-1']).expect(200);
    const [order] = raced.body.orders;

    // Then C-1 names the order made from its old day and says it no longer matches it
    expect((await bookingRead('C-1', raced.body.position).expect(200)).body).toMatchObject({
      status: 'changed-after-order',
      startDate: nextMonday,
      order: { orderId: order.orderId, date: monday, withdrawn: null },
    });
    // And mass-ordering its new day is refused, naming that order
    const twice = await massOrder(nextMonday, ['C-1']).expect(409);
    expect(twice.body.error).toMatchObject({
      code: 'BOOKING_ALREADY_ORDERED',
      details: { accessionNumber: 'C-1', orderId: order.orderId, orderDate: monday, status: 'changed-after-order' },
    });
    expect((await ordersOfDay(nextMonday)).filter((placed) => placed.bookingIds.includes('C-1'))).toEqual([]);
  });
});
