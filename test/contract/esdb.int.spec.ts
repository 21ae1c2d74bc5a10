import type { LogRecord } from '@tracershop/event-store/adapters/memory/in-memory-log';
import { EsdbEventStore } from '@tracershop/event-store/adapters/esdb/esdb-event-store';
import { startEsdbWireServer } from '../esdb-wire/esdb-wire-server';
import type { WirePayload } from '../esdb-wire/wire-records';
import type { StoredRecordTamper } from './contract-fixture';
import { eventStoreContract } from './event-store.contract';

const MAX_EVENT_BYTES = 2 * 1024 * 1024;
/** What docker-compose.yml gives its EventStoreDB (`EVENTSTORE_MAX_APPEND_SIZE`). */
const COMPOSE_MAX_APPEND_BYTES = 4 * 1024 * 1024;

eventStoreContract({
  name: 'esdb (wire server)',
  maxEventBytes: MAX_EVENT_BYTES,
  maxAppendBytes: COMPOSE_MAX_APPEND_BYTES,
  tamperable: true,
  create: async () => {
    const server = await startEsdbWireServer({ maxAppendBytes: COMPOSE_MAX_APPEND_BYTES });
    const stores: EsdbEventStore[] = [];
    const open = () => {
      const store = new EsdbEventStore(server.url, { maxEventBytes: MAX_EVENT_BYTES });
      stores.push(store);
      return store;
    };
    const records = (streamId: string): Array<LogRecord<WirePayload>> => {
      const found = server.log.recordsOf(streamId);
      if (!found) throw new Error(`no stream ${streamId}`);
      return found;
    };
    const tamper: StoredRecordTamper = {
      replaceData: (streamId, revision, data) => {
        records(streamId)[Number(revision)].payload.data = Buffer.from(JSON.stringify(data), 'utf8');
        return Promise.resolve();
      },
      replaceMetadataField: (streamId, revision, field, value) => {
        const payload = records(streamId)[Number(revision)].payload;
        const metadata = JSON.parse(Buffer.from(payload.customMetadata).toString('utf8')) as Record<string, unknown>;
        payload.customMetadata = Buffer.from(JSON.stringify({ ...metadata, [field]: value }), 'utf8');
        return Promise.resolve();
      },
      removeEvent: (streamId, revision) => {
        const list = records(streamId);
        list.splice(Number(revision), 1);
        list.forEach((record, index) => (record.revision = BigInt(index)));
        return Promise.resolve();
      },
      swapEvents: (streamId, a, b) => {
        const list = records(streamId);
        const first = list[Number(a)].payload;
        list[Number(a)].payload = list[Number(b)].payload;
        list[Number(b)].payload = first;
        return Promise.resolve();
      },
    };
    return {
      store: open(),
      tamper,
      createPeer: () => Promise.resolve(open()),
      dispose: async () => {
        await Promise.all(stores.map((store) => store.close()));
        await server.close();
      },
    };
  },
});

const eventStoreUrl = process.env.EVENTSTORE_URL;
if (eventStoreUrl) {
  eventStoreContract({
    name: 'esdb (EVENTSTORE_URL)',
    maxEventBytes: MAX_EVENT_BYTES,
    // The server's own setting: the same variable the server reads, compose's value when unset.
    maxAppendBytes: Number(process.env.EVENTSTORE_MAX_APPEND_SIZE ?? COMPOSE_MAX_APPEND_BYTES),
    tamperable: false,
    create: () => {
      const stores: EsdbEventStore[] = [];
      const open = () => {
        const store = new EsdbEventStore(eventStoreUrl, { maxEventBytes: MAX_EVENT_BYTES });
        stores.push(store);
        return store;
      };
      return Promise.resolve({
        store: open(),
        createPeer: () => Promise.resolve(open()),
        dispose: async () => {
          await Promise.all(stores.map((store) => store.close()));
        },
      });
    },
  });
}
