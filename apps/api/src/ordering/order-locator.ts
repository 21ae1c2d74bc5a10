import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { TracershopConfig } from '@tracershop/config';
import type { CalendarDate } from '@tracershop/domain/catalog';
import type { EventStore } from '@tracershop/event-store';
import {
  EVENT_STORE,
  HttpProblem,
  notFound,
  PROJECTION_POSITIONS,
  TRACERSHOP_CONFIG,
  type ProjectionPositions,
} from '@tracershop/platform';
import { ORDERING_PROJECTION_NAME, type OrderingReadModel } from '@tracershop/projections/record';
import { ProjectionNotCaughtUpError } from '@tracershop/projections/engine';
import { ORDERING_READ_MODEL } from './ordering-read-model.provider';

export interface LocatedOrder {
  orderId: string;
  kind: 'activity' | 'injection';
  endpointId: string;
  customerId: string;
  deliveryDate: CalendarDate;
}

const ORDERS_REMEMBERED = 50_000;

/**
 * Commands name an order by its id; the delivery day that decides them is found in the orders
 * read model. An order the read model does not know yet may have just been placed: the lookup then
 * waits (bounded) for the projection to reach the store's head before it answers 404, so a client
 * never has to pass a position to act on the order it just placed.
 */
@Injectable()
export class OrderLocator {
  /**
   * Orders located before: an order's delivery day (endpoint and date) and kind never change (a move
   * stays on the day), so each order command need not ask the read model again. Oldest forgotten first.
   */
  private readonly located = new Map<string, LocatedOrder>();

  constructor(
    @Inject(ORDERING_READ_MODEL) private readonly readModel: OrderingReadModel,
    @Inject(PROJECTION_POSITIONS) private readonly positions: ProjectionPositions,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
  ) {}

  async locate(orderId: string): Promise<LocatedOrder> {
    const known = this.located.get(orderId);
    if (known) return known;
    const found =
      (await this.readModel.locateOrder(orderId)) ??
      (await this.afterCatchingUp(() => this.readModel.locateOrder(orderId)));
    if (!found) throw notFound('ORDER_NOT_FOUND', orderId);
    const located = { orderId, ...found };
    if (this.located.size >= ORDERS_REMEMBERED) this.located.delete(this.located.keys().next().value as string);
    this.located.set(orderId, located);
    return located;
  }

  async locateRelease(
    releaseId: string,
  ): Promise<{ releaseId: string; endpointId: string; deliveryDate: CalendarDate; customerId: string }> {
    const found =
      (await this.readModel.getRelease(releaseId)) ??
      (await this.afterCatchingUp(() => this.readModel.getRelease(releaseId)));
    if (!found) throw notFound('RELEASE_NOT_FOUND', releaseId);
    return { releaseId, endpointId: found.endpointId, deliveryDate: found.deliveryDate, customerId: found.customerId };
  }

  /**
   * What a lookup of an unknown id does before it answers 404: wait for the read model to reach the
   * store's head (503 when it cannot in time). An order the caller may not see is answered after
   * the same wait, so neither the status nor the time of the answer tells it from an unknown one.
   */
  async waitAsForAnUnknownId(): Promise<void> {
    await this.afterCatchingUp(() => Promise.resolve(null));
  }

  private async afterCatchingUp<T>(lookup: () => Promise<T | null>): Promise<T | null> {
    const head = await this.store.headPosition();
    if (head === null) return null;
    try {
      await this.positions.waitFor([ORDERING_PROJECTION_NAME], head, this.config.queries.minPositionTimeoutMs);
    } catch (error) {
      if (error instanceof ProjectionNotCaughtUpError) {
        throw new HttpProblem(
          HttpStatus.SERVICE_UNAVAILABLE,
          'READ_MODEL_NOT_CAUGHT_UP',
          'The orders read model is behind; retry shortly',
          { projections: [ORDERING_PROJECTION_NAME] },
          { 'retry-after': '1' },
        );
      }
      throw error;
    }
    return lookup();
  }
}
