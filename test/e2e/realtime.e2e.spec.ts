import { addDays, isoWeekdayOf } from '@tracershop/domain/catalog';
import type { LiveOrder, RealtimeMessage } from '@tracershop/realtime';
import {
  ADMIN,
  as,
  bootApiInstance,
  bootApp,
  INITIAL_PASSWORD,
  logIn,
  setInitialPassword,
  VERIFIED_IDENTITY,
  type BootedApiInstance,
  type BootedApp,
} from './booted-app';
import { connectRealtime, refusalOf, type RealtimeTestClient } from './realtime-client';

/** The Monday at least `weeksAhead` weeks after today: far from any deadline. */
function mondayAhead(weeksAhead: number): string {
  let date = addDays(new Date().toISOString().slice(0, 10), 7 * weeksAhead);
  while (isoWeekdayOf(date) !== 1) date = addDays(date, 1);
  return date;
}

const PASSWORD = 'chosen-Passphrase-43';

describe('realtime gateway: two api instances, topics and their authorisation', () => {
  let app: BootedApp;
  /** A second api instance on the same databases and Redis: the only one that publishes. */
  let second: BootedApiInstance;
  let urlA: string;
  let admin: ReturnType<typeof as>;
  let adminToken: string;
  const monday = mondayAhead(2);
  const ids = {} as { customer: string; otherCustomer: string; slot: string; otherSlot: string };
  const tokens = {} as { production: string; shop: string; otherShop: string; auditor: string; busy: string };
  const clients: RealtimeTestClient[] = [];

  const connect = async (credentials: Parameters<typeof connectRealtime>[1], url = urlA) => {
    const client = await connectRealtime(url, credentials);
    clients.push(client);
    return client;
  };

  async function created(path: string, body: object): Promise<string> {
    const response = await admin.post(path).send(body);
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id as string;
  }

  async function person(username: string, grant: object): Promise<string> {
    const id = await created('/identity/users', {
      username,
      printedName: `Person ${username}`,
      identityVerification: VERIFIED_IDENTITY,
    });
    await admin.post(`/identity/users/${id}/roles`).send(grant).expect(200);
    await setInitialPassword(app.server, admin, id);
    return logIn(app.server, username, INITIAL_PASSWORD, PASSWORD);
  }

  /** Places an activity order through the second instance; returns the order id and position. */
  async function order(token: string, slotId: string, activityMBq: number) {
    const response = await as(second.server, token)
      .post('/ordering/activity-orders')
      .send({ slotId, deliveryDate: monday, activityMBq });
    if (response.status !== 201) throw new Error(`order: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { id: string; position: string };
  }

  beforeAll(async () => {
    const limits = { REALTIME_CONNECTIONS_PER_MINUTE: '8', REALTIME_JOINS_PER_MINUTE: '12' };
    // Instance A never publishes: what its clients receive crossed Redis from instance B.
    app = await bootApp({ ...limits, REALTIME_PUBLISH: 'false' }, { listen: true });
    urlA = app.url as string;
    adminToken = await logIn(app.server, ADMIN.username, ADMIN.password);
    second = await bootApiInstance(app, { ...limits, REALTIME_PUBLISH: 'true', REALTIME_TAIL_INTERVAL_MS: '50' });
    admin = as(app.server, adminToken);
    const f18 = await created('/catalog/isotopes', {
      name: 'F-18',
      atomicNumber: 9,
      atomicMass: 18,
      halfLifeSeconds: 6586.2,
      metastable: false,
    });
    const tracer = await created('/catalog/tracers', {
      shortName: 'FDG',
      clinicalName: 'Fludeoxyglucose (18F)',
      isotopeId: f18,
      kind: 'activity',
      vialTag: 'FDG',
      inUse: true,
    });
    const customer = (shortName: string, dispenserNumber: number) =>
      created('/catalog/customers', {
        shortName,
        longName: `${shortName} Hospital`,
        dispenserNumber,
        overheadPercent: 10,
      });
    ids.customer = await customer('herlev', 2);
    ids.otherCustomer = await customer('glostrup', 4);
    const endpoint = await created('/catalog/delivery-endpoints', { customerId: ids.customer, name: 'PET' });
    const otherEndpoint = await created('/catalog/delivery-endpoints', { customerId: ids.otherCustomer, name: 'PET' });
    const run = await created('/catalog/production-runs', {
      tracerId: tracer,
      weekday: 1,
      productionTime: '06:00',
      runNumber: 1,
    });
    const slot = (endpointId: string, deliveryTime: string) =>
      created('/catalog/delivery-time-slots', { endpointId, productionRunId: run, deliveryTime, repeat: 'every' });
    ids.slot = await slot(endpoint, '08:00');
    ids.otherSlot = await slot(otherEndpoint, '08:15');
    for (const endpointId of [endpoint, otherEndpoint]) {
      await admin.put(`/catalog/delivery-endpoints/${endpointId}/tracers/${tracer}`).send({}).expect(200);
    }
    tokens.production = await person('paul.production', { role: 'production' });
    tokens.shop = await person('sally.shop', { role: 'shop', customerIds: [ids.customer] });
    tokens.otherShop = await person('olga.shop', { role: 'shop', customerIds: [ids.otherCustomer] });
    tokens.auditor = await person('ada.auditor', { role: 'auditor' });
    tokens.busy = await person('rita.busy', { role: 'releaser' });
  }, 60_000);

  afterAll(async () => {
    clients.forEach((client) => client.close());
    await second?.close();
    await app?.close();
  });

  it('a client of instance A receives the update of a command sent to instance B', async () => {
    const board = await connect({ token: tokens.production });
    expect(await board.join(`production-day:${monday}`)).toEqual({ ok: true, topic: `production-day:${monday}` });
    const snapshot = await board.next('production-day.snapshot');
    expect(snapshot.payload).toEqual({ date: monday, orders: [], ghosts: [] });

    const placed = await order(tokens.shop, ids.slot, 1000);
    const update = await board.next('order.updated', (message) => message.payload.order.orderId === placed.id);
    expect(update).toMatchObject({ topic: `production-day:${monday}`, position: placed.position });
    expect(update.payload.order).toMatchObject<Partial<LiveOrder>>({
      customerId: ids.customer,
      deliveryDate: monday,
      status: 'ordered',
      statusCode: 1,
      activityMBq: 1000,
      servedMBq: 1100,
      moved: false,
    });
  });

  it('a shop user receives its own customer’s orders and never another’s', async () => {
    const sally = await connect({ token: tokens.shop });
    const olga = await connect({ token: tokens.otherShop });
    const board = await connect({ token: tokens.production });
    expect(await sally.join(`customer:${ids.customer}`)).toMatchObject({ ok: true });
    expect(await olga.join(`customer:${ids.otherCustomer}`)).toMatchObject({ ok: true });
    expect(await board.join(`production-day:${monday}`)).toMatchObject({ ok: true });
    for (const topic of [`customer:${ids.otherCustomer}`, `production-day:${monday}`, 'projection-status']) {
      expect(await sally.join(topic)).toMatchObject({ ok: false, topic, error: { code: 'UNAUTHORISED_TOPIC' } });
    }
    await sally.next('customer.snapshot');
    await olga.next('customer.snapshot');

    const own = await order(tokens.shop, ids.slot, 200);
    const others = await order(tokens.otherShop, ids.otherSlot, 300);
    // The board sees both; messages reach each instance's sockets in log order, so by then the
    // shop users have had everything they will ever get of these two orders.
    await board.count(
      (message) =>
        message.type === 'order.updated' &&
        [own.id, others.id].includes((message as RealtimeMessage<'order.updated'>).payload.order.orderId),
      2,
    );
    await sally.next('order.updated', (message) => message.payload.order.orderId === own.id);
    await olga.next('order.updated', (message) => message.payload.order.orderId === others.id);

    const customersIn = (message: RealtimeMessage): string[] => {
      const payload = message.payload as { order?: LiveOrder; orders?: LiveOrder[]; customerId?: string };
      return [
        ...(payload.order ? [payload.order.customerId] : []),
        ...(payload.orders ?? []).map((row) => row.customerId),
        ...(payload.customerId ? [payload.customerId] : []),
      ];
    };
    expect(sally.messages.every((message) => message.topic === `customer:${ids.customer}`)).toBe(true);
    expect(new Set(sally.messages.flatMap(customersIn))).toEqual(new Set([ids.customer]));
    expect(new Set(olga.messages.flatMap(customersIn))).toEqual(new Set([ids.otherCustomer]));
    const snapshot = sally.messages.find((message) => message.type === 'customer.snapshot');
    expect((snapshot?.payload as { orders: LiveOrder[] }).orders.length).toBeGreaterThan(0);
  });

  it('refuses connections without valid credentials and joins it cannot serve, saying why', async () => {
    expect(await refusalOf(urlA, {})).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await refusalOf(urlA, { token: 'not-a-token-at-all' })).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(await refusalOf(urlA, { bearer: `${adminToken.slice(0, -4)}AAAA` })).toHaveProperty('code');

    // The session cookie authenticates as for HTTP.
    const root = await connect({ cookie: adminToken });
    const refusals: Array<[string, string | undefined, string]> = [
      ['weather:today', undefined, 'UNKNOWN_TOPIC'],
      ['production-day:2026-02-30', undefined, 'UNKNOWN_TOPIC'],
      [`production-day:${monday}`, 'yesterday', 'INVALID_POSITION'],
    ];
    for (const [topic, fromPosition, code] of refusals) {
      expect(await root.join(topic, fromPosition)).toMatchObject({ ok: false, error: { code } });
    }
    expect(await root.join('order-session:table-7')).toMatchObject({ ok: true });
    expect(await root.next('order-session.snapshot')).toMatchObject({ payload: { sessionId: 'table-7', state: null } });
    expect(await root.join('job:sim-1')).toMatchObject({ ok: true });
    expect(await root.next('job.snapshot')).toMatchObject({ payload: { jobId: 'sim-1', state: null } });
    expect(await root.join('projection-status')).toMatchObject({ ok: true });
    const status = await root.next('projection-status.snapshot');
    expect(status.payload.projections.map((projection) => projection.name)).toContain('live.dashboards');

    const auditor = await connect({ bearer: tokens.auditor });
    expect(await auditor.join('projection-status')).toMatchObject({ ok: false, error: { code: 'UNAUTHORISED_TOPIC' } });
    expect(await auditor.join('order-session:table-7')).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHORISED_TOPIC' },
    });
  });

  it('a session that ends (logout) stops receiving: its socket is disconnected', async () => {
    const session = await logIn(app.server, 'paul.production', PASSWORD);
    const ending = await connect({ token: session });
    const staying = await connect({ token: tokens.production });
    expect(await ending.join(`production-day:${monday}`)).toMatchObject({ ok: true });
    await as(second.server, session).post('/auth/logout').expect(204);
    expect(await ending.disconnected()).toBe('io server disconnect');
    expect(staying.socket.connected).toBe(true);
    expect(await refusalOf(urlA, { token: session })).toMatchObject({ code: 'SESSION_ENDED' });
  });

  it('limits connections and joins per user', async () => {
    // Twelve joins and eight connections a minute (this suite's settings).
    const first = await connect({ token: tokens.busy });
    const replies = [];
    for (let i = 0; i < 13; i++) replies.push(await first.join(`production-day:${monday}`));
    expect(replies.filter((reply) => reply.ok)).toHaveLength(12);
    expect(replies.at(-1)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    // Counted across instances: the second instance refuses the thirteenth join too.
    const elsewhere = await connect({ token: tokens.busy }, second.url);
    expect(await elsewhere.join(`production-day:${monday}`)).toMatchObject({ error: { code: 'RATE_LIMITED' } });

    for (let i = 0; i < 6; i++) await connect({ token: tokens.busy });
    expect(await refusalOf(urlA, { token: tokens.busy })).toMatchObject({ code: 'RATE_LIMITED' });
    // Other users are not affected.
    expect(await (await connect({ token: tokens.auditor })).join(`production-day:${monday}`)).toMatchObject({
      ok: true,
    });
  });
});
