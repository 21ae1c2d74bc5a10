import type { TracershopConfig } from '@tracershop/config';
import type { EventStore } from '@tracershop/event-store';

/**
 * The configured event store: EventStoreDB when EVENTSTORE_URL is set, otherwise the MySQL store
 * (its database is created and migrated on first start). Adapters load on demand so a process
 * never pulls in a client it does not use.
 */
export async function openEventStore(config: TracershopConfig): Promise<EventStore> {
  if (config.eventStoreUrl) {
    const { EsdbEventStore } = await import('@tracershop/event-store/adapters/esdb');
    return new EsdbEventStore(config.eventStoreUrl, { maxEventBytes: config.maxEventBytes });
  }
  const { MysqlEventStore } = await import('@tracershop/event-store/adapters/mysql');
  return MysqlEventStore.open({
    connection: { ...config.mysql },
    database: config.databases.events,
    maxEventBytes: config.maxEventBytes,
  });
}
