import type {
  CustomerRegistered,
  DeliveryEndpointRegistered,
  DeliveryTimeSlotScheduled,
  IsoWeekday,
  ProductionRunScheduled,
  TracerRegistered,
} from '@tracershop/domain/catalog';
import { f18Registered, fdgRegistered, herlevRegistered } from '@tracershop/domain/catalog/catalog-examples';
import type { Page, PageOptions } from './catalog-read-model';
import { InvalidReadQueryError } from './keyset-paging';
import { openCatalogTestBed, type CatalogTestBed } from './test-support/catalog-test-bed';

// Ids in the opposite order of the names, so an order by id alone would show.
const CUSTOMER_COUNT = 23;
/** Legacy ids are unique per table; each generated row takes the next even one. */
let nextLegacyId = 2;
const legacyId = () => (nextLegacyId += 2);
const customers: CustomerRegistered[] = Array.from({ length: CUSTOMER_COUNT }, (_, index) => ({
  type: 'CustomerRegistered',
  data: {
    ...herlevRegistered.data,
    customerId: `cust-${String(CUSTOMER_COUNT - index).padStart(2, '0')}`,
    shortName: `site${String((index * 7) % CUSTOMER_COUNT).padStart(2, '0')}`,
    dispenserNumber: index + 1,
    legacyId: legacyId(),
  },
}));

const endpoint = (endpointId: string, customerId: string, name: string): DeliveryEndpointRegistered => ({
  type: 'DeliveryEndpointRegistered',
  data: { endpointId, customerId, name, address: null, city: null, zip: null, phone: null },
});

const nh3Registered: TracerRegistered = {
  type: 'TracerRegistered',
  data: { ...fdgRegistered.data, tracerId: 'tracer-nh3', shortName: 'NH3', vialTag: 'NH3', legacyId: legacyId() },
};

const run = (productionRunId: string, tracerId: string, weekday: IsoWeekday, productionTime: string) =>
  ({
    type: 'ProductionRunScheduled',
    data: {
      productionRunId,
      tracerId,
      weekday,
      productionTime,
      runNumber: 1,
      maxActivityMBq: null,
      legacyId: legacyId(),
    },
  }) satisfies ProductionRunScheduled;

const slot = (slotId: string, endpointId: string, productionRunId: string, weekday: IsoWeekday, deliveryTime: string) =>
  ({
    type: 'DeliveryTimeSlotScheduled',
    data: {
      slotId,
      endpointId,
      productionRunId,
      weekday,
      deliveryTime,
      repeat: 'every',
      maxActivityMBq: null,
      expiryDate: null,
      legacyId: legacyId(),
    },
  }) satisfies DeliveryTimeSlotScheduled;

/** Follows `nextCursor` to the end; returns every page. */
async function allPages<T>(list: (options: PageOptions) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await list({ limit, cursor });
    pages.push(page.items);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 100);
  return pages;
}

describe('catalogue lists: keyset pages in a stable order, with filters', () => {
  let bed: CatalogTestBed;

  beforeAll(async () => {
    bed = await openCatalogTestBed('lists');
    await bed.given(f18Registered, fdgRegistered, nh3Registered, ...customers);
    await bed.given(
      endpoint('ep-c', 'cust-01', 'PET'),
      endpoint('ep-a', 'cust-02', 'PET'),
      endpoint('ep-b', 'cust-01', 'Nuklearmedicin'),
      endpoint('ep-d', 'cust-02', 'Akutmodtagelsen'),
      run('run-fdg-mon', 'tracer-fdg', 1, '06:30'),
      run('run-fdg-wed', 'tracer-fdg', 3, '05:45'),
      run('run-nh3-mon', 'tracer-nh3', 1, '06:00'),
      run('run-fdg-mon-2', 'tracer-fdg', 1, '10:00'),
    );
    await bed.given(
      slot('slot-5', 'ep-a', 'run-fdg-mon', 1, '09:00'),
      slot('slot-4', 'ep-c', 'run-fdg-mon', 1, '09:00'),
      slot('slot-3', 'ep-c', 'run-fdg-wed', 3, '08:00'),
      slot('slot-2', 'ep-c', 'run-fdg-mon', 1, '08:00'),
      slot('slot-1', 'ep-a', 'run-nh3-mon', 1, '07:15'),
      slot('slot-6', 'ep-c', 'run-fdg-mon-2', 1, '11:00'),
    );
  });

  afterAll(async () => {
    await bed.close();
  });

  it('pages through every customer once, by short name, and says when the last page is reached', async () => {
    const pages = await allPages((options) => bed.readModel.listCustomers(options), 5);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
    const shortNames = pages.flat().map((customer) => customer.shortName);
    expect(shortNames).toEqual([...shortNames].sort());
    expect(new Set(shortNames).size).toBe(CUSTOMER_COUNT);
    expect(await bed.readModel.listCustomers({ limit: CUSTOMER_COUNT })).toMatchObject({ nextCursor: null });
    expect((await bed.readModel.listCustomers({ limit: CUSTOMER_COUNT - 1 })).nextCursor).not.toBeNull();
  });

  it('a page continues after the last item it was given, whatever was added in between', async () => {
    const first = await bed.readModel.listCustomers({ limit: 4 });
    const lastSeen = first.items[3].shortName;
    // Sorts before the cursor: an offset would now show the fourth item again.
    await bed.given({
      type: 'CustomerRegistered',
      data: { ...herlevRegistered.data, customerId: 'cust-new', shortName: 'aaa', dispenserNumber: 99 },
    });
    const second = await bed.readModel.listCustomers({ limit: 4, cursor: first.nextCursor });
    expect(second.items[0].shortName > lastSeen).toBe(true);
    expect(second.items.map((customer) => customer.id)).not.toContain('cust-new');
    expect((await bed.readModel.listCustomers({ limit: 1 })).items[0].id).toBe('cust-new');
  });

  it('filters by status: active by default, archived, or all', async () => {
    const archivedIds = ['cust-03', 'cust-09', 'cust-17'];
    for (const customerId of archivedIds) {
      await bed.append({ type: 'CustomerArchived', data: { customerId, reason: 'Contract ended' } });
    }
    await bed.caughtUp();
    const active = (await allPages((options) => bed.readModel.listCustomers(options), 7)).flat();
    const archived = (await allPages((options) => bed.readModel.listCustomers({ ...options, status: 'archived' }), 2))
      .flat()
      .map((customer) => customer.id);
    const all = (await allPages((options) => bed.readModel.listCustomers({ ...options, status: 'all' }), 10)).flat();
    expect(active).toHaveLength(CUSTOMER_COUNT + 1 - archivedIds.length);
    expect(active.every((customer) => customer.status === 'active')).toBe(true);
    expect(archived.sort()).toEqual(archivedIds);
    expect(all).toHaveLength(CUSTOMER_COUNT + 1);
  });

  it('given a shop user’s customers, one of them archived, when their list is read, then status and paging hold as for everyone', async () => {
    const own = ['cust-01', 'cust-03', 'cust-05', 'cust-07'];
    const active = await allPages((options) => bed.readModel.listCustomers({ ...options, ids: own }), 2);
    expect(active.map((page) => page.length)).toEqual([2, 1]);
    expect(
      active
        .flat()
        .map((customer) => customer.id)
        .sort(),
    ).toEqual(['cust-01', 'cust-05', 'cust-07']);
    const archived = await bed.readModel.listCustomers({ limit: 10, ids: own, status: 'archived' });
    expect(archived.items.map((customer) => customer.id)).toEqual(['cust-03']);
    expect((await bed.readModel.listCustomers({ limit: 10, ids: [] })).items).toEqual([]);
    await expect(bed.readModel.listCustomers({ limit: 10, ids: [''] })).rejects.toMatchObject({
      details: { field: 'ids' },
    });
  });

  it('endpoints: by name then id, and by customer', async () => {
    const all = await bed.readModel.listDeliveryEndpoints({ limit: 10 });
    expect(all.items.map((item) => `${item.name}/${item.id}`)).toEqual([
      'Akutmodtagelsen/ep-d',
      'Nuklearmedicin/ep-b',
      'PET/ep-a',
      'PET/ep-c',
    ]);
    // Two pages split between the two PET endpoints: the id breaks the tie.
    const pages = await allPages((options) => bed.readModel.listDeliveryEndpoints(options), 3);
    expect(pages.map((page) => page.map((item) => item.id))).toEqual([['ep-d', 'ep-b', 'ep-a'], ['ep-c']]);
    const ofCustomer = await bed.readModel.listDeliveryEndpoints({ limit: 10, customerId: 'cust-01' });
    expect(ofCustomer.items.map((item) => item.id)).toEqual(['ep-b', 'ep-c']);
  });

  it('production runs: by weekday, time and id, by tracer and by weekday', async () => {
    const all = await allPages((options) => bed.readModel.listProductionRuns(options), 1);
    expect(all.flat().map((item) => item.id)).toEqual(['run-nh3-mon', 'run-fdg-mon', 'run-fdg-mon-2', 'run-fdg-wed']);
    const fdg = await bed.readModel.listProductionRuns({ limit: 10, tracerId: 'tracer-fdg' });
    expect(fdg.items.map((item) => `${item.weekday} ${item.productionTime}`)).toEqual([
      '1 06:30',
      '1 10:00',
      '3 05:45',
    ]);
    const monday = await bed.readModel.listProductionRuns({ limit: 10, weekday: 1, tracerId: 'tracer-fdg' });
    expect(monday.items.map((item) => item.id)).toEqual(['run-fdg-mon', 'run-fdg-mon-2']);
  });

  it('delivery time slots: by weekday, time and id, by endpoint, by production run and by weekday', async () => {
    const pages = await allPages((options) => bed.readModel.listDeliveryTimeSlots(options), 2);
    // slot-4 and slot-5 share weekday and time; the page boundary falls between them.
    expect(pages.map((page) => page.map((item) => item.id))).toEqual([
      ['slot-1', 'slot-2'],
      ['slot-4', 'slot-5'],
      ['slot-6', 'slot-3'],
    ]);
    const atEndpoint = await bed.readModel.listDeliveryTimeSlots({ limit: 10, endpointId: 'ep-c' });
    expect(atEndpoint.items.map((item) => item.id)).toEqual(['slot-2', 'slot-4', 'slot-6', 'slot-3']);
    const ofRun = await bed.readModel.listDeliveryTimeSlots({ limit: 10, productionRunId: 'run-fdg-mon' });
    expect(ofRun.items.map((item) => item.id)).toEqual(['slot-2', 'slot-4', 'slot-5']);
    const wednesday = await bed.readModel.listDeliveryTimeSlots({ limit: 10, weekday: 3 });
    expect(wednesday.items.map((item) => item.id)).toEqual(['slot-3']);
    const both = await bed.readModel.listDeliveryTimeSlots({
      limit: 10,
      endpointId: 'ep-a',
      productionRunId: 'run-nh3-mon',
    });
    expect(both.items.map((item) => item.id)).toEqual(['slot-1']);
  });

  it('tracers: by short name, filtered by isotope, kind and use', async () => {
    await bed.given({
      type: 'TracerUpdated',
      data: { reason: 'No longer offered', tracerId: 'tracer-nh3', changes: { inUse: { from: true, to: false } } },
    });
    const all = await bed.readModel.listTracers({ limit: 10 });
    expect(all.items.map((tracer) => tracer.shortName)).toEqual(['FDG', 'NH3']);
    const inUse = await bed.readModel.listTracers({ limit: 10, inUse: true, kind: 'activity', isotopeId: 'iso-f18' });
    expect(inUse.items.map((tracer) => tracer.id)).toEqual(['tracer-fdg']);
    expect((await bed.readModel.listTracers({ limit: 10, kind: 'injection' })).items).toEqual([]);
  });

  it('lookups for command handlers: the active slots of a run by time, the active endpoints of a customer', async () => {
    expect(await bed.readModel.servedSlots('run-fdg-mon')).toEqual([
      { slotId: 'slot-2', deliveryTime: '08:00' },
      { slotId: 'slot-4', deliveryTime: '09:00' },
      { slotId: 'slot-5', deliveryTime: '09:00' },
    ]);
    await bed.given(
      { type: 'DeliveryTimeSlotArchived', data: { slotId: 'slot-4', reason: 'Endpoint closes at 09:00' } },
      { type: 'DeliveryEndpointArchived', data: { endpointId: 'ep-c', reason: 'Moved to ep-b' } },
    );
    expect((await bed.readModel.servedSlots('run-fdg-mon')).map((served) => served.slotId)).toEqual([
      'slot-2',
      'slot-5',
    ]);
    expect(await bed.readModel.servedSlots('run-unknown')).toEqual([]);
    expect(await bed.readModel.activeEndpointIds('cust-01')).toEqual(['ep-b']);
    expect(await bed.readModel.activeEndpointIds('cust-02')).toEqual(['ep-a', 'ep-d']);
  });

  it('refuses a bad page size, a foreign or tampered cursor and unknown filter values', async () => {
    const { readModel } = bed;
    for (const limit of [0, 501, 2.5, Number.NaN]) {
      await expect(readModel.listCustomers({ limit })).rejects.toMatchObject({ details: { field: 'limit' } });
    }
    const customerCursor = (await readModel.listCustomers({ limit: 1 })).nextCursor!;
    await expect(readModel.listTracers({ limit: 1, cursor: customerCursor })).rejects.toBeInstanceOf(
      InvalidReadQueryError,
    );
    const tampered = Buffer.from(JSON.stringify(['customers', [1, 'cust-01']])).toString('base64url');
    for (const cursor of ['not a cursor', '', tampered]) {
      await expect(readModel.listCustomers({ limit: 1, cursor })).rejects.toMatchObject({
        code: 'INVALID_READ_QUERY',
        details: { field: 'cursor' },
      });
    }
    await expect(readModel.listCustomers({ limit: 1, status: 'deleted' as never })).rejects.toMatchObject({
      details: { field: 'status', value: 'deleted' },
    });
    await expect(readModel.listProductionRuns({ limit: 1, weekday: 8 as never })).rejects.toMatchObject({
      details: { field: 'weekday' },
    });
    await expect(readModel.listTracers({ limit: 1, kind: 'pill' as never })).rejects.toMatchObject({
      details: { field: 'kind' },
    });
  });

  it('given tracers tagged FDG and NH3, when a tag is looked up in any case, then its tracer is found, archived or not', async () => {
    expect(await bed.readModel.tracerIdsWithVialTag('fdg')).toEqual(['tracer-fdg']);
    await bed.given({ type: 'TracerArchived', data: { tracerId: 'tracer-nh3', reason: 'Withdrawn' } });
    expect(await bed.readModel.tracerIdsWithVialTag(' Nh3 ')).toEqual(['tracer-nh3']);
    expect(await bed.readModel.tracerIdsWithVialTag('FET')).toEqual([]);
  });
});
