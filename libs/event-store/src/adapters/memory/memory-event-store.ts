import {
  assertValidExpectedRevision,
  assertValidStreamId,
  chainEvents,
  checkNewEvents,
  DEFAULT_MAX_EVENT_BYTES,
  describeRevision,
  expectationHolds,
} from '../../append-preparation';
import { catchUpSubscription } from '../../catch-up-subscription';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../envelope';
import { StreamNotFoundError, WrongExpectedVersionError } from '../../errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeToAllOptions,
  Subscription,
} from '../../event-store';
import { originalResultOfRetry, type StoredEventRef } from '../../idempotent-append';
import { Position } from '../../position';
import { InMemoryLog, type LogRecord } from './in-memory-log';

export interface MemoryPayload {
  data: unknown;
  metadata: EventMetadata;
}

export interface MemoryEventStoreOptions {
  maxEventBytes?: number;
}

/** The event store in process memory: for unit tests and as the wire test server's backing log. */
export class MemoryEventStore implements EventStore {
  readonly log = new InMemoryLog<MemoryPayload>();
  private readonly maxEventBytes: number;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    // Everything below runs synchronously, so no other append interleaves between check and write.
    try {
      assertValidStreamId(streamId);
      assertValidExpectedRevision(expected);
      const checked = checkNewEvents(events, this.maxEventBytes);
      const eventIds = checked.map(({ event }) => event.metadata.eventId);
      const found = eventIds
        .map((id) => this.log.findByEventId(id))
        .filter((record): record is LogRecord<MemoryPayload> => record !== undefined)
        .map((record): StoredEventRef => ({ ...record, position: Position.of(record.position) }));
      const original = originalResultOfRetry(streamId, eventIds, expected, found);
      if (original) return Promise.resolve(original);
      const current = this.log.revisionOf(streamId);
      if (!expectationHolds(expected, current)) {
        throw new WrongExpectedVersionError(streamId, describeRevision(expected), describeRevision(current));
      }
      const prepared = chainEvents(checked, this.log.lastOf(streamId)?.payload.metadata.hash ?? null);
      const written = this.log.append(
        streamId,
        prepared.map((event) => ({
          eventId: event.eventId,
          type: event.type,
          payload: { data: event.data, metadata: event.metadata },
        })),
      );
      const last = written[written.length - 1];
      return Promise.resolve({ nextExpectedRevision: last.revision, position: Position.of(last.position) });
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    try {
      assertValidStreamId(streamId);
      const direction = options.direction ?? 'forwards';
      const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
      const records = this.log.readStream(streamId, from, direction, options.maxCount ?? Number.MAX_SAFE_INTEGER);
      if (!records) throw new StreamNotFoundError(streamId);
      return Promise.resolve(records.map(toRecordedEvent));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.fromPosition ?? Position.START;
    const records = this.log.readAfter(after.commit, options.maxCount ?? Number.MAX_SAFE_INTEGER);
    return Promise.resolve(records.map(toRecordedEvent));
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    return catchUpSubscription(
      {
        readAfter: (after, maxCount) => this.readAll({ fromPosition: after, maxCount }),
        head: () => this.headPosition(),
        waitForEventsAfter: (after, signal) => this.log.waitForRecordsAfter(after.commit, signal),
      },
      options,
    );
  }

  headPosition(): Promise<Position | null> {
    const head = this.log.head();
    return Promise.resolve(head < 0n ? null : Position.of(head));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function toRecordedEvent(record: LogRecord<MemoryPayload>): RecordedEvent {
  return {
    streamId: record.streamId,
    revision: record.revision,
    position: Position.of(record.position),
    type: record.type,
    data: structuredClone(record.payload.data),
    metadata: structuredClone(record.payload.metadata),
  };
}
