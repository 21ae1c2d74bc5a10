import { bookingStreamName } from '@tracershop/domain/bookings';
import { vialIdOf, vialStreamName } from '@tracershop/domain/ordering';
import { StreamNotFoundError, type EventStore, type RecordedEvent } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { addDays } from '@tracershop/domain/catalog';
import { SESSION_COOKIE } from '../../apps/api/src/identity/session-cookie';
import {
  ADMIN,
  as,
  bootApp,
  createPerson,
  fdgCatalogue,
  logIn,
  monday as mondayOf,
  PERSON_PASSWORD,
  type BootedApp,
} from './booted-app';
import { shapeMismatches, type OpenApiDocument } from './documented-shape';

/**
 * Regressions of reviewed defects in ordering and bookings: each test is named after what the
 * defect broke, so a failure points at its story.
 */
describe('ordering and bookings: reviewed defects stay fixed', () => {
  let app: BootedApp;
  let store: EventStore;
  let admin: ReturnType<typeof as>;
  let shop: ReturnType<typeof as>;
  let otherShop: ReturnType<typeof as>;
  let production: ReturnType<typeof as>;
  let releaser: ReturnType<typeof as>;
  let dispenser: ReturnType<typeof as>;
  const monday = mondayOf(3);
  const catalog = {} as {
    fdg: string;
    fet: string;
    customer: string;
    endpoint: string;
    slotId: string;
    otherCustomer: string;
    otherEndpoint: string;
  };
  const releaserCredentials = { username: 'rita.releaser', password: PERSON_PASSWORD };

  async function created(path: string, body: object): Promise<string> {
    const response = await admin.post(path).send(body);
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id as string;
  }

  /** What the store recorded after `head` (everything when null). */
  async function writtenSince(head: Awaited<ReturnType<EventStore['headPosition']>>): Promise<RecordedEvent[]> {
    return store.readAll(head === null ? {} : { fromPosition: head });
  }

  const person = (username: string, grant: object) => createPerson(app.server, admin, username, grant);

  beforeAll(async () => {
    app = await bootApp({ MIN_POSITION_TIMEOUT_MS: '2000' });
    store = app.api.get<EventStore>(EVENT_STORE);
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    const fdg = await fdgCatalogue(admin, { weekday: 1 });
    Object.assign(catalog, { fdg: fdg.fdg, customer: fdg.customer, endpoint: fdg.endpoint, slotId: fdg.slotId });
    const minPosition = (await store.headPosition())?.toString();
    const isotopes = await admin.get('/catalog/isotopes').query({ minPosition }).expect(200);
    const [f18] = isotopes.body.items as Array<{ id: string }>;
    catalog.fet = await created('/catalog/tracers', {
      shortName: 'FET',
      clinicalName: 'Fluoroethyltyrosine (18F)',
      isotopeId: f18?.id,
      kind: 'injection',
      vialTag: 'FET',
      inUse: true,
    });
    catalog.otherCustomer = await created('/catalog/customers', {
      shortName: 'glostrup',
      longName: 'Glostrup Hospital',
      dispenserNumber: 4,
      overheadPercent: 0,
    });
    catalog.otherEndpoint = await created('/catalog/delivery-endpoints', {
      customerId: catalog.otherCustomer,
      name: 'PET',
    });
    for (const endpointId of [catalog.endpoint, catalog.otherEndpoint]) {
      await admin.put(`/catalog/delivery-endpoints/${endpointId}/tracers/${catalog.fet}`).send({}).expect(200);
    }
    shop = (await person('sally.shop', { role: 'shop', customerIds: [catalog.customer] })).client;
    otherShop = (await person('olga.shop', { role: 'shop', customerIds: [catalog.otherCustomer] })).client;
    production = (await person('paul.production', { role: 'production' })).client;
    const rita = await person(releaserCredentials.username, { role: 'releaser' });
    releaser = rita.client;
    await admin.post(`/identity/users/${rita.id}/release-rights`).send({ tracerId: catalog.fet }).expect(200);
    const client = await admin
      .post('/identity/api-clients')
      .send({ name: 'Dispenser PC', scopes: ['vials', 'bookings'] })
      .expect(201);
    const issued = await admin.post(`/identity/api-clients/${client.body.id}/tokens`).send({ name: 'hot lab' });
    dispenser = as(app.server, issued.body.token as string);
  }, 90_000);

  afterAll(async () => {
    await app?.close();
  });

  const injectionOrder = (client: ReturnType<typeof as>, endpointId: string, extra: object = {}) =>
    client.post('/ordering/injection-orders').send({
      endpointId,
      tracerId: catalog.fet,
      deliveryDate: monday,
      deliveryTime: '11:15',
      injections: 2,
      usage: 'human',
      ...extra,
    });

  /** The fields a 400 names, from `{ error: { details: { fields } } }`. */
  const refusedFields = (body: { error?: { details?: { fields?: Array<{ field: string }> } } }) =>
    (body.error?.details?.fields ?? []).map((problem) => problem.field);

  describe('impossible calendar dates (2026-02-30 answered 500)', () => {
    it('given an impossible date, when the day board is read, then 400 VALIDATION_FAILED names the date', async () => {
      for (const date of ['2026-02-30', '2026-13-01', '2026-02-29']) {
        const board = await production.get('/ordering/day-board').query({ date, tracerId: catalog.fdg });
        expect({ date, status: board.status, code: board.body.error?.code }).toEqual({
          date,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
        expect(refusedFields(board.body)).toEqual(['date']);
      }
    });

    it('given impossible dates, when orders, releases, vials and bookings name them, then 400 and nothing is written', async () => {
      const head = await store.headPosition();
      const impossible = '2026-02-30';
      const calls: Array<[string, () => Promise<{ status: number; body: unknown }>, string]> = [
        [
          'activity order',
          () =>
            shop
              .post('/ordering/activity-orders')
              .send({ slotId: catalog.slotId, deliveryDate: impossible, activityMBq: 100 }),
          'deliveryDate',
        ],
        ['injection order', () => injectionOrder(shop, catalog.endpoint, { deliveryDate: impossible }), 'deliveryDate'],
        [
          'activity release',
          () =>
            releaser.post('/ordering/releases/activity').send({
              slotId: catalog.slotId,
              deliveryDate: impossible,
              orderIds: ['o-1'],
              vialIds: ['v-1'],
              signature: releaserCredentials,
            }),
          'deliveryDate',
        ],
        [
          'injection release',
          () =>
            releaser.post('/ordering/releases/injection').send({
              endpointId: catalog.endpoint,
              deliveryDate: impossible,
              orderIds: ['o-1'],
              lot: 'FET-260302-1',
              signature: releaserCredentials,
            }),
          'deliveryDate',
        ],
        [
          'vial typed in',
          () =>
            production.post('/ordering/vials').send({
              lot: 'FDG-260302-1',
              fillDate: impossible,
              fillTime: '07:10:00',
              activityMBq: 1300,
              volumeMl: 4.2,
              dispenserNumber: 2,
              reason: 'Typed in',
            }),
          'fillDate',
        ],
        ['order list', () => shop.get('/ordering/orders').query({ deliveryDate: impossible }), 'deliveryDate'],
        ['order list from', () => shop.get('/ordering/orders').query({ from: impossible }), 'from'],
        ['order list to', () => shop.get('/ordering/orders').query({ to: '2026-04-31' }), 'to'],
        ['vial list', () => production.get('/ordering/vials').query({ fillDate: impossible }), 'fillDate'],
        [
          'booking list',
          () => production.get('/bookings').query({ date: impossible, endpointId: catalog.endpoint }),
          'date',
        ],
        [
          'booking import',
          () =>
            dispenser.post('/bookings').send({
              accessionNumber: 'IMPOSSIBLE-1',
              locationCode: 'PET1',
              procedureCode: 'WBFDG',
              startDate: impossible,
              startTime: '09:15',
            }),
          'startDate',
        ],
        [
          'mass order',
          () =>
            shop
              .post('/bookings/mass-order')
              .send({ endpointId: catalog.endpoint, date: impossible, accessionNumbers: [] }),
          'date',
        ],
      ];
      const answers = [];
      for (const [what, call, field] of calls) {
        const response = await call();
        const body = response.body as { error?: { code?: string; details?: { fields?: Array<{ field: string }> } } };
        answers.push({ what, status: response.status, code: body.error?.code, fields: refusedFields(body) });
        expect(answers.at(-1)).toEqual({ what, status: 400, code: 'VALIDATION_FAILED', fields: [field] });
      }
      expect((await writtenSince(head)).map((event) => event.type)).toEqual([]);
    });
  });

  describe('non-ASCII vial lookups (answered 500: a UTF-8 parameter against ASCII columns)', () => {
    it('given a lot that is no lot number, when vials are listed by it, then 400 names the lot', async () => {
      for (const lot of ['é', 'FDG 260302 1', 'F'.repeat(21)]) {
        const listed = await production.get('/ordering/vials').query({ lot });
        expect({ lot, status: listed.status, code: listed.body.error?.code }).toEqual({
          lot,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
        expect(refusedFields(listed.body)).toEqual(['lot']);
      }
      await production.get('/ordering/vials').query({ lot: 'FDG:260302:1' }).expect(200);
    });

    it('given a vial id no vial can have, when it is read, then 404 VIAL_NOT_FOUND as for an unknown vial', async () => {
      const unknown = await production.get(`/ordering/vials/${encodeURIComponent('FDG-260302-9@2026-03-02T07:00:00')}`);
      expect(unknown.status).toBe(404);
      // (an id longer than Fastify's 100-character parameter limit is answered 414 before any route)
      for (const id of ['中', 'FDG-260302-1@2026-03-02T07:00:00é', 'FDG 260302 1@2026-03-02T07:00:00']) {
        const read = await production.get(`/ordering/vials/${encodeURIComponent(id)}`);
        expect({ id, status: read.status, code: read.body.error?.code }).toEqual({
          id,
          status: 404,
          code: 'VIAL_NOT_FOUND',
        });
      }
    });
  });

  describe('machine sources claimed for what a person sent (VAL files, worklist bookings)', () => {
    const ddmmyy = (date: string) => `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(2, 4)}`;
    const valFile = (lot: string) =>
      [
        'customer:   2-herlev',
        `charge:     ${lot}`,
        'depotpos:   0',
        `filldate:   ${ddmmyy(monday)}`,
        'filltime:   07:12:30',
        'activity:   600 MBq;',
        'volume:     2.5 ml',
        'product:    18F-FDG',
      ].join('\r\n');
    const firstEventOf = async (stream: string) => (await store.readStream(stream))[0];

    it('given a person, when a VAL file is uploaded without a reason, then 422 FIELD_REQUIRED and no vial', async () => {
      const refused = await production
        .post('/ordering/vials/val-files')
        .send({ fileName: 'VAL.0001', content: valFile('FDG:261123:31') });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ code: 'FIELD_REQUIRED', details: { field: 'reason' } });
      await expect(
        store.readStream(vialStreamName(vialIdOf('FDG-261123-31', monday, '07:12:30'))),
      ).rejects.toBeInstanceOf(StreamNotFoundError);
    });

    it('given a person, when a VAL file is uploaded with a reason, then it is recorded as their upload, not the dispenser’s', async () => {
      const uploaded = await production
        .post('/ordering/vials/val-files')
        .send({ fileName: 'VAL.0002', content: valFile('FDG:261123:32'), reason: 'Dispenser PC offline' })
        .expect(201);
      const dispensed = await firstEventOf(vialStreamName(uploaded.body.id as string));
      expect(dispensed?.metadata).toMatchObject({
        actor: { kind: 'user' },
        reason: 'Dispenser PC offline',
        source: { system: 'upload', table: 'VAL-file', primaryKey: 'VAL.0002' },
      });
    });

    it('given the dispenser’s token, when it sends a VAL file, then the dispenser is the source and no reason is asked', async () => {
      const sent = await dispenser
        .post('/ordering/vials/val-files')
        .send({ fileName: 'VAL.0003', content: valFile('FDG:261123:33') })
        .expect(201);
      const dispensed = await firstEventOf(vialStreamName(sent.body.id as string));
      expect(dispensed?.metadata).toMatchObject({
        actor: { kind: 'application' },
        source: { system: 'dispenser', table: 'VAL-file', primaryKey: 'VAL.0003' },
      });
      expect(dispensed?.metadata.reason).toBeUndefined();
    });

    const booking = (accessionNumber: string) => ({
      accessionNumber,
      locationCode: 'PET1',
      procedureCode: 'WBFDG',
      startDate: monday,
      startTime: '09:15',
    });

    it('given a person, when a booking is imported by hand without a reason, then 422 FIELD_REQUIRED and no booking', async () => {
      const refused = await production.post('/bookings').send(booking('BYHAND-1'));
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ code: 'FIELD_REQUIRED', details: { field: 'reason' } });
      await expect(store.readStream(bookingStreamName('BYHAND-1'))).rejects.toBeInstanceOf(StreamNotFoundError);
    });

    it('given a person, when a booking is imported or cancelled by hand with a reason, then it is theirs, not the worklist’s', async () => {
      await production
        .post('/bookings')
        .send({ ...booking('BYHAND-2'), reason: 'RIS down: typed from the paper list' })
        .expect(200);
      await production.post('/bookings/BYHAND-2/cancel').send({ reason: 'Patient phoned in ill' }).expect(200);
      const [imported, cancelled] = await store.readStream(bookingStreamName('BYHAND-2'));
      expect(imported?.metadata).toMatchObject({
        actor: { kind: 'user' },
        reason: 'RIS down: typed from the paper list',
      });
      expect(imported?.metadata.source).toBeUndefined();
      expect(imported?.data).not.toHaveProperty('reason');
      expect(cancelled?.metadata).toMatchObject({ actor: { kind: 'user' }, reason: 'Patient phoned in ill' });
      expect(cancelled?.metadata.source).toBeUndefined();
    });

    it('given the worklist’s token, when it imports a booking, then the worklist is the source', async () => {
      await dispenser.post('/bookings').send(booking('FEED-1')).expect(200);
      const [imported] = await store.readStream(bookingStreamName('FEED-1'));
      expect(imported?.metadata).toMatchObject({
        actor: { kind: 'application' },
        source: { system: 'hospital-worklist', table: 'ORM^O01', primaryKey: 'FEED-1' },
      });
    });
  });

  describe('an injection release signed before its input was checked (403 NO_RELEASE_RIGHT, a failed signature recorded)', () => {
    it('given an order id the day does not hold, when injection orders are released, then 404 ORDER_NOT_FOUND and nothing is recorded', async () => {
      const placed = await injectionOrder(shop, catalog.endpoint).expect(201);
      await production.post(`/ordering/orders/${placed.body.id}/accept`).expect(200);
      const head = await store.headPosition();
      for (const orderIds of [['no-such-order'], [placed.body.id as string, 'no-such-order']]) {
        const refused = await releaser.post('/ordering/releases/injection').send({
          endpointId: catalog.endpoint,
          deliveryDate: monday,
          orderIds,
          lot: 'FET-260302-1',
          signature: releaserCredentials,
        });
        expect({ status: refused.status, code: refused.body.error?.code }).toEqual({
          status: 404,
          code: 'ORDER_NOT_FOUND',
        });
      }
      expect((await writtenSince(head)).map((event) => event.type)).toEqual([]);
    });
  });

  describe('an order or vial named twice in one release', () => {
    it('given the same order twice, when injection orders are released, then 400 names orderIds and nothing is recorded', async () => {
      const head = await store.headPosition();
      const refused = await releaser.post('/ordering/releases/injection').send({
        endpointId: catalog.endpoint,
        deliveryDate: monday,
        orderIds: ['o-1', 'o-1'],
        lot: 'FET-260302-1',
        signature: releaserCredentials,
      });
      expect(refused.status).toBe(400);
      expect(refusedFields(refused.body)).toEqual(['orderIds']);
      const activity = await releaser.post('/ordering/releases/activity').send({
        slotId: catalog.slotId,
        deliveryDate: monday,
        orderIds: ['o-1', 'o-1'],
        vialIds: ['v-1', 'v-1'],
        signature: releaserCredentials,
      });
      expect(activity.status).toBe(400);
      expect(refusedFields(activity.body)).toEqual(['orderIds', 'vialIds']);
      expect((await writtenSince(head)).map((event) => event.type)).toEqual([]);
    });
  });

  describe('a chosen order id held by another customer', () => {
    it('given an id on another customer’s day, when a shop member chooses it, then the answer is the one for its own other day', async () => {
      const id = 'client-chosen-order-1';
      await injectionOrder(shop, catalog.endpoint, { id }).expect(201);
      const ownOtherDay = await injectionOrder(shop, catalog.endpoint, { id, deliveryDate: addDays(monday, 7) });
      const otherCustomers = await injectionOrder(otherShop, catalog.otherEndpoint, { id });
      expect(ownOtherDay.status).toBe(409);
      expect({ status: otherCustomers.status, body: otherCustomers.body }).toEqual({
        status: ownOtherDay.status,
        body: ownOtherDay.body,
      });
      expect(JSON.stringify(otherCustomers.body)).not.toMatch(new RegExp(`${catalog.endpoint}|${monday}|herlev`, 'i'));
    });
  });

  describe('a deadline override reason from the shop (recorded, though it overrode nothing)', () => {
    it('given a shop member, when an order is placed or changed with a deadline override reason, then 400 and nothing is recorded', async () => {
      const placed = await injectionOrder(shop, catalog.endpoint).expect(201);
      const head = await store.headPosition();
      const answers = [
        await injectionOrder(shop, catalog.endpoint, { deadlineOverrideReason: 'Urgent' }),
        await shop
          .post('/ordering/activity-orders')
          .send({ slotId: catalog.slotId, deliveryDate: monday, activityMBq: 100, deadlineOverrideReason: 'Urgent' }),
        await shop
          .patch(`/ordering/injection-orders/${placed.body.id}`)
          .send({ injections: 3, deadlineOverrideReason: 'Urgent' }),
      ];
      for (const answer of answers) {
        expect({ status: answer.status, error: answer.body.error }).toEqual({
          status: 400,
          error: {
            code: 'DEADLINE_OVERRIDE_PRODUCTION_ONLY',
            message: expect.any(String),
            details: { field: 'deadlineOverrideReason' },
          },
        });
      }
      expect((await writtenSince(head)).map((event) => event.type)).toEqual([]);
      // Production still overrides, and an order changed in time without one is fine for the shop
      await shop.patch(`/ordering/injection-orders/${placed.body.id}`).send({ injections: 3 }).expect(200);
    });
  });

  describe('the OpenAPI document (a mass order’s slot id documented as a number; no auth or error body)', () => {
    let openApi: OpenApiDocument & {
      components: {
        securitySchemes?: Record<string, Record<string, unknown>>;
        schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }>;
      };
      paths: Record<string, Record<string, { security?: unknown[]; responses?: Record<string, unknown> }>>;
    };

    beforeAll(async () => {
      openApi = (await admin.get('/docs/openapi.json').expect(200)).body as typeof openApi;
    });

    it('given the document, then it names bearer tokens and the session cookie, and every protected route requires one', () => {
      expect(openApi.components.securitySchemes).toEqual({
        bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
        session: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: SESSION_COOKIE }),
      });
      const either = [{ bearer: [] }, { session: [] }];
      expect(openApi.paths['/ordering/releases/injection']?.post?.security).toEqual(either);
      expect(openApi.paths['/bookings/mass-order']?.post?.security).toEqual(either);
      expect(openApi.paths['/auth/login']?.post?.security ?? []).toEqual([]);
    });

    it('given any route, then its 4xx answers are documented as the one error body, and a real one fits it', async () => {
      const missing = Object.entries(openApi.paths).flatMap(([path, operations]) =>
        Object.entries(operations)
          .filter(([, operation]) => !JSON.stringify(operation.responses?.['4XX'] ?? {}).includes('ErrorResponseDto'))
          .map(([method]) => `${method} ${path}`),
      );
      expect(missing).toEqual([]);
      const refused = await production.get('/ordering/day-board').query({ date: 'x', tracerId: catalog.fdg });
      expect(refused.status).toBe(400);
      expect(shapeMismatches(openApi, 'ErrorResponseDto', refused.body)).toEqual([]);
    });

    it('given the ordering DTOs, then their fields document the patterns and ranges the server checks', () => {
      const props = (schema: string) => openApi.components.schemas[schema]?.properties ?? {};
      expect(props('MassOrderPlacedOrderDto').slotId).toMatchObject({ type: 'string', nullable: true });
      expect(props('PlaceActivityOrderDto')).toMatchObject({
        slotId: { pattern: expect.any(String) },
        deliveryDate: { format: 'date', pattern: expect.any(String) },
        activityMBq: { minimum: 0.01, maximum: 1_000_000 },
      });
      expect(props('PlaceInjectionOrderDto')).toMatchObject({
        deliveryDate: { format: 'date' },
        deliveryTime: { pattern: expect.any(String) },
        injections: { type: 'integer', minimum: 1, maximum: 127 },
      });
      expect(props('ReleaseInjectionOrdersDto').orderIds).toMatchObject({
        minItems: 1,
        maxItems: 200,
        uniqueItems: true,
      });
      expect(props('ReleaseSlotDto')).toMatchObject({
        slotId: { pattern: expect.any(String) },
        orderIds: { minItems: 1, maxItems: 200, uniqueItems: true },
        vialIds: { minItems: 1, maxItems: 50, uniqueItems: true },
      });
    });
  });

  // Stops the projector: keep it last.
  describe('a shop member telling another customer’s order from none by the answer when the read model lags', () => {
    it('given the orders read model behind the store, when a shop member cancels another customer’s order and an unknown one, then both answer alike', async () => {
      const foreign = await injectionOrder(otherShop, catalog.otherEndpoint).expect(201);
      await otherShop.get(`/ordering/orders/${foreign.body.id}`).query({ minPosition: foreign.body.position });
      const engine = app.projector.get(ProjectionEngine);
      await engine.stop();
      try {
        // The store moves on; the read model does not follow.
        await injectionOrder(shop, catalog.endpoint).expect(201);
        const cancel = (id: string) => shop.post(`/ordering/orders/${id}/cancel`).send({ reason: 'not mine' });
        const [theirs, none] = [await cancel(foreign.body.id as string), await cancel('no-such-order-anywhere')];
        expect({ status: theirs.status, code: theirs.body.error?.code }).toEqual({
          status: none.status,
          code: none.body.error?.code,
        });
      } finally {
        engine.start();
      }
    });
  });
});
