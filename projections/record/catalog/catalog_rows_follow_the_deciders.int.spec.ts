import {
  customerDecider,
  customerStreamName,
  deliveryEndpointDecider,
  deliveryEndpointStreamName,
  deliveryTimeSlotDecider,
  deliveryTimeSlotStreamName,
  isotopeDecider,
  isotopeStreamName,
  productionRunDecider,
  productionRunStreamName,
  tracerDecider,
  tracerStreamName,
  type IsotopeRegistered,
} from '@tracershop/domain/catalog';
import {
  f18Registered,
  fdgRegistered,
  herlevPetRegistered,
  herlevRegistered,
  mondayRunScheduled,
  mondaySlotScheduled,
} from '@tracershop/domain/catalog/catalog-examples';
import { openCatalogTestBed, type CatalogTestBed } from './test-support/catalog-test-bed';

const o15Registered: IsotopeRegistered = {
  type: 'IsotopeRegistered',
  data: {
    isotopeId: 'iso-o15',
    name: 'O-15',
    atomicNumber: 8,
    atomicMass: 15,
    halfLifeSeconds: 122.24,
    metastable: false,
    legacyId: 3,
  },
};

const streams = {
  f18: isotopeStreamName('iso-f18'),
  o15: isotopeStreamName('iso-o15'),
  fdg: tracerStreamName('tracer-fdg'),
  herlev: customerStreamName('cust-herlev'),
  herlevPet: deliveryEndpointStreamName('ep-herlev-pet'),
  mondayRun: productionRunStreamName('run-mon-1'),
  mondaySlot: deliveryTimeSlotStreamName('slot-herlev-mon-0800'),
};

describe('record.catalog applies each catalogue event as the deciders evolve it', () => {
  let bed: CatalogTestBed;

  beforeAll(async () => {
    bed = await openCatalogTestBed('catalog_rows');
  });

  afterAll(async () => {
    await bed.close();
  });

  /** Every entity's row, read back through the read model, holds what its decider's state holds. */
  async function expectRowsToEqualDeciderStates() {
    const { readModel } = bed;
    expect(await readModel.getIsotope('iso-f18')).toMatchObject(bed.stateOf(isotopeDecider, streams.f18));
    expect(await readModel.getIsotope('iso-o15')).toMatchObject(bed.stateOf(isotopeDecider, streams.o15));
    expect(await readModel.getTracer('tracer-fdg')).toMatchObject(bed.stateOf(tracerDecider, streams.fdg));
    expect(await readModel.getCustomer('cust-herlev')).toMatchObject(bed.stateOf(customerDecider, streams.herlev));
    expect(await readModel.getDeliveryEndpoint('ep-herlev-pet')).toMatchObject(
      bed.stateOf(deliveryEndpointDecider, streams.herlevPet),
    );
    expect(await readModel.getProductionRun('run-mon-1')).toMatchObject(
      bed.stateOf(productionRunDecider, streams.mondayRun),
    );
    expect(await readModel.getDeliveryTimeSlot('slot-herlev-mon-0800')).toMatchObject(
      bed.stateOf(deliveryTimeSlotDecider, streams.mondaySlot),
    );
  }

  it('registration writes one active row per entity, with every field and where it began', async () => {
    bed.occurredAt = '2026-03-02T07:00:00.000Z';
    const isotopeRegisteredAt = await bed.given(f18Registered);
    await bed.given(o15Registered, fdgRegistered, herlevRegistered, herlevPetRegistered);
    await bed.given(mondayRunScheduled, mondaySlotScheduled);

    expect(await bed.readModel.getIsotope('iso-f18')).toEqual({
      id: 'iso-f18',
      name: 'F-18',
      atomicNumber: 9,
      atomicMass: 18,
      halfLifeSeconds: 6586.2,
      metastable: false,
      legacyId: 1,
      status: 'active',
      archivedReason: null,
      revision: '0',
      createdPosition: isotopeRegisteredAt.toString(),
      updatedPosition: isotopeRegisteredAt.toString(),
      createdAt: '2026-03-02T07:00:00.000Z',
      updatedAt: '2026-03-02T07:00:00.000Z',
    });
    expect(await bed.readModel.getCustomer('cust-herlev')).toMatchObject({
      emails: ['pet@herlev.example'],
      phone: '+45 38 68 00 00',
      legacy: null,
    });
    expect(await bed.readModel.getDeliveryTimeSlot('slot-herlev-mon-0800')).toMatchObject({
      weekday: 1,
      deliveryTime: '08:00',
      repeat: 'every',
      maxActivityMBq: null,
      expiryDate: null,
    });
    await expectRowsToEqualDeciderStates();

    // The columns hold SQL types, not text: TIME, JSON, DOUBLE, BOOLEAN.
    const [run] = await bed.rows(
      "SELECT production_time, max_activity_mbq FROM catalog_production_runs WHERE id = 'run-mon-1'",
    );
    expect(run).toEqual({ production_time: '06:30:00', max_activity_mbq: 100_000 });
    const [customer] = await bed.rows(
      "SELECT JSON_LENGTH(emails) AS emailCount, JSON_VALUE(emails, '$[0]') AS firstEmail FROM catalog_customers",
    );
    expect(customer).toEqual({ emailCount: 1, firstEmail: 'pet@herlev.example' });
  });

  it('updates apply the `to` side of every change and advance position, time and revision', async () => {
    const before = await bed.readModel.getTracer('tracer-fdg');
    bed.occurredAt = '2026-03-03T08:15:30.123+01:00';

    await bed.decide(isotopeDecider, streams.f18, {
      type: 'UpdateIsotope',
      isotopeId: 'iso-f18',
      changes: { halfLifeSeconds: 6586.26 },
      reason: 'Corrected after review',
      at: bed.occurredAt,
    });
    const [tracerUpdated] = await bed.decide(tracerDecider, streams.fdg, {
      type: 'UpdateTracer',
      tracerId: 'tracer-fdg',
      changes: { clinicalName: 'Fludeoxyglucose (18F)', inUse: false, legacy: { orderBlock: 30, injections: null } },
      reason: 'Corrected after review',
      at: bed.occurredAt,
    });
    expect(tracerUpdated.type).toBe('TracerUpdated');
    await bed.decide(customerDecider, streams.herlev, {
      type: 'UpdateCustomer',
      customerId: 'cust-herlev',
      changes: {
        overheadPercent: 20,
        emails: ['pet@herlev.example', 'nuk@herlev.example'],
        phone: null,
        legacy: { title: 'Overlæge', labelName: 'HER', addressLine3: null, addressLine4: null },
      },
      reason: 'Corrected after review',
      at: bed.occurredAt,
    });
    await bed.decide(deliveryEndpointDecider, streams.herlevPet, {
      type: 'UpdateDeliveryEndpoint',
      endpointId: 'ep-herlev-pet',
      changes: { name: 'PET/CT-centret', zip: null },
      reason: 'Corrected after review',
      at: bed.occurredAt,
    });
    await bed.decide(productionRunDecider, streams.mondayRun, {
      type: 'UpdateProductionRun',
      productionRunId: 'run-mon-1',
      changes: { productionTime: '06:00', maxActivityMBq: null },
      reason: 'Corrected after review',
      at: bed.occurredAt,
      refs: { servedSlots: await bed.readModel.servedSlots('run-mon-1') },
    });
    await bed.decide(deliveryTimeSlotDecider, streams.mondaySlot, {
      type: 'UpdateDeliveryTimeSlot',
      slotId: 'slot-herlev-mon-0800',
      changes: { deliveryTime: '08:30', repeat: 'odd', maxActivityMBq: 25_000.5, expiryDate: '2026-12-31' },
      reason: 'Corrected after review',
      at: bed.occurredAt,
      refs: { productionRun: bed.stateOf(productionRunDecider, streams.mondayRun) },
    });
    // A correction of the isotope is its own event.
    await bed.decide(tracerDecider, streams.fdg, {
      type: 'ChangeTracerIsotope',
      tracerId: 'tracer-fdg',
      isotopeId: 'iso-o15',
      at: bed.occurredAt,
      refs: { isotope: bed.stateOf(isotopeDecider, streams.o15) },
    });

    const tracer = await bed.readModel.getTracer('tracer-fdg');
    expect(tracer).toMatchObject({
      isotopeId: 'iso-o15',
      clinicalName: 'Fludeoxyglucose (18F)',
      inUse: false,
      legacy: { orderBlock: 30, injections: null },
      shortName: 'FDG',
      revision: '2',
      createdPosition: before!.createdPosition,
      createdAt: '2026-03-02T07:00:00.000Z',
      updatedAt: '2026-03-03T07:15:30.123Z',
    });
    expect(tracer!.updatedPosition).not.toBe(before!.updatedPosition);
    expect(await bed.readModel.getCustomer('cust-herlev')).toMatchObject({
      overheadPercent: 20,
      emails: ['pet@herlev.example', 'nuk@herlev.example'],
      phone: null,
      legacy: { title: 'Overlæge', labelName: 'HER', addressLine3: null, addressLine4: null },
      contactPerson: 'Anne Jensen',
    });
    expect(await bed.readModel.getDeliveryTimeSlot('slot-herlev-mon-0800')).toMatchObject({
      deliveryTime: '08:30',
      repeat: 'odd',
      maxActivityMBq: 25_000.5,
      expiryDate: '2026-12-31',
    });
    await expectRowsToEqualDeciderStates();
  });

  it('archive hides an entity from the default lists with its reason; restore brings it back', async () => {
    const reason = 'Monday deliveries move to the new run';
    const at = '2026-03-04T09:00:00.000Z';
    // Slots before their run: the run's archive is refused while it serves an active slot.
    await bed.decide(deliveryTimeSlotDecider, streams.mondaySlot, {
      type: 'ArchiveDeliveryTimeSlot',
      slotId: 'slot-herlev-mon-0800',
      reason,
      at,
    });
    expect(await bed.readModel.servedSlots('run-mon-1')).toEqual([]);
    await bed.decide(productionRunDecider, streams.mondayRun, {
      type: 'ArchiveProductionRun',
      productionRunId: 'run-mon-1',
      reason,
      at,
      refs: { servedSlots: await bed.readModel.servedSlots('run-mon-1') },
    });
    await bed.decide(customerDecider, streams.herlev, {
      type: 'ArchiveCustomer',
      customerId: 'cust-herlev',
      reason,
      at,
    });
    await bed.decide(deliveryEndpointDecider, streams.herlevPet, {
      type: 'ArchiveDeliveryEndpoint',
      endpointId: 'ep-herlev-pet',
      reason,
      at,
      refs: {
        customer: bed.stateOf(customerDecider, streams.herlev),
        otherActiveEndpointIds: await bed.readModel.activeEndpointIds('cust-herlev'),
      },
    });
    await bed.decide(tracerDecider, streams.fdg, { type: 'ArchiveTracer', tracerId: 'tracer-fdg', reason, at });
    await bed.decide(isotopeDecider, streams.f18, { type: 'ArchiveIsotope', isotopeId: 'iso-f18', reason, at });

    expect(await bed.readModel.getProductionRun('run-mon-1')).toMatchObject({
      status: 'archived',
      archivedReason: reason,
    });
    expect(await bed.readModel.activeEndpointIds('cust-herlev')).toEqual([]);
    expect((await bed.readModel.listIsotopes({ limit: 10 })).items.map((isotope) => isotope.id)).toEqual(['iso-o15']);
    expect((await bed.readModel.listIsotopes({ limit: 10, status: 'archived' })).items.map((i) => i.id)).toEqual([
      'iso-f18',
    ]);
    expect((await bed.readModel.listTracers({ limit: 10 })).items).toEqual([]);
    expect((await bed.readModel.listDeliveryTimeSlots({ limit: 10, status: 'archived' })).items).toHaveLength(1);
    await expectRowsToEqualDeciderStates();

    const restoredBecause = 'Run resumes';
    await bed.decide(isotopeDecider, streams.f18, {
      type: 'RestoreIsotope',
      isotopeId: 'iso-f18',
      reason: restoredBecause,
      at,
    });
    await bed.decide(tracerDecider, streams.fdg, {
      type: 'RestoreTracer',
      tracerId: 'tracer-fdg',
      reason: restoredBecause,
      at,
      refs: { isotope: bed.stateOf(isotopeDecider, streams.o15) },
    });
    await bed.decide(customerDecider, streams.herlev, {
      type: 'RestoreCustomer',
      customerId: 'cust-herlev',
      reason: restoredBecause,
      at,
    });
    await bed.decide(deliveryEndpointDecider, streams.herlevPet, {
      type: 'RestoreDeliveryEndpoint',
      endpointId: 'ep-herlev-pet',
      reason: restoredBecause,
      at,
      refs: { customer: bed.stateOf(customerDecider, streams.herlev) },
    });
    await bed.decide(productionRunDecider, streams.mondayRun, {
      type: 'RestoreProductionRun',
      productionRunId: 'run-mon-1',
      reason: restoredBecause,
      at,
      refs: { tracer: bed.stateOf(tracerDecider, streams.fdg) },
    });
    await bed.decide(deliveryTimeSlotDecider, streams.mondaySlot, {
      type: 'RestoreDeliveryTimeSlot',
      slotId: 'slot-herlev-mon-0800',
      reason: restoredBecause,
      at,
      refs: {
        endpoint: bed.stateOf(deliveryEndpointDecider, streams.herlevPet),
        productionRun: bed.stateOf(productionRunDecider, streams.mondayRun),
      },
    });

    expect(await bed.readModel.getDeliveryTimeSlot('slot-herlev-mon-0800')).toMatchObject({
      status: 'active',
      archivedReason: null,
      revision: '3',
    });
    expect(await bed.readModel.servedSlots('run-mon-1')).toEqual([
      { slotId: 'slot-herlev-mon-0800', deliveryTime: '08:30' },
    ]);
    expect(await bed.readModel.activeEndpointIds('cust-herlev')).toEqual(['ep-herlev-pet']);
    await expectRowsToEqualDeciderStates();
  });

  it('answers null for an id it has never seen', async () => {
    expect(await bed.readModel.getIsotope('iso-unknown')).toBeNull();
    expect(await bed.readModel.getCustomer('CUST-HERLEV')).toBeNull();
    expect(await bed.readModel.getDeliveryTimeSlot('')).toBeNull();
  });
});
