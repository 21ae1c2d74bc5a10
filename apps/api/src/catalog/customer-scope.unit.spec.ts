import type { FastifyRequest } from 'fastify';
import type { Principal } from '@tracershop/auth';
import { CustomerScope } from './customer-scope';

/** A read model that knows endpoints by id and counts how often it is asked. */
function endpoints(known: Record<string, string>) {
  const asked: string[] = [];
  return {
    asked,
    getDeliveryEndpoint: async (id: string) => {
      asked.push(id);
      const customerId = known[id];
      return customerId === undefined ? null : ({ id, customerId } as never);
    },
  };
}

const shopOf = (...customerIds: string[]) =>
  ({
    principal: {
      id: 'user-sally',
      roles: [{ role: 'shop', customerIds, locationIds: [] }],
    } as unknown as Principal,
    // As the access guard leaves it on a route shop members may call
    admittedRoles: ['shop'],
  }) as unknown as FastifyRequest;

describe("a shop member's scope over delivery endpoints", () => {
  it("given an endpoint of the member's customer, then it is allowed, and its customer is read once", async () => {
    const readModel = endpoints({ 'endpoint-pet': 'cust-herlev' });
    const scope = new CustomerScope(readModel);

    await scope.assertEndpoint(shopOf('cust-herlev'), 'endpoint-pet');
    await scope.assertEndpoint(shopOf('cust-herlev'), 'endpoint-pet');

    expect(readModel.asked).toEqual(['endpoint-pet']);
  });

  it("given another customer's endpoint, then it is not found, also when its customer is remembered", async () => {
    const readModel = endpoints({ 'endpoint-glostrup': 'cust-glostrup' });
    const scope = new CustomerScope(readModel);
    await scope.assertEndpoint(shopOf('cust-glostrup'), 'endpoint-glostrup');

    await expect(scope.assertEndpoint(shopOf('cust-herlev'), 'endpoint-glostrup')).rejects.toMatchObject({
      status: 404,
    });
  });

  it('given an endpoint the read model does not have yet, then it is asked again next time', async () => {
    const known: Record<string, string> = {};
    const readModel = endpoints(known);
    const scope = new CustomerScope(readModel);
    await expect(scope.assertEndpoint(shopOf('cust-herlev'), 'endpoint-new')).rejects.toMatchObject({ status: 404 });

    known['endpoint-new'] = 'cust-herlev';
    await scope.assertEndpoint(shopOf('cust-herlev'), 'endpoint-new');

    expect(readModel.asked).toEqual(['endpoint-new', 'endpoint-new']);
  });
});
