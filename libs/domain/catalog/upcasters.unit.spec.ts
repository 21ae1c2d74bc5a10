import { Position, UpcasterRegistry, type RecordedEvent } from '@tracershop/event-store';
import { catalogUpcasters } from './upcasters';

const upcasters = catalogUpcasters.reduce((registry, upcaster) => registry.register(upcaster), new UpcasterRegistry());

function stored(type: string, schemaVersion: number, data: unknown): RecordedEvent {
  return {
    streamId: 'catalog.customer-cust-herlev',
    revision: 1n,
    position: Position.of(9n),
    type,
    data,
    metadata: {
      eventId: '00000000-0000-4000-8000-000000000009',
      schemaVersion,
      occurredAt: '2026-03-02T07:00:00.000Z',
      recordedAt: '2026-03-02T07:00:00.000Z',
      actor: { kind: 'user', id: 'u-rita', printedName: 'Rita', role: 'production' },
      correlationId: 'c',
      causationId: 'c',
      prevHash: 'p',
      hash: 'h',
    },
  };
}

describe('catalogUpcasters', () => {
  const changes = { overheadPercent: { from: 10, to: 25 } };

  it('given a change stored before reasons were required, when read, then it has no reason (null) and keeps its stored original', () => {
    const read = upcasters.upcast(stored('CustomerUpdated', 1, { customerId: 'cust-herlev', changes }));

    expect(read.metadata.schemaVersion).toBe(2);
    expect(read.data).toEqual({ customerId: 'cust-herlev', changes, reason: null });
    expect(read.original).toEqual({ schemaVersion: 1, data: { customerId: 'cust-herlev', changes } });
  });

  it('given a change stored with its reason, when read, then it is read as stored', () => {
    const event = stored('CustomerUpdated', 2, { customerId: 'cust-herlev', changes, reason: 'New contract' });

    expect(upcasters.upcast(event)).toBe(event);
  });
});
