import { locationMappingStreamName, procedureStreamName } from '@tracershop/domain/bookings';
import {
  customerStreamName,
  deliveryEndpointStreamName,
  deliveryTimeSlotStreamName,
  isotopeStreamName,
  productionRunStreamName,
  tracerPermissionStreamName,
  tracerStreamName,
} from '@tracershop/domain/catalog';
import type { EventStore, RecordedEvent } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ADMIN, as, bootApp, createPerson, fdgCatalogue, logIn, type BootedApp } from '../../../../test/e2e/booted-app';

/**
 * Regression (review bookings-catalog, finding 5): production changed the values that decide how
 * much is ordered and made (a half-life, an overhead, a slot's time, a procedure's MBq per study, a
 * room's endpoint) with no "why" on record. GMP, Annex 11 §9: every change of GMP-relevant data is
 * recorded with its reason, so a change without one is refused, as a missing reason is everywhere.
 */
describe('a change of catalogue or booking settings says why', () => {
  let app: BootedApp;
  let store: EventStore;
  let admin: ReturnType<typeof as>;
  let production: ReturnType<typeof as>;
  let catalogue: Awaited<ReturnType<typeof fdgCatalogue>>;
  let isotopeId: string;

  interface SettingsChange {
    method: 'patch' | 'put';
    path: string;
    body: object;
    streamId: string;
    event: string;
  }
  let changes: Record<string, SettingsChange>;

  const send = ({ method, path, body }: SettingsChange, reason?: string) =>
    production[method](path).send(reason === undefined ? body : { ...body, reason });
  const streamOf = (streamId: string): Promise<RecordedEvent[]> => store.readStream(streamId);

  beforeAll(async () => {
    app = await bootApp();
    store = app.api.get<EventStore>(EVENT_STORE);
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    catalogue = await fdgCatalogue(admin, { weekday: 1, overheadPercent: 10 });
    const { fdg, customer, endpoint, run, slotId } = catalogue;
    isotopeId = (await admin.get(`/catalog/tracers/${fdg}`).expect(200)).body.isotopeId as string;
    production = (await createPerson(app.server, admin, 'paula.production', { role: 'production' })).client;
    // Creating a record needs no reason: the room's first mapping and the procedure's first definition.
    await production.put('/bookings/locations/PET1').send({ endpointId: endpoint }).expect(200);
    const procedure = { tracerId: fdg, tracerUnits: 300, delayMinutes: 60, isPet: true };
    await production.put(`/bookings/procedures/WBFDG/endpoints/${endpoint}`).send(procedure).expect(200);
    changes = {
      'an isotope': {
        method: 'patch',
        path: `/catalog/isotopes/${isotopeId}`,
        body: { halfLifeSeconds: 6586.26 },
        streamId: isotopeStreamName(isotopeId),
        event: 'IsotopeUpdated',
      },
      'a tracer': {
        method: 'patch',
        path: `/catalog/tracers/${fdg}`,
        body: { clinicalName: 'Fludeoxyglucose (18F) injection' },
        streamId: tracerStreamName(fdg),
        event: 'TracerUpdated',
      },
      'a customer': {
        method: 'patch',
        path: `/catalog/customers/${customer}`,
        body: { overheadPercent: 25 },
        streamId: customerStreamName(customer),
        event: 'CustomerUpdated',
      },
      'a delivery endpoint': {
        method: 'patch',
        path: `/catalog/delivery-endpoints/${endpoint}`,
        body: { phone: '38 68 12 34' },
        streamId: deliveryEndpointStreamName(endpoint),
        event: 'DeliveryEndpointUpdated',
      },
      'a production run': {
        method: 'patch',
        path: `/catalog/production-runs/${run}`,
        body: { maxActivityMBq: 50_000 },
        streamId: productionRunStreamName(run),
        event: 'ProductionRunUpdated',
      },
      'a delivery time slot': {
        method: 'patch',
        path: `/catalog/delivery-time-slots/${slotId}`,
        body: { deliveryTime: '08:15' },
        streamId: deliveryTimeSlotStreamName(slotId),
        event: 'DeliveryTimeSlotUpdated',
      },
      'a tracer permission': {
        method: 'patch',
        path: `/catalog/delivery-endpoints/${endpoint}/tracers/${fdg}`,
        body: { overheadPercent: 20 },
        streamId: tracerPermissionStreamName(endpoint, fdg),
        event: 'TracerPermissionUpdated',
      },
      "a room's endpoint": {
        method: 'put',
        path: '/bookings/locations/PET1',
        body: { endpointId: null },
        streamId: locationMappingStreamName('PET1'),
        event: 'LocationMapped',
      },
      "a procedure's definition": {
        method: 'put',
        path: `/bookings/procedures/WBFDG/endpoints/${endpoint}`,
        body: { ...procedure, tracerUnits: 250 },
        streamId: procedureStreamName('WBFDG', endpoint),
        event: 'ProcedureUpdated',
      },
    };
  }, 180_000);

  afterAll(async () => {
    await app?.close();
  });

  it.each([
    'an isotope',
    'a tracer',
    'a customer',
    'a delivery endpoint',
    'a production run',
    'a delivery time slot',
    'a tracer permission',
    "a room's endpoint",
    "a procedure's definition",
  ])(
    'given %s, when it is changed without a reason, then 422 FIELD_REQUIRED and nothing is recorded; with one, the change keeps it',
    async (name) => {
      const change = changes[name];
      const before = await streamOf(change.streamId);

      for (const missing of [undefined, '', '   ']) {
        const refused = await send(change, missing).expect(422);
        expect(refused.body.error).toMatchObject({ code: 'FIELD_REQUIRED', details: { field: 'reason' } });
      }
      expect(await streamOf(change.streamId)).toHaveLength(before.length);

      const reason = `New agreement for ${name}`;
      const changed = await send(change, reason).expect(200);
      expect(changed.body.events).toEqual([change.event]);
      const recorded = (await streamOf(change.streamId)).at(-1)!;
      expect(recorded.type).toBe(change.event);
      expect(recorded.metadata.schemaVersion).toBe(2);
      expect(recorded.data).toMatchObject({ reason });
      expect(recorded.metadata.reason).toBe(reason);
    },
  );

  it('given a change with its reason, when an auditor reads the record, then its history shows why', async () => {
    const customer = changes['a customer'];
    await send({ ...customer, body: { overheadPercent: 30 } }, 'Overhead raised after the transport tender').expect(
      200,
    );

    const history = await admin.get(`/audit/streams/${customer.streamId}/changes`).expect(200);
    const overhead = (history.body.fields as { field: string; changes: { to: unknown; reason: unknown }[] }[]).find(
      (field) => field.field === 'overheadPercent',
    );
    expect(overhead?.changes.at(-1)).toMatchObject({ to: 30, reason: 'Overhead raised after the transport tender' });
    const events = await admin.get(`/audit/streams/${customer.streamId}/events`).expect(200);
    expect(events.body.events.at(-1)).toMatchObject({
      type: 'CustomerUpdated',
      reason: 'Overhead raised after the transport tender',
    });
  });

  it('given a request that changes nothing, when it comes without a reason, then it is answered and records nothing', async () => {
    const slot = changes['a delivery time slot'];
    const before = await streamOf(slot.streamId);
    const current = (await admin.get(`/catalog/delivery-time-slots/${catalogue.slotId}`).expect(200)).body as {
      repeat: string;
    };

    const unchanged = await production.patch(slot.path).send({ repeat: current.repeat }).expect(200);

    expect(unchanged.body.events).toEqual([]);
    expect(await streamOf(slot.streamId)).toHaveLength(before.length);
  });
});
