import { loadConfiguration } from '@tracershop/config';
import { Position, type EventStore } from '@tracershop/event-store';
import type { ProjectionPositions } from '@tracershop/platform';
import type { OrderingReadModel } from '@tracershop/projections/record';
import { OrderLocator } from './order-locator';

const location = {
  kind: 'activity' as const,
  endpointId: 'endpoint-pet',
  customerId: 'cust-herlev',
  deliveryDate: '2027-01-04',
};

function locatorOver(known: Record<string, typeof location>) {
  const asked: string[] = [];
  const readModel = {
    locateOrder: async (orderId: string) => {
      asked.push(orderId);
      return known[orderId] ?? null;
    },
  } as unknown as OrderingReadModel;
  const positions = { waitFor: async () => undefined } as unknown as ProjectionPositions;
  const store = { headPosition: async () => Position.START } as unknown as EventStore;
  return { asked, locator: new OrderLocator(readModel, positions, store, loadConfiguration({})) };
}

describe('locating the delivery day of an order', () => {
  it('given an order, then its day is read once and remembered', async () => {
    const { asked, locator } = locatorOver({ 'order-1': location });

    expect(await locator.locate('order-1')).toEqual({ orderId: 'order-1', ...location });
    expect(await locator.locate('order-1')).toEqual({ orderId: 'order-1', ...location });

    expect(asked).toEqual(['order-1']);
  });

  it('given an order the read model does not have, then 404, and it is looked for again next time', async () => {
    const known: Record<string, typeof location> = {};
    const { asked, locator } = locatorOver(known);

    await expect(locator.locate('order-2')).rejects.toMatchObject({ status: 404 });
    known['order-2'] = location;
    expect(await locator.locate('order-2')).toMatchObject({ orderId: 'order-2' });

    // Read, read again after catching up, then read once more the next time.
    expect(asked).toEqual(['order-2', 'order-2', 'order-2']);
  });
});
