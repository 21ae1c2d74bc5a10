import { randomUUID } from 'node:crypto';
import { isotopeStreamName, type CatalogEvent } from '@tracershop/domain/catalog';
import { f18Registered, fdgRegistered } from '@tracershop/domain/catalog/catalog-examples';
import { ProjectionNotCaughtUpError } from '@tracershop/projections/engine';
import { CATALOG_PROJECTION_NAME } from './catalog-projection';
import { openCatalogTestBed, type CatalogTestBed } from './test-support/catalog-test-bed';

/**
 * GMP: an event the projection cannot store faithfully stops it at that event, with the event in its
 * status; it is never skipped or half applied.
 */
describe('an event record.catalog cannot read stops it at that event', () => {
  let bed: CatalogTestBed;

  beforeEach(async () => {
    bed = await openCatalogTestBed('catalog_poison');
    await bed.given(f18Registered, fdgRegistered);
  });

  afterEach(async () => {
    await bed.close();
  });

  async function expectStoppedAt(eventType: string, message: RegExp) {
    const [status] = await bed.engine.status();
    expect(status).toMatchObject({ name: CATALOG_PROJECTION_NAME, healthy: false });
    expect(status.failure).toMatchObject({ eventType, position: bed.lastPosition() });
    expect(status.failure?.message).toMatch(message);
    await expect(bed.engine.waitForPosition(CATALOG_PROJECTION_NAME, bed.lastPosition(), 100)).rejects.toBeInstanceOf(
      ProjectionNotCaughtUpError,
    );
  }

  it('a change of a field the tables have no column for', async () => {
    const failed = bed.reaches('failed');
    // A newer decider's field, written without a schema version bump.
    const colourChanged = {
      type: 'TracerUpdated',
      data: { tracerId: 'tracer-fdg', changes: { colour: { from: 'blue', to: 'red' } } },
    } as unknown as CatalogEvent;
    await bed.append(colourChanged);
    await failed;

    await expectStoppedAt('TracerUpdated', /colour/);
    expect(await bed.readModel.getTracer('tracer-fdg')).toMatchObject({
      revision: '0',
      clinicalName: fdgRegistered.data.clinicalName,
    });
  });

  it('a schema version it has no reader for', async () => {
    const failed = bed.reaches('failed');
    await bed.store.append(
      isotopeStreamName('iso-c11'),
      [
        {
          type: 'IsotopeRegistered',
          data: { isotopeId: 'iso-c11', isotope: { name: 'C-11' } },
          metadata: {
            eventId: randomUUID(),
            schemaVersion: 2,
            occurredAt: '2026-03-02T07:00:00.000Z',
            recordedAt: new Date().toISOString(),
            actor: { kind: 'system', id: 'spec', printedName: 'Spec', role: 'test' },
            correlationId: 'spec',
            causationId: 'spec',
          },
        },
      ],
      'no_stream',
    );
    await failed;

    const [status] = await bed.engine.status();
    expect(status.failure).toMatchObject({ eventType: 'IsotopeRegistered' });
    expect(status.failure?.message).toMatch(/schema version 2/);
    expect(await bed.readModel.getIsotope('iso-c11')).toBeNull();
  });
});
