import type { AppendResult, EventStore } from '@tracershop/event-store';
import { deliveryDayStreamName, type DeliveryDayEvent } from '@tracershop/domain/ordering';
import { at0900, endpointId, fdgPlaced } from '@tracershop/domain/ordering/ordering-examples';
import { appendRecordedAt } from '../projections/append-recorded-at';

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
  const placed: DeliveryDayEvent = { ...event, data: { ...event.data, date: day } };
  return appendRecordedAt(store, deliveryDayStreamName(endpointId, day), placed, recordedAt);
}
