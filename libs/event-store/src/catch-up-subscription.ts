import type { RecordedEvent } from './envelope';
import type { SubscribeToAllOptions, Subscription, SubscriptionFilter, SubscriptionMessage } from './event-store';
import { Position } from './position';

export interface CatchUpSource {
  /** Events strictly after `after`, in global order, at most `maxCount`, with no gap. */
  readAfter(after: Position, maxCount: number): Promise<RecordedEvent[]>;
  /** Position of the newest visible event, or null when empty. */
  head(): Promise<Position | null>;
  /** Resolves when events after `after` may be available, or when `signal` aborts. */
  waitForEventsAfter(after: Position, signal: AbortSignal): Promise<void>;
}

export function matchesFilter(event: { streamId: string; type: string }, filter?: SubscriptionFilter): boolean {
  if (!filter) return true;
  const { streamPrefixes, eventTypePrefixes } = filter;
  if (streamPrefixes && !streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) return false;
  if (eventTypePrefixes && !eventTypePrefixes.some((prefix) => event.type.startsWith(prefix))) return false;
  return true;
}

/**
 * A catch-up subscription over any source that can read after a position and wait for more:
 * catch-up in batches, one `caughtUp`, then live. Pull-based, so a slow consumer holds at most one
 * batch in memory. Filtered-out stretches yield `checkpoint` messages so consumers can persist
 * progress.
 */
export function catchUpSubscription(
  source: CatchUpSource,
  options: SubscribeToAllOptions = {},
  batchSize = 500,
): Subscription {
  const abort = new AbortController();
  const filter = options.filter;

  async function* run(): AsyncGenerator<SubscriptionMessage> {
    let after: Position;
    const from = options.fromPosition ?? 'start';
    if (from === 'start') after = Position.START;
    else if (from === 'end') after = (await source.head()) ?? Position.START;
    else after = from;
    let caughtUp = false;
    while (!abort.signal.aborted) {
      const batch = await source.readAfter(after, batchSize);
      let skipped = false;
      for (const event of batch) {
        if (abort.signal.aborted) return;
        after = event.position;
        if (matchesFilter(event, filter)) {
          yield { kind: 'event', event };
        } else {
          skipped = true;
        }
      }
      if (skipped && filter) yield { kind: 'checkpoint', position: after };
      if (batch.length < batchSize) {
        if (!caughtUp) {
          caughtUp = true;
          yield { kind: 'caughtUp', position: after };
        }
        // A short batch reached what was visible when it was read: wait for the head to move rather
        // than read again at once (one read per wake instead of two for every live subscription).
        await source.waitForEventsAfter(after, abort.signal);
      }
    }
  }

  const iterator = run();
  return {
    [Symbol.asyncIterator]: () => iterator,
    async close() {
      abort.abort();
      await iterator.return(undefined);
    },
  };
}
