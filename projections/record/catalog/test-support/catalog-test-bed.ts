import {
  catalogEventSchemaVersions,
  closedDateStreamName,
  customerStreamName,
  deliveryEndpointStreamName,
  deliveryTimeSlotStreamName,
  isotopeStreamName,
  nameClaimStreamName,
  productionRunStreamName,
  tracerPermissionStreamName,
  tracerStreamName,
  weeklyCloseDaysStreamName,
  orderingDeadlinesStreamName,
  type CatalogEvent,
} from '@tracershop/domain/catalog';
import { fold, type Decider } from '@tracershop/domain/kernel';
import type { Position } from '@tracershop/event-store';
import { openReadModelTestBed, type ReadModelTestBed } from '../../../../test/projections/read-model-test-bed';
import { catalogProjection } from '../catalog-projection';
import { CatalogReadModel } from '../catalog-read-model';

export type { Row } from '../../../../test/projections/read-model-test-bed';

/**
 * A fresh event store and record database with `record.catalog` running on them, for
 * `given(events) → then(rows)` specs. Events get the envelope the command pipeline writes.
 */
export interface CatalogTestBed extends ReadModelTestBed {
  recordDatabase: string;
  readModel: CatalogReadModel;
  /** Appends each event to its aggregate's stream, in the order given; returns the last position. */
  append(...events: CatalogEvent[]): Promise<Position>;
  /** Appends and waits until `record.catalog` has applied the events. */
  given(...events: CatalogEvent[]): Promise<Position>;
  /**
   * Decides a command on the state folded from what this bed appended to `streamId`, appends the
   * outcome and waits for the projection; returns the events.
   */
  decide<C, E extends CatalogEvent, S>(decider: Decider<C, E, S>, streamId: string, command: C): Promise<E[]>;
  /** The aggregate's state as its decider's `evolve` makes it from what this bed appended. */
  stateOf<E extends CatalogEvent, S>(
    decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
    streamId: string,
  ): S;
}

export async function openCatalogTestBed(purpose: string): Promise<CatalogTestBed> {
  const base = await openReadModelTestBed({
    purpose,
    projection: catalogProjection,
    schemaVersionOf: (type) => catalogEventSchemaVersions[type as CatalogEvent['type']],
    actor: { kind: 'user', id: 'user-catalog-admin', printedName: 'Catalogue Admin', role: 'admin' },
  });
  const history = new Map<string, CatalogEvent[]>();
  const extras: Omit<CatalogTestBed, keyof ReadModelTestBed> = {
    recordDatabase: base.database,
    readModel: new CatalogReadModel(base.pool, base.database),

    async append(...events) {
      for (const event of events) {
        const streamId = catalogStreamOf(event);
        const reason = (event.data as { reason?: unknown }).reason;
        await base.appendEvents({ streamId, ...event, ...(typeof reason === 'string' ? { reason } : {}) });
        history.set(streamId, [...(history.get(streamId) ?? []), event]);
      }
      return base.lastPosition();
    },

    async given(...events) {
      const position = await bed.append(...events);
      await bed.caughtUp();
      return position;
    },

    async decide(decider, streamId, command) {
      const events = decider.decide(command, bed.stateOf(decider, streamId));
      for (const event of events) {
        if (catalogStreamOf(event) !== streamId) throw new Error(`${event.type} belongs to ${catalogStreamOf(event)}`);
      }
      if (events.length === 0) return events;
      // The pipeline takes the envelope's business time from the command.
      const { at } = command as { at?: unknown };
      const occurredAt = bed.occurredAt;
      if (typeof at === 'string') bed.occurredAt = at;
      try {
        await bed.given(...events);
      } finally {
        bed.occurredAt = occurredAt;
      }
      return events;
    },

    stateOf<E extends CatalogEvent, S>(
      decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
      streamId: string,
    ) {
      return fold(decider, (history.get(streamId) ?? []) as E[]);
    },
  };
  // One object: specs set `occurredAt` on it, and the shared bed's envelope reads it from there.
  const bed: CatalogTestBed = Object.assign(base, extras);
  return bed;
}

/** The stream the command side writes an event to (`<context>.<aggregate>-<id>`). */
export function catalogStreamOf(event: CatalogEvent): string {
  const data = event.data as unknown as Record<string, string>;
  const type: string = event.type;
  if (type.startsWith('Isotope')) return isotopeStreamName(data.isotopeId);
  if (type.startsWith('TracerPermission')) return tracerPermissionStreamName(data.endpointId, data.tracerId);
  if (type.startsWith('Tracer')) return tracerStreamName(data.tracerId);
  if (type.startsWith('Customer')) return customerStreamName(data.customerId);
  if (type.startsWith('DeliveryEndpoint')) return deliveryEndpointStreamName(data.endpointId);
  if (type.startsWith('ProductionRun')) return productionRunStreamName(data.productionRunId);
  if (type.startsWith('DeliveryTimeSlot')) return deliveryTimeSlotStreamName(data.slotId);
  if (type.startsWith('Date')) return closedDateStreamName(data.date);
  if (type.startsWith('WeeklyCloseDays')) return weeklyCloseDaysStreamName();
  if (type.startsWith('OrderingDeadline')) return orderingDeadlinesStreamName();
  if (type.startsWith('Name')) return nameClaimStreamName(data.kind as never, data.key);
  throw new Error(`No stream for ${type}`);
}
