import { EventStoreDBClient } from '@eventstore/db-client';
import { verifyAllStreams } from '@tracershop/event-store';
import { EsdbEventStore } from '@tracershop/event-store/adapters/esdb/esdb-event-store';
import { events, uniqueStream } from '../contract/event-fixtures';
import { type EsdbWireServer, startEsdbWireServer } from './esdb-wire-server';

describe('verification on EventStoreDB: GMP streams set to forget (gmp.md, EventStoreDB rule 2)', () => {
  let server: EsdbWireServer;
  let store: EsdbEventStore;

  beforeEach(async () => {
    server = await startEsdbWireServer();
    store = new EsdbEventStore(server.url);
  });

  afterEach(async () => {
    await store.close();
    await server.close();
  });

  it('given stream metadata with a maximum age on a GMP stream, then verification names the stream and the limit', async () => {
    const gmp = uniqueStream('ordering.vial');
    const kept = uniqueStream('ordering.vial');
    const telemetry = uniqueStream('telemetry.session');
    await store.append(gmp, events(2), 'no_stream');
    await store.append(kept, events(1), 'no_stream');
    await store.append(telemetry, events(1), 'no_stream');
    // Someone with metadata rights sets retention behind the application's back
    const raw = EventStoreDBClient.connectionString(server.url);
    try {
      await raw.setStreamMetadata(gmp, { maxAge: 3600, maxCount: 5 });
      await raw.setStreamMetadata(telemetry, { maxAge: 60 });
    } finally {
      await raw.dispose();
    }

    expect(await store.retentionOf(kept)).toBeNull();
    const report = await verifyAllStreams(store, undefined, undefined, {
      protectedStream: (streamId) => !streamId.startsWith('telemetry.'),
    });
    expect(report.retention).toEqual([{ streamId: gmp, maxAge: 3600, maxCount: 5 }]);
    expect(report.broken).toEqual([]);
  });
});
