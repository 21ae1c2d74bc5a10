import { randomUUID } from 'node:crypto';
import { customerStreamName } from '@tracershop/domain/catalog';
import { herlevRegistered } from '@tracershop/domain/catalog/catalog-examples';
import { CATALOG_PROJECTION_NAME } from './catalog-projection';
import { openCatalogTestBed, type CatalogTestBed } from './test-support/catalog-test-bed';

/**
 * `CustomerUpdated` and the other updates gained the change's reason in schema version 2. The
 * events stored before stay as they are (never rewritten), and the projection reads them through
 * the catalogue's upcasters, as version 2 without a reason, instead of stopping at them.
 */
describe('record.catalog reads a change stored before reasons were required', () => {
  let bed: CatalogTestBed;

  beforeAll(async () => {
    bed = await openCatalogTestBed('catalog_v1_update');
    await bed.given(herlevRegistered);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given a customer, when a version 1 CustomerUpdated (no reason) is stored, then its row follows and the projection keeps running', async () => {
    const stored = await bed.store.append(
      customerStreamName('cust-herlev'),
      [
        {
          type: 'CustomerUpdated',
          data: { customerId: 'cust-herlev', changes: { overheadPercent: { from: 15, to: 25 } } },
          metadata: {
            eventId: randomUUID(),
            schemaVersion: 1,
            occurredAt: '2026-03-02T07:00:00.000Z',
            recordedAt: new Date().toISOString(),
            actor: { kind: 'user', id: 'u-rita', printedName: 'Rita', role: 'production' },
            correlationId: 'spec',
            causationId: 'spec',
          },
        },
      ],
      0n,
    );
    await bed.engine.waitForPosition(CATALOG_PROJECTION_NAME, stored.position, 10_000);

    const [status] = await bed.engine.status();
    expect(status).toMatchObject({ name: CATALOG_PROJECTION_NAME, healthy: true });
    expect(await bed.readModel.getCustomer('cust-herlev')).toMatchObject({ overheadPercent: 25, revision: '1' });
  });
});
