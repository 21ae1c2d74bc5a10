import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { TracershopConfig } from '@tracershop/config';
import type { EventStore } from '@tracershop/event-store';
import {
  EVENT_STORE,
  HttpProblem,
  PROJECTION_POSITIONS,
  TRACERSHOP_CONFIG,
  type ProjectionPositions,
} from '@tracershop/platform';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { ProjectionNotCaughtUpError } from '@tracershop/projections/engine';
import type { CatalogLookups } from './catalog-commands';
import { CATALOG_READ_MODEL } from './catalog-read-model.provider';

/**
 * Waits until the catalogue read model has reached what the store holds now, so a write answered
 * before is seen; too far behind (`timeoutMs`), a 503 the client may retry, and nothing changes.
 */
export async function catalogCaughtUpWithStore(
  store: Pick<EventStore, 'headPosition'>,
  positions: ProjectionPositions,
  timeoutMs: number,
): Promise<void> {
  const head = await store.headPosition();
  if (head === null) return;
  try {
    await positions.waitFor([CATALOG_PROJECTION_NAME], head, timeoutMs);
  } catch (error) {
    if (!(error instanceof ProjectionNotCaughtUpError)) throw error;
    throw new HttpProblem(
      HttpStatus.SERVICE_UNAVAILABLE,
      'READ_MODEL_NOT_CAUGHT_UP',
      'The catalogue read model is behind; retry shortly',
      { projections: [CATALOG_PROJECTION_NAME] },
      { 'retry-after': '1' },
    );
  }
}

/**
 * The catalogue lookups a command's rules are decided on, read only once the catalogue read model
 * has reached what the store holds when the command asks: a write answered before (another
 * endpoint archived, a slot scheduled on the run) is always seen, so back-to-back requests are
 * decided as if one after the other. Too far behind, the command answers 503 and changes nothing.
 */
@Injectable()
export class CatalogLookupsAtHead implements CatalogLookups {
  constructor(
    @Inject(CATALOG_READ_MODEL)
    private readonly readModel: Pick<CatalogReadModel, 'servedSlots' | 'activeEndpointIds' | 'tracerIdsWithVialTag'>,
    @Inject(EVENT_STORE) private readonly store: Pick<EventStore, 'headPosition'>,
    @Inject(PROJECTION_POSITIONS) private readonly positions: ProjectionPositions,
    @Inject(TRACERSHOP_CONFIG) private readonly config: Pick<TracershopConfig, 'queries'>,
  ) {}

  async servedSlots(productionRunId: string) {
    await this.atHead();
    return this.readModel.servedSlots(productionRunId);
  }

  async activeEndpointIds(customerId: string) {
    await this.atHead();
    return this.readModel.activeEndpointIds(customerId);
  }

  async tracerIdsWithVialTag(vialTag: string) {
    await this.atHead();
    return this.readModel.tracerIdsWithVialTag(vialTag);
  }

  private atHead(): Promise<void> {
    return catalogCaughtUpWithStore(this.store, this.positions, this.config.queries.minPositionTimeoutMs);
  }
}
