import { randomUUID } from 'node:crypto';
import type { AppendResult, EventStore } from '@tracershop/event-store';
import { deliveryDayStreamName } from '@tracershop/domain/ordering';
import { at0900, endpointId, fdgPlaced } from '@tracershop/domain/ordering/ordering-examples';

/**
 * Appends an FDG order on `day` as the command pipeline would, but recorded at `recordedAt` (to
 * put messages of the live log past its retention); `n` keeps legacy ids and activities apart.
 */
export function appendFdgPlacedAt(
  store: EventStore,
  day: string,
  orderId: string,
  n: number,
  recordedAt: string,
): Promise<AppendResult> {
  const event = fdgPlaced(orderId, 20_000 + n, at0900, 100 + n);
  const id = randomUUID();
  return store.append(
    deliveryDayStreamName(endpointId, day),
    [
      {
        type: event.type,
        data: { ...event.data, date: day },
        metadata: {
          eventId: id,
          schemaVersion: 1,
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
