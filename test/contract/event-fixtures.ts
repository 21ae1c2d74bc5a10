import { randomUUID } from 'node:crypto';
import type {
  NewEvent,
  NewEventMetadata,
  RecordedEvent,
  Subscription,
  SubscriptionMessage,
} from '@tracershop/event-store';

/** A stream name no other test (or earlier run against a shared server) uses. */
export function uniqueStream(category = 'contract.order'): string {
  return `${category}-${randomUUID()}`;
}

export function newEvent<D>(type: string, data: D, metadata: Partial<NewEventMetadata> = {}): NewEvent<D> {
  const eventId = metadata.eventId ?? randomUUID();
  return {
    type,
    data,
    metadata: {
      eventId,
      schemaVersion: 1,
      occurredAt: '2026-11-20T07:30:00.000Z',
      recordedAt: '2026-11-20T07:30:01.250Z',
      actor: { kind: 'user', id: 'user-17', printedName: 'Anna Jensen', role: 'production' },
      correlationId: 'corr-1',
      causationId: 'cmd-1',
      ...metadata,
    },
  };
}

export function events(count: number, type = 'OrderPlaced'): NewEvent[] {
  return Array.from({ length: count }, (_, index) => newEvent(type, { index }));
}

/**
 * Reads a subscription until `done` says so, failing after `timeoutMs` instead of hanging.
 * Returns every message seen, in order.
 */
export async function readUntil(
  subscription: Subscription,
  done: (seen: SubscriptionMessage[]) => boolean,
  timeoutMs = 10_000,
): Promise<SubscriptionMessage[]> {
  const seen: SubscriptionMessage[] = [];
  const iterator = subscription[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`subscription timed out after ${timeoutMs} ms with ${seen.length} messages`)),
      timeoutMs,
    );
  });
  try {
    while (!done(seen)) {
      const next = await Promise.race([iterator.next(), timeout]);
      if (next.done) break;
      seen.push(next.value);
    }
    return seen;
  } finally {
    clearTimeout(timer);
  }
}

export function eventsOf(messages: SubscriptionMessage[], streamPrefix: string): RecordedEvent[] {
  return messages
    .filter((message): message is Extract<SubscriptionMessage, { kind: 'event' }> => message.kind === 'event')
    .map((message) => message.event)
    .filter((event) => event.streamId.startsWith(streamPrefix));
}
