import { deliveryDayStreamName, type OrderingEvent } from '@tracershop/domain/ordering';
import { date, endpointId, placeFet } from '@tracershop/domain/ordering/ordering-examples';
import { ProjectionNotCaughtUpError } from '@tracershop/projections/engine';
import { ORDERING_PROJECTION_NAME } from './ordering-projection';
import { openOrderingTestBed, type OrderingTestBed } from './test-support/ordering-test-bed';

const stream = deliveryDayStreamName(endpointId, date);

/**
 * GMP: an event the projection cannot store faithfully stops it at that event, with the event in its
 * status; it is never skipped or half applied.
 */
describe('an event record.ordering cannot read stops it at that event', () => {
  let bed: OrderingTestBed;

  beforeEach(async () => {
    bed = await openOrderingTestBed('ord_poison');
    await bed.decideDay(placeFet({ orderId: 'inj-1', legacyOid: 2001 }));
  });

  afterEach(async () => {
    await bed.close();
  });

  async function expectStoppedAt(eventType: string, message: RegExp) {
    const [status] = await bed.engine.status();
    expect(status).toMatchObject({ name: ORDERING_PROJECTION_NAME, healthy: false });
    expect(status.failure).toMatchObject({ eventType, position: bed.lastPosition() });
    expect(status.failure?.message).toMatch(message);
    await expect(bed.engine.waitForPosition(ORDERING_PROJECTION_NAME, bed.lastPosition(), 100)).rejects.toBeInstanceOf(
      ProjectionNotCaughtUpError,
    );
  }

  it('a change of a field the tables have no column for', async () => {
    const failed = bed.reaches('failed');
    // A newer decider's field, written without a schema version bump.
    const colourChanged = {
      type: 'InjectionOrderChanged',
      data: { orderId: 'inj-1', changes: { injections: { from: 4, to: 5 }, colour: { from: 'blue', to: 'red' } } },
    } as unknown as OrderingEvent;
    await bed.append(stream, [colourChanged]);
    await failed;

    await expectStoppedAt('InjectionOrderChanged', /colour/);
    expect(await bed.readModel.getOrder('inj-1')).toMatchObject({ injections: 4, revision: '0' });
    expect((await bed.readModel.getOrder('inj-1'))!.history).toHaveLength(1);
  });

  it('a schema version it has no reader for', async () => {
    const failed = bed.reaches('failed');
    await bed.append(stream, [{ type: 'OrderAccepted', data: { orderId: 'inj-1' } }], { schemaVersion: 2 });
    await failed;

    await expectStoppedAt('OrderAccepted', /schema version 2/);
    expect(await bed.readModel.getOrder('inj-1')).toMatchObject({ status: 'ordered', revision: '0' });
  });
});
