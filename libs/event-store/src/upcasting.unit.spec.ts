import type { RecordedEvent } from './envelope';
import { Position } from './position';
import { UpcasterRegistry } from './upcasting';

function stored(type: string, schemaVersion: number, data: unknown): RecordedEvent {
  return {
    streamId: 'ordering.activityOrder-1',
    revision: 0n,
    position: Position.of(7n),
    type,
    data,
    metadata: {
      eventId: '00000000-0000-4000-8000-000000000001',
      schemaVersion,
      occurredAt: '2020-01-01T00:00:00.000Z',
      recordedAt: '2020-01-01T00:00:00.000Z',
      actor: { kind: 'system', id: 'import', printedName: 'Import', role: 'system' },
      correlationId: 'c',
      causationId: 'c',
      prevHash: null,
      hash: 'h',
    },
  };
}

describe('UpcasterRegistry', () => {
  const registry = new UpcasterRegistry()
    .register({
      type: 'OrderPlaced',
      fromVersion: 1,
      toVersion: 2,
      upcast: (data) => ({ ...(data as object), usage: 'human' }),
    })
    .register({
      type: 'OrderPlaced',
      fromVersion: 2,
      toVersion: 3,
      upcast: (data) => {
        const { amount, ...rest } = data as { amount: number };
        return { ...rest, activityMBq: amount };
      },
    });

  it('given a v1 event, then it is upcast through every version and the stored original is kept', () => {
    const original = stored('OrderPlaced', 1, { amount: 300 });
    const current = registry.upcast(original);
    expect(current.data).toEqual({ usage: 'human', activityMBq: 300 });
    expect(current.metadata.schemaVersion).toBe(3);
    expect(current.original).toEqual({ schemaVersion: 1, data: { amount: 300 } });
    expect(original.data).toEqual({ amount: 300 });
    expect(original.metadata.schemaVersion).toBe(1);
  });

  it('given an upcaster that edits its input in place, then the stored event and its original stay as stored', () => {
    const editing = new UpcasterRegistry().register({
      type: 'VialDispensed',
      fromVersion: 1,
      toVersion: 2,
      upcast: (data) => Object.assign(data as { unit?: string }, { unit: 'MBq' }),
    });
    const event = stored('VialDispensed', 1, { activity: 500 });
    const upcast = editing.upcast(event);
    expect(upcast.data).toEqual({ activity: 500, unit: 'MBq' });
    expect(event.data).toEqual({ activity: 500 });
    expect(upcast.original?.data).toEqual({ activity: 500 });
    // Upcast again (another subscriber sharing the event): the same result, from the stored data.
    expect(editing.upcast(event).data).toEqual({ activity: 500, unit: 'MBq' });
    expect(editing.upcast(event).metadata.schemaVersion).toBe(2);
  });

  it('given a current event, then it is returned unchanged', () => {
    const event = stored('OrderPlaced', 3, { activityMBq: 1 });
    expect(registry.upcast(event)).toBe(event);
  });

  it('given another type, then it is untouched', () => {
    const event = stored('OrderCancelled', 1, { reason: 'x' });
    expect(registry.upcast(event)).toBe(event);
  });

  it('knows the current version of a type', () => {
    expect(registry.currentVersion('OrderPlaced', 1)).toBe(3);
    expect(registry.currentVersion('OrderCancelled', 1)).toBe(1);
  });

  it('refuses an upcaster that skips a version or repeats one', () => {
    expect(() =>
      new UpcasterRegistry().register({ type: 'X', fromVersion: 1, toVersion: 3, upcast: (d) => d }),
    ).toThrow();
    const one = { type: 'X', fromVersion: 1, toVersion: 2, upcast: (d: unknown) => d };
    expect(() => new UpcasterRegistry().register(one).register(one)).toThrow(/already registered/);
  });
});
