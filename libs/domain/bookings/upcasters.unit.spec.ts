import { Position, UpcasterRegistry } from '@tracershop/event-store';
import { bookingsEventSchemaVersions } from './schema-versions';
import { bookingsUpcasters } from './upcasters';

const upcasters = bookingsUpcasters.reduce((registry, upcaster) => registry.register(upcaster), new UpcasterRegistry());

describe('bookingsUpcasters', () => {
  it('given a room mapping and a procedure change stored before reasons were required, when read, then they have no reason (null)', () => {
    for (const type of ['LocationMapped', 'ProcedureUpdated'] as const) {
      const read = upcasters.upcast({
        streamId: 'bookings.location-PET1',
        revision: 1n,
        position: Position.of(3n),
        type,
        data: { locationCode: 'PET1' },
        metadata: {
          eventId: '00000000-0000-4000-8000-000000000003',
          schemaVersion: 1,
          occurredAt: '2026-03-02T07:00:00.000Z',
          recordedAt: '2026-03-02T07:00:00.000Z',
          actor: { kind: 'user', id: 'u-rita', printedName: 'Rita', role: 'production' },
          correlationId: 'c',
          causationId: 'c',
          prevHash: 'p',
          hash: 'h',
        },
      });
      expect(read.metadata.schemaVersion).toBe(bookingsEventSchemaVersions[type]);
      expect(read.data).toEqual({ locationCode: 'PET1', reason: null });
    }
  });
});
