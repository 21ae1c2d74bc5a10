import { randomUUID } from 'node:crypto';
import type { EventStore } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ADMIN, as, bootApp, logIn, type BootedApp } from './booted-app';
import { LegacyIdAllocator } from '../../apps/api/src/legacy-ids/legacy-id-allocator';

/** Legacy ids over HTTP: allocated even ids above the floor, explicit ids for carried-over rows, kept for life. */
describe('legacy ids over HTTP', () => {
  let app: BootedApp;
  let token: string;
  const http = () => as(app.server, token);

  beforeAll(async () => {
    app = await bootApp({ LEGACY_ID_FLOOR: '1001', LEGACY_ID_BLOCK_SIZE: '3' });
    token = await logIn(app.server, ADMIN.username, ADMIN.password);
  });

  afterAll(async () => {
    await app?.close();
  });

  async function created(path: string, body: object): Promise<{ id: string; position: string }> {
    const response = await http().post(path).send(body).expect(201);
    return response.body as { id: string; position: string };
  }

  const read = async (path: string, position: string) =>
    (await http().get(path).query({ minPosition: position }).expect(200)).body as { legacyId: number };

  const f18 = { name: 'F-18', atomicNumber: 9, atomicMass: 18, halfLifeSeconds: 6586.2, metastable: false };
  const tracer = (shortName: string, isotopeId: string, extra: object = {}) => ({
    shortName,
    clinicalName: `${shortName} (18F)`,
    isotopeId,
    kind: 'activity',
    vialTag: shortName,
    inUse: true,
    ...extra,
  });

  it('allocates even ids at or above the floor; staff and customers share the Users ids', async () => {
    const isotope = await created('/catalog/isotopes', f18);
    expect((await read(`/catalog/isotopes/${isotope.id}`, isotope.position)).legacyId).toBe(1002);

    const customer = await created('/catalog/customers', {
      shortName: 'herlev',
      longName: 'Herlev Hospital',
      dispenserNumber: 2,
      overheadPercent: 10,
    });
    const customerLegacyId = (await read(`/catalog/customers/${customer.id}`, customer.position)).legacyId;

    const store = app.api.get<EventStore>(EVENT_STORE);
    // Two of the block's three ids are used: the next block is reserved ahead, in the background.
    await app.api.get(LegacyIdAllocator).reservationsSettled();
    const users = await store.readStream('legacy.idBlock-Users');
    const [firstAdmin] = (await http().get('/identity/users').expect(200)).body.items as { id: string }[];
    const [registered] = await store.readStream(`identity.user-${firstAdmin.id}`);
    const adminLegacyId = (registered.data as { legacyUserId: number }).legacyUserId;

    expect(users.map((event) => event.data)).toEqual([
      { table: 'Users', firstId: 1002, lastId: 1006, step: 2 },
      { table: 'Users', firstId: 1008, lastId: 1012, step: 2 },
    ]);
    expect(adminLegacyId).toBe(1002);
    expect(customerLegacyId).toBe(1004);
  });

  it('takes an explicit id for a carried-over row, and refuses it for a second row of the table', async () => {
    const isotope = await created('/catalog/isotopes', { ...f18, name: 'C-11', atomicNumber: 6, atomicMass: 11 });
    const fdg = await created('/catalog/tracers', tracer('FDG', isotope.id, { legacyId: 6 }));
    expect((await read(`/catalog/tracers/${fdg.id}`, fdg.position)).legacyId).toBe(6);

    const otherId = randomUUID();
    const taken = await http()
      .post('/catalog/tracers')
      .send(tracer('NH3', isotope.id, { id: otherId, legacyId: 6 }))
      .expect(409);
    expect(taken.body.error.code).toBe('NAME_TAKEN');
    await http().get(`/catalog/tracers/${otherId}`).expect(404);

    // The same registration again is unchanged; naming another legacy id for it is a conflict.
    const again = await http()
      .post('/catalog/tracers')
      .send(tracer('FDG', isotope.id, { id: fdg.id, legacyId: 6 }))
      .expect(201);
    expect(again.body.events).toEqual([]);
    const moved = await http()
      .post('/catalog/tracers')
      .send(tracer('FDG', isotope.id, { id: fdg.id, legacyId: 8 }))
      .expect(409);
    expect(moved.body.error.code).toBe('LEGACY_ID_MISMATCH');

    const allocated = await created('/catalog/tracers', tracer('FET', isotope.id));
    const { legacyId } = await read(`/catalog/tracers/${allocated.id}`, allocated.position);
    expect(legacyId % 2).toBe(0);
    expect(legacyId).toBeGreaterThanOrEqual(1002);
  });

  it('refuses a legacy id outside 1 … 2147483647', async () => {
    for (const legacyId of [0, -6, 2_147_483_648, 6.5, '6']) {
      const response = await http()
        .post('/catalog/isotopes')
        .send({ ...f18, name: 'O-15', atomicNumber: 8, atomicMass: 15, legacyId })
        .expect(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('a permission and a closed date keep their first legacy id through a revoke or reopening', async () => {
    const isotope = await created('/catalog/isotopes', { ...f18, name: 'Ga-68', atomicNumber: 31, atomicMass: 68 });
    const ga = await created('/catalog/tracers', tracer('GA', isotope.id));
    const customer = await created('/catalog/customers', {
      shortName: 'rigs',
      longName: 'Rigshospitalet',
      dispenserNumber: 3,
      overheadPercent: 10,
    });
    const endpoint = await created('/catalog/delivery-endpoints', { customerId: customer.id, name: 'PET' });
    const permission = `/catalog/delivery-endpoints/${endpoint.id}/tracers/${ga.id}`;

    const granted = (await http().put(permission).send({ overheadPercent: 5 }).expect(200)).body;
    const first = (await read(permission, granted.position)).legacyId;
    await http().post(`${permission}/revoke`).send({ reason: 'paused' }).expect(200);
    const regranted = (await http().put(permission).send({}).expect(200)).body;
    expect((await read(permission, regranted.position)).legacyId).toBe(first);

    const closed = (await http().put('/catalog/closed-dates/2026-12-24').send({ reason: 'Christmas Eve' }).expect(200))
      .body;
    const closedId = (await read('/catalog/closed-dates/2026-12-24', closed.position)).legacyId;
    await http().post('/catalog/closed-dates/2026-12-24/reopen').send({ reason: 'extra run' }).expect(200);
    const reclosed = (
      await http().put('/catalog/closed-dates/2026-12-24').send({ reason: 'closed after all' }).expect(200)
    ).body;
    expect((await read('/catalog/closed-dates/2026-12-24', reclosed.position)).legacyId).toBe(closedId);

    const explicit = (
      await http().put('/catalog/closed-dates/2026-12-31').send({ reason: 'New Year’s Eve', legacyId: 7 }).expect(200)
    ).body;
    expect((await read('/catalog/closed-dates/2026-12-31', explicit.position)).legacyId).toBe(7);
  });
});
