import {
  tracerPermissionId,
  weeklyCloseDaysMask,
  type CatalogEvent,
  type DeliveryTimeSlotScheduled,
} from '@tracershop/domain/catalog';
import {
  f18Registered,
  fdgRegistered,
  fetRegistered,
  herlevPetRegistered,
  herlevRegistered,
  mondayRunScheduled,
  mondaySlotScheduled,
} from '@tracershop/domain/catalog/catalog-examples';
import { CATALOG_PROJECTION_NAME } from './catalog-projection';
import { catalogTables } from './catalog-tables';
import { openCatalogTestBed, type CatalogTestBed, type Row } from './test-support/catalog-test-bed';

const reason = 'Rebuild spec';

/** A history that touches every table with every kind of event. */
const history: CatalogEvent[] = [
  f18Registered,
  fdgRegistered,
  fetRegistered,
  herlevRegistered,
  herlevPetRegistered,
  mondayRunScheduled,
  mondaySlotScheduled,
  {
    type: 'IsotopeUpdated',
    data: {
      reason: 'Corrected after review',
      isotopeId: 'iso-f18',
      changes: { halfLifeSeconds: { from: 6586.2, to: 6586.26 } },
    },
  },
  { type: 'TracerArchived', data: { tracerId: 'tracer-fet', reason } },
  { type: 'TracerRestored', data: { tracerId: 'tracer-fet', reason } },
  {
    type: 'CustomerUpdated',
    data: {
      reason: 'Corrected after review',
      customerId: 'cust-herlev',
      changes: { emails: { from: ['pet@herlev.example'], to: [] } },
    },
  },
  {
    type: 'DeliveryTimeSlotUpdated',
    data: {
      reason: 'Corrected after review',
      slotId: 'slot-herlev-mon-0800',
      changes: { expiryDate: { from: null, to: '2026-06-01' }, maxActivityMBq: { from: null, to: 12_345.678 } },
    },
  },
  {
    type: 'TracerPermissionGranted',
    data: {
      endpointId: 'ep-herlev-pet',
      tracerId: 'tracer-fdg',
      overheadPercent: 12,
      maxInjections: null,
      legacyId: 40,
    },
  },
  {
    type: 'TracerPermissionGranted',
    data: {
      endpointId: 'ep-herlev-pet',
      tracerId: 'tracer-fet',
      overheadPercent: null,
      maxInjections: 3,
      legacyId: 42,
    },
  },
  { type: 'TracerPermissionRevoked', data: { endpointId: 'ep-herlev-pet', tracerId: 'tracer-fet', reason } },
  { type: 'DateClosed', data: { date: '2026-12-24', reason, legacyId: 50 } },
  { type: 'DateClosed', data: { date: '2026-12-31', reason, legacyId: 52 } },
  { type: 'DateReopened', data: { date: '2026-12-31', reason } },
  { type: 'WeeklyCloseDaysChanged', data: { from: 0, to: weeklyCloseDaysMask([6, 7]), reason } },
  {
    type: 'OrderingDeadlineChanged',
    data: { kind: 'injection', from: null, to: { kind: 'weekly', weekday: 4, time: '12:00' }, reason },
  },
];

const secondSlot: DeliveryTimeSlotScheduled = {
  type: 'DeliveryTimeSlotScheduled',
  data: { ...mondaySlotScheduled.data, slotId: 'slot-herlev-mon-1000', deliveryTime: '10:00', legacyId: 1010 },
};

describe('rebuild of record.catalog', () => {
  let bed: CatalogTestBed;

  beforeAll(async () => {
    bed = await openCatalogTestBed('catalog_rebuild');
  });

  afterAll(async () => {
    await bed.close();
  });

  /** Every row of every table and every table's definition, in a comparable order. */
  async function snapshot(): Promise<Record<string, { definition: string; rows: Row[] }>> {
    const tables: Record<string, { definition: string; rows: Row[] }> = {};
    for (const table of Object.values(catalogTables)) {
      const [created] = await bed.rows(`SHOW CREATE TABLE ${table}`);
      const rows = await bed.rows(`SELECT * FROM ${table}`);
      const key = (row: Row) => JSON.stringify(row);
      tables[table] = {
        definition: String(created['Create Table']),
        rows: rows.sort((a, b) => (key(a) < key(b) ? -1 : 1)),
      };
    }
    return tables;
  }

  it('rebuilds identical tables from the event store, and the live runner goes on from them', async () => {
    // One append per event, in separate batches now and then, as the command side writes them.
    for (let index = 0; index < history.length; index += 5) await bed.given(...history.slice(index, index + 5));
    const before = await snapshot();
    for (const table of Object.values(catalogTables)) expect(before[table].rows.length).toBeGreaterThan(0);

    const report = await bed.engine.rebuild(CATALOG_PROJECTION_NAME);

    expect(report).toMatchObject({ projection: CATALOG_PROJECTION_NAME, version: 3, replacedVersion: 3 });
    expect(report.eventsHandled).toBe(history.length);
    expect(await snapshot()).toEqual(before);
    const leftovers = await bed.rows(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE '%\\_\\_v%'",
      [bed.recordDatabase],
    );
    expect(leftovers).toEqual([]);

    await bed.given(secondSlot);
    expect(await bed.readModel.servedSlots('run-mon-1')).toEqual([
      { slotId: 'slot-herlev-mon-0800', deliveryTime: '08:00' },
      { slotId: 'slot-herlev-mon-1000', deliveryTime: '10:00' },
    ]);
    expect(await bed.readModel.getTracerPermission(tracerPermissionId('ep-herlev-pet', 'tracer-fet'))).toMatchObject({
      status: 'revoked',
    });
  });
});
