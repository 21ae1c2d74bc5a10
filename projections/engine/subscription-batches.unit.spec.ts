import { randomUUID } from 'node:crypto';
import {
  MemoryEventStore,
  Position,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
} from '@tracershop/event-store';
import { SubscriptionBatches } from './subscription-batches';

function event(type: string): NewEvent {
  return {
    type,
    data: {},
    metadata: {
      eventId: randomUUID(),
      schemaVersion: 1,
      occurredAt: '2026-11-20T07:30:00.000Z',
      recordedAt: '2026-11-20T07:30:01.000Z',
      actor: { kind: 'system', id: 'test', printedName: 'Test', role: 'test' },
      correlationId: 'c',
      causationId: 'c',
    },
  };
}

const handlesA = (recorded: RecordedEvent) => recorded.type === 'A';
const never = new AbortController().signal;

/** A subscription that yields the given messages, waiting `gapMs` before each one after the first. */
function slowSubscription(messages: SubscriptionMessage[], gapMs: number): Subscription {
  async function* run(): AsyncGenerator<SubscriptionMessage> {
    for (const [index, message] of messages.entries()) {
      if (index > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      yield message;
    }
    await new Promise(() => undefined);
  }
  const iterator = run();
  return { [Symbol.asyncIterator]: () => iterator, close: async () => undefined };
}

describe('SubscriptionBatches', () => {
  it('cuts catch-up into batches of at most maxEvents and flushes at caughtUp', async () => {
    const store = new MemoryEventStore();
    await store.append(
      's-1',
      Array.from({ length: 1_200 }, () => event('A')),
      'no_stream',
    );
    const subscription = store.subscribeToAll({ fromPosition: 'start' });
    const batches = new SubscriptionBatches(subscription, Position.START, handlesA, { maxEvents: 500, maxMs: 1_000 });
    const sizes: number[] = [];
    for (let index = 0; index < 3; index++) {
      const batch = await batches.next(never);
      sizes.push(batch!.events.length);
      expect(batch!.live).toBe(false);
    }
    expect(sizes).toEqual([500, 500, 200]);
    expect(batches.isLive).toBe(true);
    await subscription.close();
  });

  it('moves the position past events the projection does not handle, and marks live batches', async () => {
    const store = new MemoryEventStore();
    await store.append('s-1', [event('A'), event('B'), event('B')], 'no_stream');
    const subscription = store.subscribeToAll({ fromPosition: 'start', filter: { eventTypePrefixes: ['A'] } });
    const batches = new SubscriptionBatches(subscription, Position.START, handlesA, { maxEvents: 500, maxMs: 50 });
    const first = await batches.next(never);
    expect(first!.events.map((recorded) => recorded.type)).toEqual(['A']);
    expect(first!.position.toString()).toBe('2');

    await store.append('s-1', [event('B'), event('A')], 2n);
    const second = await batches.next(never);
    expect(second).toMatchObject({ live: true });
    expect(second!.events.map((recorded) => recorded.position.toString())).toEqual(['4']);
    await subscription.close();
  });

  it('never drops a message that arrives after a batch timed out', async () => {
    const store = new MemoryEventStore();
    await store.append('s-1', [event('A'), event('A'), event('A')], 'no_stream');
    const recorded = await store.readAll();
    const messages: SubscriptionMessage[] = recorded.map((one) => ({ kind: 'event', event: one }));
    const batches = new SubscriptionBatches(slowSubscription(messages, 40), Position.START, handlesA, {
      maxEvents: 500,
      maxMs: 10,
    });
    const seen: string[] = [];
    for (let index = 0; index < 3; index++) {
      const batch = await batches.next(never);
      seen.push(...batch!.events.map((one) => one.position.toString()));
    }
    expect(seen).toEqual(['0', '1', '2']);
  });

  it('given live spacing, a live batch that starts soon after the previous one gathers what arrives until then', async () => {
    const store = new MemoryEventStore();
    const subscription = store.subscribeToAll({ fromPosition: 'start' });
    const batches = new SubscriptionBatches(subscription, Position.START, handlesA, {
      maxEvents: 500,
      maxMs: 10,
      liveSpacingMs: 200,
    });
    await store.append('s-1', [event('A')], 'no_stream');
    // Idle: the first live batch goes at once.
    const first = await batches.next(never);
    expect(first!.events).toHaveLength(1);

    // Three events 20 ms apart, all within 200 ms of the first batch: one batch.
    const appending = (async () => {
      for (let revision = 0n; revision < 3n; revision++) {
        await store.append('s-1', [event('A')], revision);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const second = await batches.next(never);
    await appending;
    expect(second).toMatchObject({ live: true });
    expect(second!.events.map((one) => one.position.toString())).toEqual(['1', '2', '3']);

    await subscription.close();
  });

  it('given live events another projection handles, they are gathered for checkpointOnlyWaitMs into one checkpoint-only batch', async () => {
    const store = new MemoryEventStore();
    const subscription = store.subscribeToAll({ fromPosition: 'start' });
    const batches = new SubscriptionBatches(subscription, Position.START, handlesA, {
      maxEvents: 500,
      maxMs: 10,
      checkpointOnlyWaitMs: 200,
    });
    await store.append('s-1', [event('A')], 'no_stream');
    await batches.next(never);

    // Three events this projection ignores, 20 ms apart: one batch that only moves the checkpoint.
    const appending = (async () => {
      for (let revision = 0n; revision < 3n; revision++) {
        await store.append('s-1', [event('B')], revision);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const batch = await batches.next(never);
    await appending;
    expect(batch).toMatchObject({ live: true, events: [] });
    expect(batch!.position.toString()).toBe('3');
    await subscription.close();
  });

  it('given a checkpoint-only batch waiting, an event it handles ends the wait', async () => {
    const store = new MemoryEventStore();
    const subscription = store.subscribeToAll({ fromPosition: 'start' });
    const batches = new SubscriptionBatches(subscription, Position.START, handlesA, {
      maxEvents: 500,
      maxMs: 10,
      checkpointOnlyWaitMs: 60_000,
    });
    await store.append('s-1', [event('A')], 'no_stream');
    await batches.next(never);

    await store.append('s-1', [event('B')], 0n);
    const next = batches.next(never);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.append('s-1', [event('A')], 1n);
    // Without the handled event ending the wait, this would wait a minute (past the test's timeout).
    const batch = await next;
    expect(batch!.events.map((one) => one.position.toString())).toEqual(['2']);
    expect(batch!.position.toString()).toBe('2');
    await subscription.close();
  });

  it('given no live spacing, each live event that arrives alone is its own batch', async () => {
    const store = new MemoryEventStore();
    const subscription = store.subscribeToAll({ fromPosition: 'start' });
    const batches = new SubscriptionBatches(subscription, Position.START, handlesA, { maxEvents: 500, maxMs: 10 });
    await store.append('s-1', [event('A')], 'no_stream');
    await batches.next(never);
    const appending = (async () => {
      for (let revision = 0n; revision < 3n; revision++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        await store.append('s-1', [event('A')], revision);
      }
    })();
    const sizes: number[] = [];
    for (let index = 0; index < 3; index++) sizes.push((await batches.next(never))!.events.length);
    await appending;
    expect(sizes).toEqual([1, 1, 1]);
    await subscription.close();
  });

  it('returns null once aborted while waiting', async () => {
    const store = new MemoryEventStore();
    const subscription = store.subscribeToAll({ fromPosition: 'start' });
    const batches = new SubscriptionBatches(subscription, Position.START, handlesA, { maxEvents: 10, maxMs: 10 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);
    expect(await batches.next(abort.signal)).toBeNull();
    await subscription.close();
  });
});
