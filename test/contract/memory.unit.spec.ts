import { MemoryEventStore } from '@tracershop/event-store';
import type { LogRecord } from '@tracershop/event-store/adapters/memory/in-memory-log';
import type { MemoryPayload } from '@tracershop/event-store/adapters/memory/memory-event-store';
import { eventStoreContract } from './event-store.contract';

const MAX_EVENT_BYTES = 2 * 1024 * 1024;

eventStoreContract({
  name: 'memory',
  maxEventBytes: MAX_EVENT_BYTES,
  tamperable: true,
  create: () => {
    const store = new MemoryEventStore({ maxEventBytes: MAX_EVENT_BYTES });
    const records = (streamId: string): Array<LogRecord<MemoryPayload>> => {
      const found = store.log.recordsOf(streamId);
      if (!found) throw new Error(`no stream ${streamId}`);
      return found;
    };
    return Promise.resolve({
      store,
      tamper: {
        replaceData: (streamId, revision, data) => {
          records(streamId)[Number(revision)].payload.data = data;
          return Promise.resolve();
        },
        replaceMetadataField: (streamId, revision, field, value) => {
          const payload = records(streamId)[Number(revision)].payload;
          payload.metadata = { ...payload.metadata, [field]: value };
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
      },
      dispose: () => store.close(),
    });
  },
});
