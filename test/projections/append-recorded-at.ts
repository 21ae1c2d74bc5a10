import { randomUUID } from 'node:crypto';
import type { AppendResult, EventStore } from '@tracershop/event-store';
import {
  orderingEventSchemaVersions,
  type DeliveryDayEvent,
  type OrderingEventType,
} from '@tracershop/domain/ordering';

/**
 * Appends a delivery day's event with the envelope the command pipeline writes, but recorded at
 * `recordedAt`: how the live log's retention specs put messages in the past.
 */
export function appendRecordedAt(
  store: EventStore,
  streamId: string,
  event: DeliveryDayEvent,
  recordedAt: string,
): Promise<AppendResult> {
  const id = randomUUID();
  return store.append(
    streamId,
    [
      {
        type: event.type,
        data: event.data,
        metadata: {
          eventId: id,
          schemaVersion: orderingEventSchemaVersions[event.type as OrderingEventType],
          occurredAt: recordedAt,
          recordedAt,
          actor: { kind: 'user', id: 'user-peter', printedName: 'Peter Hansen', role: 'production' },
          correlationId: id,
          causationId: id,
        },
      },
    ],
    'any',
  );
}
