// Imported on its own path so that code without EventStoreDB does not load the gRPC client.
export { EsdbEventStore, type EsdbEventStoreOptions } from './esdb-event-store';
