import { ruleViolated, type Decider, type DomainEvent } from '@tracershop/domain/kernel';
import {
  EventStoreUnavailableError,
  EventTooLargeError,
  MemoryEventStore,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
} from '@tracershop/event-store';
import type { CommandDefinition } from './command-definition';
import type { CommandContext } from './command-context';
import { ConcurrentModificationError } from './command-errors';
import { CommandPipeline, derivedEventId, type CommandOutcome } from './command-pipeline';

type CounterEvent = DomainEvent<'Counted', { by: number }>;
interface CountBy {
  id: string;
  by: number;
}
const counter: Decider<CountBy, CounterEvent, { total: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.by }),
  decide: (command, state) => {
    if (command.by < 0) throw ruleViolated('NEGATIVE', 'counts only go up', { by: command.by });
    if (command.by === 0 || state.total >= 100) return [];
    return [{ type: 'Counted', data: { by: command.by } }];
  },
};

function definition(retryOnConflict: boolean): CommandDefinition<CountBy, CounterEvent, { total: number }> {
  return {
    name: 'CountBy',
    decider: counter,
    streamOf: (command) => `test.counter-${command.id}`,
    retryOnConflict,
    schemaVersionOf: () => 2,
  };
}

const context = (causationId: string): CommandContext => ({
  actor: { kind: 'system', id: 'system', printedName: 'Tracershop system', role: 'system' },
  correlationId: 'corr',
  causationId,
});

/** A store where another writer gets in before each of our first `interruptions` appends. */
function racingStore(inner: EventStore, interruptions: number): EventStore {
  let left = interruptions;
  const store = Object.create(inner) as EventStore;
  store.append = async (streamId: string, events: NewEvent[], expected: ExpectedRevision) => {
    if (left-- > 0) {
      await inner.append(
        streamId,
        [{ ...events[0], metadata: { ...events[0].metadata, eventId: crypto.randomUUID() } }],
        expected,
      );
    }
    return inner.append(streamId, events, expected);
  };
  return store;
}

describe('CommandPipeline', () => {
  const fixedNow = new Date('2026-11-22T08:00:00.000Z');

  it('given an empty stream, when a command decides an event, then it is appended with server metadata', async () => {
    const store = new MemoryEventStore();
    const pipeline = new CommandPipeline({ store, clock: { now: () => fixedNow } });
    const result = await pipeline.execute(definition(false), { id: 'a', by: 5 }, context('req-1'));
    expect(result).toEqual({ streamId: 'test.counter-a', revision: '0', position: '0', events: ['Counted'] });
    const [stored] = await store.readStream('test.counter-a');
    expect(stored.metadata).toMatchObject({
      eventId: derivedEventId('req-1', 0),
      schemaVersion: 2,
      recordedAt: fixedNow.toISOString(),
      occurredAt: fixedNow.toISOString(),
      actor: { id: 'system' },
      correlationId: 'corr',
      causationId: 'req-1',
    });
  });

  it('given state, when the decider decides nothing, then nothing is appended and the head is reported', async () => {
    const store = new MemoryEventStore();
    const pipeline = new CommandPipeline({ store });
    await pipeline.execute(definition(false), { id: 'b', by: 100 }, context('req-1'));
    const result = await pipeline.execute(definition(false), { id: 'b', by: 1 }, context('req-2'));
    expect(result).toEqual({ streamId: 'test.counter-b', revision: '0', position: '0', events: [] });
  });

  it('when the decider throws a domain error, then it reaches the caller and nothing is written', async () => {
    const store = new MemoryEventStore();
    const outcomes: CommandOutcome[] = [];
    const pipeline = new CommandPipeline({
      store,
      observer: { commandFinished: (_, outcome) => outcomes.push(outcome), appendFinished: () => undefined },
    });
    await expect(pipeline.execute(definition(false), { id: 'c', by: -1 }, context('r'))).rejects.toMatchObject({
      code: 'NEGATIVE',
    });
    expect(await store.headPosition()).toBeNull();
    expect(outcomes).toEqual(['rejected']);
  });

  it('given a concurrent write, when the command may retry, then it decides again on the fresh state', async () => {
    const inner = new MemoryEventStore();
    const pipeline = new CommandPipeline({ store: racingStore(inner, 2), conflictRetries: 3 });
    const result = await pipeline.execute(definition(true), { id: 'd', by: 5 }, context('req-1'));
    expect(result.revision).toBe('2');
    expect((await inner.readStream('test.counter-d')).map((event) => event.data)).toEqual([
      { by: 5 },
      { by: 5 },
      { by: 5 },
    ]);
  });

  it('given a concurrent write, when the command may not retry, then it fails with a conflict', async () => {
    const inner = new MemoryEventStore();
    const pipeline = new CommandPipeline({ store: racingStore(inner, 1) });
    await expect(pipeline.execute(definition(false), { id: 'e', by: 5 }, context('req-1'))).rejects.toBeInstanceOf(
      ConcurrentModificationError,
    );
  });

  it('given retries are exhausted, then the conflict is reported', async () => {
    const inner = new MemoryEventStore();
    const pipeline = new CommandPipeline({ store: racingStore(inner, 10), conflictRetries: 2 });
    await expect(pipeline.execute(definition(true), { id: 'f', by: 5 }, context('req-1'))).rejects.toMatchObject({
      attempts: 3,
    });
  });

  it('given the same cause twice, then the second run writes nothing', async () => {
    const store = new MemoryEventStore();
    const pipeline = new CommandPipeline({ store });
    await pipeline.execute(definition(false), { id: 'g', by: 5 }, context('req-1'));
    const again = await pipeline.execute(definition(false), { id: 'g', by: 5 }, context('req-1'));
    expect(again.events).toEqual([]);
    expect(await store.readStream('test.counter-g')).toHaveLength(1);
  });

  it('runs an enrich with side effects once, and one that only loads also speculatively', async () => {
    const store = new MemoryEventStore();
    const pipeline = new CommandPipeline({ store });
    for (const enrichOnlyLoads of [false, true]) {
      let runs = 0;
      const enriching: CommandDefinition<CountBy, CounterEvent, { total: number }> = {
        ...definition(false),
        enrichOnlyLoads,
        enrich: async (command, load) => {
          runs += 1;
          await load('test.counter-other', counter);
          return command;
        },
      };
      await pipeline.execute(enriching, { id: `e-${enrichOnlyLoads}`, by: 1 }, context(`req-e-${enrichOnlyLoads}`));
      expect({ enrichOnlyLoads, runs }).toEqual({ enrichOnlyLoads, runs: enrichOnlyLoads ? 2 : 1 });
    }
  });

  it('derives stable, distinct version-5 style event ids', () => {
    expect(derivedEventId('x', 0)).toBe(derivedEventId('x', 0));
    expect(derivedEventId('x', 0)).not.toBe(derivedEventId('x', 1));
    expect(derivedEventId('x', 0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  describe('append hooks', () => {
    it('given beforeAppend throws, then nothing is appended and afterAppend is not called', async () => {
      const store = new MemoryEventStore();
      const calls: string[] = [];
      const pipeline = new CommandPipeline({ store });
      const guarded = {
        ...definition(false),
        beforeAppend: () => Promise.reject(new Error('name taken')),
        afterAppend: () => (calls.push('after'), Promise.resolve()),
      };
      await expect(pipeline.execute(guarded, { id: 'h', by: 1 }, context('r'))).rejects.toThrow('name taken');
      expect(await store.headPosition()).toBeNull();
      expect(calls).toEqual([]);
    });

    it('given the append conflicts, then appendFailed undoes beforeAppend on each attempt', async () => {
      const calls: string[] = [];
      const pipeline = new CommandPipeline({ store: racingStore(new MemoryEventStore(), 1), conflictRetries: 1 });
      const hooked = {
        ...definition(true),
        beforeAppend: ({ before, after }: { before: { total: number }; after: { total: number } }) => (
          calls.push(`before ${before.total}->${after.total}`),
          Promise.resolve()
        ),
        appendFailed: () => (calls.push('failed'), Promise.resolve()),
        afterAppend: () => (calls.push('after'), Promise.resolve()),
      };
      await pipeline.execute(hooked, { id: 'i', by: 2 }, context('r'));
      expect(calls).toEqual(['before 0->2', 'failed', 'before 2->4', 'after']);
    });

    const hookedCalls = (calls: string[]) => ({
      ...definition(true),
      beforeAppend: () => (calls.push('before'), Promise.resolve()),
      appendFailed: () => (calls.push('failed'), Promise.resolve()),
    });

    it('given the same cause stored its events before, when the append meets them, then nothing is undone', async () => {
      const store = new MemoryEventStore();
      const pipeline = new CommandPipeline({ store });
      await pipeline.execute(definition(true), { id: 'j', by: 1 }, context('first-run'));
      await pipeline.execute(definition(true), { id: 'j', by: 1 }, context('someone-else'));
      const calls: string[] = [];
      // A retry of the first run, decided on the newer state: its event id is stored, at another revision.
      const result = await pipeline.execute(hookedCalls(calls), { id: 'j', by: 1 }, context('first-run'));
      expect(result.events).toEqual([]);
      expect(calls).toEqual(['before']);
    });

    /** A store whose appends fail with `error`, after writing the events when `written`. */
    function failingStore(inner: EventStore, error: Error, written = false): EventStore {
      const store = Object.create(inner) as EventStore;
      store.append = async (streamId: string, events: NewEvent[], expected: ExpectedRevision) => {
        if (written) await inner.append(streamId, events, expected);
        throw error;
      };
      return store;
    }

    it('given an append the store refused as it is, then appendFailed undoes beforeAppend and the error reaches the caller', async () => {
      const calls: string[] = [];
      const refused = new EventTooLargeError('test.counter-k', 5_000_000, 4_194_304);
      const pipeline = new CommandPipeline({ store: failingStore(new MemoryEventStore(), refused) });
      await expect(pipeline.execute(hookedCalls(calls), { id: 'k', by: 1 }, context('r'))).rejects.toBe(refused);
      expect(calls).toEqual(['before', 'failed']);
    });

    it.each([
      ['a lost connection', Object.assign(new Error('connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' })],
      ['an outcome the store cannot know', new EventStoreUnavailableError('its outcome may be unknown')],
    ])(
      'given an append that failed with %s after the store wrote it, then what beforeAppend did stays',
      async (_, error) => {
        const calls: string[] = [];
        const inner = new MemoryEventStore();
        const pipeline = new CommandPipeline({ store: failingStore(inner, error, true) });
        await expect(pipeline.execute(hookedCalls(calls), { id: 'l', by: 1 }, context('r'))).rejects.toBe(error);
        expect(calls).toEqual(['before']);
      },
    );
  });
});
