import type { EventStore } from '@tracershop/event-store';

/**
 * Direct access to an adapter's stored records, to prove that the hash chain catches tampering.
 * Adapters whose storage the test cannot reach (a real EventStoreDB server) provide none.
 */
export interface StoredRecordTamper {
  /** Overwrites the stored data of one event. */
  replaceData(streamId: string, revision: bigint, data: unknown): Promise<void>;
  /** Overwrites one stored metadata field (not the hash). */
  replaceMetadataField(streamId: string, revision: bigint, field: string, value: unknown): Promise<void>;
  /** Removes one event and renumbers the revisions after it, as a careless DBA would. */
  removeEvent(streamId: string, revision: bigint): Promise<void>;
  /** Swaps the content of two events of one stream, keeping their revisions. */
  swapEvents(streamId: string, a: bigint, b: bigint): Promise<void>;
}

export interface ContractSubject {
  store: EventStore;
  tamper?: StoredRecordTamper;
  /** A second, independent store over the same storage, for cross-connection races (optional). */
  createPeer?(): Promise<EventStore>;
  dispose(): Promise<void>;
}

export interface ContractFixture {
  /** Shown in test names: `memory`, `mysql`, `esdb (wire server)`, `esdb (EVENTSTORE_URL)`. */
  name: string;
  /** Largest event the adapter is configured to accept, to test the size limit. */
  maxEventBytes: number;
  /**
   * Largest append the store takes in one write, where it limits the whole append and not only each
   * event (EventStoreDB's `MaxAppendSize`); absent where only events are limited.
   */
  maxAppendBytes?: number;
  /** Whether `create()` returns a `tamper` (false for a real server, whose storage tests cannot reach). */
  tamperable: boolean;
  /** Called once per suite (beforeAll); tests use unique stream names, so one store serves all. */
  create(): Promise<ContractSubject>;
}
