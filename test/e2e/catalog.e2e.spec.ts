import Redis from 'ioredis';
import request from 'supertest';
import type { EventStore } from '@tracershop/event-store';
import { CommandPipeline } from '@tracershop/command-pipeline';
import { nameClaimOf, type NameClaimCommand } from '@tracershop/domain/catalog';
import { EVENT_STORE } from '@tracershop/platform';
import { nameClaimCommand } from '../../apps/api/src/catalog/catalog-commands';
import { ADMIN, as, bootApp, createPerson, logIn, type BootedApp } from './booted-app';
import { answerMismatches, type OpenApiDocument } from './documented-shape';

describe('catalog over HTTP', () => {
  let app: BootedApp;
  let token: string;
  const http = () => as(app.server, token);

  let f18: { id: string; position: string };

  beforeAll(async () => {
    app = await bootApp({ MIN_POSITION_TIMEOUT_MS: '400' });
    token = await logIn(app.server, ADMIN.username, ADMIN.password);
    f18 = await created('/catalog/isotopes', {
      name: 'F-18',
      atomicNumber: 9,
      atomicMass: 18,
      halfLifeSeconds: 6586.2,
      metastable: false,
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  async function created(path: string, body: object): Promise<{ id: string; position: string }> {
    const response = await http().post(path).send(body).expect(201);
    return response.body as { id: string; position: string };
  }

  /** Dispenser numbers are unique and two digits: each customer of the suite takes the next. */
  let lastDispenserNumber = 0;

  async function referenceData() {
    const isotope = f18;
    const tag = Math.random().toString(36).slice(2, 8);
    // A vial tag names one tracer: each test's tracer has its own.
    const vialTag = `F${tag}`;
    const tracer = await created('/catalog/tracers', {
      shortName: `FDG-${tag}`,
      clinicalName: 'Fludeoxyglucose (18F)',
      isotopeId: isotope.id,
      kind: 'activity',
      vialTag,
      inUse: true,
    });
    const customer = await created('/catalog/customers', {
      shortName: `herlev-${tag}`,
      longName: 'Herlev Hospital',
      dispenserNumber: ++lastDispenserNumber,
      overheadPercent: 10,
    });
    const endpoint = await created('/catalog/delivery-endpoints', { customerId: customer.id, name: 'PET-center' });
    const run = await created('/catalog/production-runs', {
      tracerId: tracer.id,
      weekday: 1,
      productionTime: '06:00',
      runNumber: 1,
    });
    return { isotope, tracer, vialTag, customer, endpoint, run };
  }

  it('given a new machine, when a customer, a tracer and a delivery slot are created, then they read back with minPosition', async () => {
    const { tracer, customer, endpoint, run } = await referenceData();
    const slot = await created('/catalog/delivery-time-slots', {
      endpointId: endpoint.id,
      productionRunId: run.id,
      deliveryTime: '07:30',
      repeat: 'every',
      maxActivityMBq: 20000,
    });
    expect(slot).toMatchObject({ revision: '0', events: ['DeliveryTimeSlotScheduled'] });

    const read = await http()
      .get(`/catalog/delivery-time-slots/${slot.id}`)
      .query({ minPosition: slot.position })
      .expect(200);
    expect(read.body).toMatchObject({
      id: slot.id,
      endpointId: endpoint.id,
      productionRunId: run.id,
      weekday: 1,
      deliveryTime: '07:30',
      repeat: 'every',
      maxActivityMBq: 20000,
      status: 'active',
    });
    const customers = await http().get('/catalog/customers').set('x-min-position', slot.position).expect(200);
    expect(customers.body.items.map((item: { id: string }) => item.id)).toContain(customer.id);
    const tracers = await http()
      .get('/catalog/tracers')
      .query({ minPosition: slot.position, kind: 'activity' })
      .expect(200);
    expect(tracers.body.items.map((item: { id: string }) => item.id)).toContain(tracer.id);
  });

  it('updates carry old and new values in the event, and the read model follows', async () => {
    const { customer } = await referenceData();
    const update = await http()
      .patch(`/catalog/customers/${customer.id}`)
      .send({ overheadPercent: 15, reason: 'New contract' })
      .expect(200);
    expect(update.body.events).toEqual(['CustomerUpdated']);
    const store = app.api.get<EventStore>(EVENT_STORE);
    const [, updated] = await store.readStream(`catalog.customer-${customer.id}`);
    expect(updated.data).toMatchObject({ changes: { overheadPercent: { from: 10, to: 15 } }, reason: 'New contract' });
    expect(updated.metadata.actor).toMatchObject({ kind: 'user', printedName: ADMIN.printedName, role: 'admin' });
    const read = await http()
      .get(`/catalog/customers/${customer.id}`)
      .query({ minPosition: update.body.position })
      .expect(200);
    expect(read.body.overheadPercent).toBe(15);
  });

  describe('errors have one shape', () => {
    it('given a date no calendar has, when a slot expires on it or closed dates are listed by it, then 400 naming the field', async () => {
      const { endpoint, run } = await referenceData();
      const slot = await http()
        .post('/catalog/delivery-time-slots')
        .send({
          endpointId: endpoint.id,
          productionRunId: run.id,
          deliveryTime: '08:15',
          repeat: 'every',
          maxActivityMBq: 1000,
          expiryDate: '2027-02-30',
        })
        .expect(400);
      expect(slot.body.error.details.fields).toEqual([expect.objectContaining({ field: 'expiryDate' })]);
      const list = await http().get('/catalog/closed-dates').query({ from: '2026-13-01' }).expect(400);
      expect(list.body.error.details.fields).toEqual([expect.objectContaining({ field: 'from' })]);
    });

    it('an unknown field is a 400 naming the field, and nothing is appended', async () => {
      const store = app.api.get<EventStore>(EVENT_STORE);
      const head = await store.headPosition();
      const response = await http()
        .post('/catalog/isotopes')
        .send({
          name: 'O-15',
          atomicNumber: 8,
          atomicMass: 15,
          halfLifeSeconds: 122.24,
          metastable: false,
          colour: 'red',
        })
        .expect(400);
      expect(response.body).toEqual({
        error: {
          code: 'VALIDATION_FAILED',
          message: expect.any(String),
          details: { fields: [{ field: 'colour', problems: ['property colour should not exist'] }] },
        },
      });
      expect((await store.headPosition())?.toString()).toBe(head?.toString());
    });

    it('a field of the wrong type is a 400', async () => {
      const response = await http()
        .post('/catalog/customers')
        .send({ shortName: 'x', longName: 'y', dispenserNumber: 'seven', overheadPercent: 10 })
        .expect(400);
      expect(response.body.error.details.fields).toEqual([expect.objectContaining({ field: 'dispenserNumber' })]);
    });

    it("a dispenser number of three digits is a 400: the old system's dispenser script keeps two", async () => {
      const response = await http()
        .post('/catalog/customers')
        .send({ shortName: 'three-digits', longName: 'y', dispenserNumber: 100, overheadPercent: 10 })
        .expect(400);
      expect(response.body.error.details.fields).toEqual([expect.objectContaining({ field: 'dispenserNumber' })]);
    });

    it('a broken domain rule is a 422 with a stable code', async () => {
      const { endpoint, run } = await referenceData();
      const response = await http()
        .post('/catalog/delivery-time-slots')
        .send({ endpointId: endpoint.id, productionRunId: run.id, deliveryTime: '05:30', repeat: 'every' })
        .expect(422);
      expect(response.body.error).toMatchObject({
        code: 'SLOT_BEFORE_PRODUCTION_RUN',
        details: { field: 'deliveryTime' },
      });
    });

    it('a name in use is a 409, and the half-done claims are given back', async () => {
      const { customer } = await referenceData();
      const taken = await http()
        .get(`/catalog/customers/${customer.id}`)
        .query({ minPosition: customer.position })
        .expect(200);
      const response = await http()
        .post('/catalog/customers')
        .send({
          shortName: taken.body.shortName.toUpperCase(),
          longName: 'Copy',
          dispenserNumber: 97,
          overheadPercent: 0,
        })
        .expect(409);
      expect(response.body.error.code).toBe('NAME_TAKEN');
      // The dispenser number claimed before the short name failed is free again.
      await http()
        .post('/catalog/customers')
        .send({ shortName: 'fresh-name', longName: 'Fresh', dispenserNumber: 97, overheadPercent: 0 })
        .expect(201);
    });

    it('two active runs of a tracer on one weekday cannot share a run number; an archived run gives its number up', async () => {
      const { tracer, run } = await referenceData();
      const second = (productionTime: string) =>
        http().post('/catalog/production-runs').send({ tracerId: tracer.id, weekday: 1, productionTime, runNumber: 1 });
      const taken = await second('09:00').expect(409);
      expect(taken.body.error).toMatchObject({ code: 'NAME_TAKEN', details: { kind: 'productionRunNumber' } });

      await http().post(`/catalog/production-runs/${run.id}/archive`).send({ reason: 'Moved to 09:00' }).expect(200);
      await second('09:00').expect(201);
      const restored = await http()
        .post(`/catalog/production-runs/${run.id}/restore`)
        .send({ reason: 'Back' })
        .expect(409);
      expect(restored.body.error.details.kind).toBe('productionRunNumber');
    });

    it('given a run from before run numbers were claimed, when it is archived, then its number, held by a newer run, stays that run’s', async () => {
      const { tracer, run } = await referenceData();
      // As if the run had been scheduled before: no claim of its number
      const unclaim: NameClaimCommand = {
        type: 'ReleaseName',
        ...nameClaimOf.productionRunNumber(tracer.id, 1, 1),
        ownerId: run.id,
        at: new Date().toISOString(),
      };
      await app.api.get(CommandPipeline).execute(nameClaimCommand, unclaim, {
        actor: { kind: 'system', id: 'spec', printedName: 'Spec', role: 'system' },
        correlationId: 'spec',
        causationId: `spec:${run.id}`,
      });
      const newer = await created('/catalog/production-runs', {
        tracerId: tracer.id,
        weekday: 1,
        productionTime: '09:00',
        runNumber: 1,
      });

      await http().post(`/catalog/production-runs/${run.id}/archive`).send({ reason: 'Replaced' }).expect(200);
      const taken = await http()
        .post('/catalog/production-runs')
        .send({ tracerId: tracer.id, weekday: 1, productionTime: '11:00', runNumber: 1 })
        .expect(409);
      expect(taken.body.error.details).toMatchObject({ kind: 'productionRunNumber', ownerId: newer.id });
    });

    it('given a tracer’s vial tag, when another tracer is registered or updated with it in any case, then 409 NAME_TAKEN, also once the tracer is archived', async () => {
      const { isotope, tracer, vialTag } = await referenceData();
      const another = (shortName: string, tag: string) => ({
        shortName,
        clinicalName: 'Another tracer',
        isotopeId: isotope.id,
        kind: 'activity',
        vialTag: tag,
        inUse: true,
      });

      const registered = await http()
        .post('/catalog/tracers')
        .send(another(`second-${vialTag}`, vialTag.toLowerCase()));
      expect(registered.status).toBe(409);
      expect(registered.body.error).toMatchObject({
        code: 'NAME_TAKEN',
        details: { kind: 'tracerVialTag', ownerId: tracer.id },
      });
      // The short name claimed before the tag was refused is free again.
      const second = await created('/catalog/tracers', another(`second-${vialTag}`, `S${vialTag.slice(1)}`));
      const updated = await http()
        .patch(`/catalog/tracers/${second.id}`)
        .send({ vialTag: vialTag.toUpperCase(), reason: 'Label changed' });
      expect(updated.status).toBe(409);
      expect(updated.body.error.details).toMatchObject({ kind: 'tracerVialTag', ownerId: tracer.id });

      await http().post(`/catalog/tracers/${tracer.id}/archive`).send({ reason: 'Withdrawn' }).expect(200);
      const afterArchive = await http()
        .post('/catalog/tracers')
        .send(another(`third-${vialTag}`, vialTag));
      expect(afterArchive.status).toBe(409);
      expect(afterArchive.body.error.details).toMatchObject({ kind: 'tracerVialTag', ownerId: tracer.id });
    });

    it('given a tracer registered before vial tags were claimed, when another tracer is registered with its tag, then 409 naming it', async () => {
      const { isotope, tracer, vialTag } = await referenceData();
      // As if the tracer had been registered before: no claim of its tag
      const unclaim: NameClaimCommand = {
        type: 'ReleaseName',
        ...nameClaimOf.tracerVialTag(vialTag),
        ownerId: tracer.id,
        at: new Date().toISOString(),
      };
      await app.api.get(CommandPipeline).execute(nameClaimCommand, unclaim, {
        actor: { kind: 'system', id: 'spec', printedName: 'Spec', role: 'system' },
        correlationId: 'spec',
        causationId: `spec:${tracer.id}`,
      });

      const registered = await http()
        .post('/catalog/tracers')
        .send({
          shortName: `second-${vialTag}`,
          clinicalName: 'Another tracer',
          isotopeId: isotope.id,
          kind: 'activity',
          vialTag,
          inUse: true,
        });

      expect(registered.status).toBe(409);
      expect(registered.body.error.details).toMatchObject({ kind: 'tracerVialTag', ownerId: tracer.id });
    });

    it('the same id with other values is a 409', async () => {
      const body = { name: 'N-13', atomicNumber: 7, atomicMass: 13, halfLifeSeconds: 597.9, metastable: false };
      const first = await created('/catalog/isotopes', body);
      const again = await http()
        .post('/catalog/isotopes')
        .send({ ...body, id: first.id, halfLifeSeconds: 598 })
        .expect(409);
      expect(again.body.error.code).toBe('ALREADY_EXISTS');
    });

    it('an unknown aggregate is a 404', async () => {
      const response = await http()
        .patch('/catalog/tracers/6f1c0e0a-0000-4000-8000-000000000000')
        .send({ inUse: false })
        .expect(404);
      expect(response.body.error.code).toBe('TRACER_NOT_FOUND');
      const missing = await http().get('/catalog/tracers/6f1c0e0a-0000-4000-8000-000000000000').expect(404);
      expect(missing.body.error.code).toBe('TRACER_NOT_FOUND');
    });
  });

  it('given a shop user bound to an active and an archived customer, when it lists customers, then status, limit and cursor hold as for everyone', async () => {
    const { customer: active } = await referenceData();
    const { customer: archived } = await referenceData();
    const { client: shop } = await createPerson(app.server, http(), 'sally.shop', {
      role: 'shop',
      customerIds: [active.id, archived.id],
    });
    const archive = await http()
      .post(`/catalog/customers/${archived.id}/archive`)
      .send({ reason: 'Contract ended' })
      .expect(200);
    const ids = (page: { items: { id: string }[] }) => page.items.map((item) => item.id);
    const list = async (query: object) =>
      (
        await shop
          .get('/catalog/customers')
          .query({ minPosition: archive.body.position, ...query })
          .expect(200)
      ).body;

    expect(ids(await list({}))).toEqual([active.id]);
    expect(ids(await list({ status: 'archived' }))).toEqual([archived.id]);
    const first = await list({ status: 'all', limit: 1 });
    expect(first.items).toHaveLength(1);
    const second = await list({ status: 'all', limit: 1, cursor: first.nextCursor });
    expect([...ids(first), ...ids(second)].sort()).toEqual([active.id, archived.id].sort());
    expect(second.nextCursor).toBeNull();
  });

  describe('Idempotency-Key', () => {
    it('a retried request gets the first answer and appends nothing', async () => {
      const store = app.api.get<EventStore>(EVENT_STORE);
      const body = { name: 'Ga-68', atomicNumber: 31, atomicMass: 68, halfLifeSeconds: 4062.6, metastable: false };
      const first = await http().post('/catalog/isotopes').set('idempotency-key', 'k-ga68-1').send(body).expect(201);
      const head = await store.headPosition();
      const retry = await http().post('/catalog/isotopes').set('idempotency-key', 'k-ga68-1').send(body).expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect((await store.headPosition())?.toString()).toBe(head?.toString());
    });

    it('the same key with another body is refused', async () => {
      const body = { name: 'C-11', atomicNumber: 6, atomicMass: 11, halfLifeSeconds: 1221.8, metastable: false };
      await http().post('/catalog/isotopes').set('idempotency-key', 'k-c11').send(body).expect(201);
      const other = await http()
        .post('/catalog/isotopes')
        .set('idempotency-key', 'k-c11')
        .send({ ...body, halfLifeSeconds: 1 })
        .expect(422);
      expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });

    /** What Redis keeps of the app's keys, forgotten: as when a record expires, or its process stopped before writing it. */
    async function forgetIdempotencyKeys() {
      const redis = new Redis(app.config.redisUrl);
      try {
        const keys = await redis.keys(`tracershop:${app.config.databases.events}:idempotency:*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    }

    it('given a request whose answer was never kept, when it is retried, then it runs again, names what the first run made and appends nothing', async () => {
      const store = app.api.get<EventStore>(EVENT_STORE);
      const body = { name: 'Zr-89', atomicNumber: 40, atomicMass: 89, halfLifeSeconds: 282_276, metastable: false };
      const first = await http().post('/catalog/isotopes').set('idempotency-key', 'k-zr89').send(body).expect(201);
      await forgetIdempotencyKeys();
      const head = await store.headPosition();
      const retry = await http().post('/catalog/isotopes').set('idempotency-key', 'k-zr89').send(body).expect(201);
      expect(retry.body.id).toBe(first.body.id);
      expect((await store.headPosition())?.toString()).toBe(head?.toString());
    });

    it('given a key whose answer expired, when it is sent with another body, then that is a request of its own and is applied', async () => {
      const sent = (name: string, atomicMass: number) =>
        http()
          .post('/catalog/isotopes')
          .set('idempotency-key', 'k-reused-after-a-day')
          .send({ name, atomicNumber: 29, atomicMass, halfLifeSeconds: 45_720, metastable: false })
          .expect(201);
      await sent('Cu-64', 64);
      await forgetIdempotencyKeys();
      const second = await sent('Cu-67', 67);
      const read = await http().get(`/catalog/isotopes/${second.body.id}`).query({ minPosition: second.body.position });
      expect(read.status).toBe(200);
      expect(read.body.name).toBe('Cu-67');
    });

    it('a replayed rule violation answers the same error', async () => {
      const body = { name: 'Xx-1', atomicNumber: 6, atomicMass: 11, halfLifeSeconds: 1, metastable: false };
      const first = await http().post('/catalog/isotopes').set('idempotency-key', 'k-bad').send(body).expect(422);
      const again = await http().post('/catalog/isotopes').set('idempotency-key', 'k-bad').send(body).expect(422);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
    });
  });

  describe('read-your-writes', () => {
    it('a position the read model has not reached answers 503 with a clear body after the bound', async () => {
      const response = await http().get('/catalog/isotopes').query({ minPosition: '999999999' }).expect(503);
      expect(response.body.error).toMatchObject({
        code: 'READ_MODEL_NOT_CAUGHT_UP',
        details: { projections: ['record.catalog'], minPosition: '999999999', waitedMs: 400 },
      });
    });

    it('a malformed position is a 400', async () => {
      const response = await http().get('/catalog/isotopes').query({ minPosition: 'yesterday' }).expect(400);
      expect(response.body.error.code).toBe('INVALID_MIN_POSITION');
    });

    it('a value longer than any position is refused and not echoed', async () => {
      const response = await http()
        .get('/catalog/isotopes')
        .query({ minPosition: '9'.repeat(65) })
        .expect(400);
      expect(response.body.error).toMatchObject({ code: 'INVALID_MIN_POSITION', details: {} });
      expect(JSON.stringify(response.body)).not.toContain('9'.repeat(65));
    });
  });

  it('serves the OpenAPI document at /docs, and every catalogue read answers what it describes', async () => {
    // Given every kind of catalogue record, archived and legacy attributes included
    const { isotope, tracer, customer, endpoint, run } = await referenceData();
    const slot = await created('/catalog/delivery-time-slots', {
      endpointId: endpoint.id,
      productionRunId: run.id,
      deliveryTime: '07:30',
      repeat: 'even',
      expiryDate: '2099-01-01',
    });
    await http()
      .patch(`/catalog/tracers/${tracer.id}`)
      .send({ legacy: { orderBlock: 2, injections: null }, reason: 'As the old system has it' })
      .expect(200);
    await http()
      .patch(`/catalog/customers/${customer.id}`)
      .send({
        legacy: { title: 'Overlæge', labelName: 'HER', addressLine3: null, addressLine4: null },
        reason: 'As the old system has it',
      })
      .expect(200);
    await http()
      .put(`/catalog/delivery-endpoints/${endpoint.id}/tracers/${tracer.id}`)
      .send({ overheadPercent: 15 })
      .expect(200);
    await http().put('/catalog/closed-dates/2099-12-24').send({ reason: 'Christmas Eve' }).expect(200);
    await http().put('/catalog/weekly-close-days').send({ mask: 96, reason: 'Closed at weekends' }).expect(200);
    const deadline = await http()
      .put('/catalog/ordering-deadlines/activity')
      .send({ kind: 'weekly', weekday: 4, time: '13:00', reason: 'Transport leaves on Fridays' })
      .expect(200);
    const minPosition = deadline.body.position as string;
    // The document, like every route, is for callers who logged in
    const anonymous = await request(app.server).get('/docs/openapi.json').expect(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    for (const path of ['/docs', '/docs-yaml', '/docs-json', '/%64ocs/openapi.json']) {
      expect([401, 404]).toContain((await request(app.server).get(path)).status);
    }
    await request(app.server).get('/docs-yaml').expect(401);
    const document = await http().get('/docs/openapi.json').expect(200);
    const openApi = document.body as OpenApiDocument & { paths: Record<string, unknown> };
    expect(Object.keys(openApi.paths)).toEqual(
      expect.arrayContaining(['/catalog/customers', '/catalog/tracers/{id}', '/catalog/delivery-time-slots']),
    );
    // No field of any request or answer is documented as a bare object (a nullable field without
    // its type): a client generated from the document would get it wrong
    const schemas = Object.entries(openApi.components.schemas as Record<string, { properties?: object }>);
    const untyped = schemas.flatMap(([name, schema]) =>
      Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)
        .filter(
          ([, field]) => field.type === 'object' && !field.allOf && !field.properties && !field.additionalProperties,
        )
        .map(([field]) => `${name}.${field}`),
    );
    expect(untyped).toEqual([]);
    // Every read documents its answer (the release document as a PDF's bytes)
    type Operation = { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> };
    const undocumented = Object.entries(openApi.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, operations]) =>
        Object.entries(operations)
          .filter(([method, operation]) => {
            if (method !== 'get') return false;
            const content = operation.responses?.['200']?.content ?? {};
            return !Object.values(content).some((body) => body.schema);
          })
          .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undocumented).toEqual([]);

    // When each read is asked, then its answer has exactly the keys its schema documents, at every depth
    const reads: string[] = [
      '/catalog/isotopes',
      `/catalog/isotopes/${isotope.id}`,
      '/catalog/tracers',
      `/catalog/tracers/${tracer.id}`,
      '/catalog/customers',
      `/catalog/customers/${customer.id}`,
      '/catalog/delivery-endpoints',
      `/catalog/delivery-endpoints/${endpoint.id}`,
      '/catalog/production-runs',
      `/catalog/production-runs/${run.id}`,
      '/catalog/delivery-time-slots',
      `/catalog/delivery-time-slots/${slot.id}`,
      `/catalog/delivery-endpoints/${endpoint.id}/tracers/${tracer.id}`,
      '/catalog/tracer-permissions',
      '/catalog/closed-dates',
      '/catalog/closed-dates/2099-12-24',
      '/catalog/weekly-close-days',
      '/catalog/ordering-deadlines',
    ];
    for (const path of reads) {
      const answer = await http().get(path).query({ minPosition }).expect(200);
      if ('items' in answer.body) expect([path, answer.body.items.length > 0]).toEqual([path, true]);
      expect([path, answerMismatches(openApi, path, answer.body)]).toEqual([path, []]);
    }
    // The set deadline and the configured one both match the one schema
    const read = async (path: string) => (await http().get(path).query({ minPosition }).expect(200)).body;
    expect((await read(`/catalog/tracers/${tracer.id}`)).legacy).toEqual({ orderBlock: 2, injections: null });
    expect((await read(`/catalog/customers/${customer.id}`)).legacy).toMatchObject({ labelName: 'HER' });
    const deadlines = await http().get('/catalog/ordering-deadlines').query({ minPosition }).expect(200);
    expect(deadlines.body).toMatchObject({
      activity: { source: 'set', deadline: { kind: 'weekly', weekday: 4, time: '13:00' } },
      injection: { source: 'configured', reason: null },
    });
  });

  it('reports health and metrics', async () => {
    const health = await request(app.server).get('/health').expect(200);
    expect(health.body.info).toMatchObject({
      mysql: { status: 'up' },
      redis: { status: 'up' },
      eventStore: { status: 'up' },
    });
    const metrics = await request(app.server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/tracershop_commands_total\{[^}]*command="Isotope",outcome="appended"/);
    expect(metrics.text).toMatch(/tracershop_projection_lag_events\{[^}]*projection="record.catalog"/);
  });
});
