import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { customerScope, type Principal } from '@tracershop/auth';
import { HttpProblem, notFound } from '@tracershop/platform';
import type { CatalogReadModel } from '@tracershop/projections/record';
import { CATALOG_READ_MODEL } from './catalog-read-model.provider';

const ENDPOINTS_REMEMBERED = 10_000;

/**
 * Shop users and applications see only the customers they are bound to (and those customers'
 * endpoints, slots and permissions). Someone else's item answers 404, as if it did not exist.
 */
@Injectable()
export class CustomerScope {
  /**
   * An endpoint's customer, once read: it is fixed when the endpoint is registered and never
   * changes, so a shop member's every order need not read it again. Oldest forgotten first.
   */
  private readonly customerOfEndpoint = new Map<string, string>();

  constructor(@Inject(CATALOG_READ_MODEL) private readonly readModel: Pick<CatalogReadModel, 'getDeliveryEndpoint'>) {}

  /** The customers the caller may see or act on through this route, or 'all'. */
  of(request: FastifyRequest): 'all' | Set<string> {
    return customerScope(request.principal as Principal, request.admittedRoles ?? []);
  }

  async assertCustomer(request: FastifyRequest, customerId: string, what = 'customer', id = customerId): Promise<void> {
    const scope = this.of(request);
    if (scope !== 'all' && !scope.has(customerId)) {
      throw notFound(`${what.toUpperCase().replace(/ /g, '_')}_NOT_FOUND`, id);
    }
  }

  async assertEndpoint(
    request: FastifyRequest,
    endpointId: string,
    what = 'delivery endpoint',
    id = endpointId,
  ): Promise<void> {
    if (this.of(request) === 'all') return;
    await this.assertCustomer(request, (await this.customerOf(endpointId)) ?? '', what, id);
  }

  /** Whether the caller sees any of these endpoints (null stands for none): an answer, never a 404. */
  async seesAnyEndpoint(request: FastifyRequest, endpointIds: ReadonlyArray<string | null>): Promise<boolean> {
    const scope = this.of(request);
    if (scope === 'all') return true;
    for (const endpointId of endpointIds) {
      if (endpointId && scope.has((await this.customerOf(endpointId)) ?? '')) return true;
    }
    return false;
  }

  private async customerOf(endpointId: string): Promise<string | null> {
    const known = this.customerOfEndpoint.get(endpointId);
    if (known !== undefined) return known;
    const endpoint = await this.readModel.getDeliveryEndpoint(endpointId);
    // An endpoint the read model does not have yet may be registered in a moment: not remembered.
    if (!endpoint) return null;
    if (this.customerOfEndpoint.size >= ENDPOINTS_REMEMBERED) {
      this.customerOfEndpoint.delete(this.customerOfEndpoint.keys().next().value as string);
    }
    this.customerOfEndpoint.set(endpointId, endpoint.customerId);
    return endpoint.customerId;
  }

  /**
   * An API client registered without customers: a site-wide integration (the worklist feed, the
   * dispenser). It reads no customer's data, and writes what its integration delivers for all.
   */
  siteWide(request: FastifyRequest): boolean {
    const scope = this.of(request);
    return (request.principal as Principal).kind === 'application' && scope !== 'all' && scope.size === 0;
  }

  /** A scoped caller must name what it lists by (a customer or an endpoint of its own). */
  requireFilter(request: FastifyRequest, filter: string | undefined, name: string): void {
    if (this.of(request) !== 'all' && filter === undefined) {
      throw new HttpProblem(HttpStatus.BAD_REQUEST, 'FILTER_REQUIRED', `Filter the list by ${name}`, { field: name });
    }
  }
}
