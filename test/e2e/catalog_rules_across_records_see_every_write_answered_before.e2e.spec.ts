import { PROJECTION_POSITIONS, type ProjectionPositions } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { ADMIN, as, bootApp, F18_ISOTOPE, fdgTracer, logIn, type BootedApp } from './booted-app';

/**
 * Regression (review bookings-catalog, finding 4): a run's time and a customer's last endpoint were
 * checked against the catalogue read model as it happened to stand, so a slot scheduled or an
 * endpoint archived a moment before could be missed.
 */
describe('catalogue rules across records see every write answered before', () => {
  let app: BootedApp;
  let admin: ReturnType<typeof as>;
  let projector: ProjectionEngine;
  let fdg: string;

  beforeAll(async () => {
    app = await bootApp({ MIN_POSITION_TIMEOUT_MS: '20000' });
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    projector = app.projector.get(ProjectionEngine);
    const isotope = await created('/catalog/isotopes', F18_ISOTOPE);
    fdg = await created('/catalog/tracers', fdgTracer(isotope));
    // The projector starts again as soon as a command waits for the read model: a command that does
    // not wait decides on the read model as it stood when the projector stopped.
    const positions = app.api.get<ProjectionPositions>(PROJECTION_POSITIONS);
    const waitFor = positions.waitFor.bind(positions);
    jest.spyOn(positions, 'waitFor').mockImplementation((...args) => {
      projector.start();
      return waitFor(...args);
    });
  }, 60_000);

  afterAll(async () => {
    projector?.start();
    await app?.close();
  });

  async function created(path: string, body: object): Promise<string> {
    const response = await admin.post(path).send(body);
    if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id as string;
  }

  /** Everything written so far is in the read models, then the projector stops. */
  async function projectorStopped(position: string): Promise<void> {
    await admin.get('/catalog/tracers').query({ minPosition: position }).expect(200);
    await projector.stop();
  }

  async function customerWithEndpoints(shortName: string, dispenserNumber: number) {
    const customer = await created('/catalog/customers', {
      shortName,
      longName: shortName,
      dispenserNumber,
      overheadPercent: 0,
    });
    const first = await created('/catalog/delivery-endpoints', { customerId: customer, name: 'PET' });
    const second = await admin
      .post('/catalog/delivery-endpoints')
      .send({ customerId: customer, name: 'Lab' })
      .expect(201);
    return { first, second: second.body.id as string, position: second.body.position as string };
  }

  it('given a run at 06:00 and a slot at 06:30 scheduled on it just now, when the run is moved to 06:45, then 422 SLOT_BEFORE_PRODUCTION_RUN', async () => {
    const run = await admin
      .post('/catalog/production-runs')
      .send({ tracerId: fdg, weekday: 2, productionTime: '06:00', runNumber: 1 })
      .expect(201);
    const customer = await customerWithEndpoints('herlev', 2);
    await projectorStopped(customer.position);
    await admin
      .post('/catalog/delivery-time-slots')
      .send({ endpointId: customer.first, productionRunId: run.body.id, deliveryTime: '06:30', repeat: 'every' })
      .expect(201);

    const moved = await admin
      .patch(`/catalog/production-runs/${run.body.id}`)
      .send({ productionTime: '06:45', reason: 'Synthesis takes longer' });

    expect({ status: moved.status, code: moved.body.error?.code }).toEqual({
      status: 422,
      code: 'SLOT_BEFORE_PRODUCTION_RUN',
    });
  });

  it('given a slot scheduled on a run just now, when the run is archived, then 422 PRODUCTION_RUN_HAS_ACTIVE_SLOTS', async () => {
    const run = await admin
      .post('/catalog/production-runs')
      .send({ tracerId: fdg, weekday: 3, productionTime: '06:00', runNumber: 1 })
      .expect(201);
    const customer = await customerWithEndpoints('glostrup', 3);
    await projectorStopped(customer.position);
    await admin
      .post('/catalog/delivery-time-slots')
      .send({ endpointId: customer.first, productionRunId: run.body.id, deliveryTime: '08:00', repeat: 'every' })
      .expect(201);

    const archived = await admin
      .post(`/catalog/production-runs/${run.body.id}/archive`)
      .send({ reason: 'No longer run' });

    expect({ status: archived.status, code: archived.body.error?.code }).toEqual({
      status: 422,
      code: 'PRODUCTION_RUN_HAS_ACTIVE_SLOTS',
    });
  });

  it('given an active customer with two endpoints, when both are archived back to back, then the second is 422 LAST_DELIVERY_ENDPOINT', async () => {
    const customer = await customerWithEndpoints('hvidovre', 4);
    await projectorStopped(customer.position);
    await admin.post(`/catalog/delivery-endpoints/${customer.first}/archive`).send({ reason: 'Closed' }).expect(200);
    await projector.stop();

    const last = await admin.post(`/catalog/delivery-endpoints/${customer.second}/archive`).send({ reason: 'Closed' });

    expect({ status: last.status, code: last.body.error?.code }).toEqual({
      status: 422,
      code: 'LAST_DELIVERY_ENDPOINT',
    });
  });
});
