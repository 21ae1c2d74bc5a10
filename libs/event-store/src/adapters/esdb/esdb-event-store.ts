import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  StreamNotFoundError as EsdbStreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type Filter,
  type JSONType,
  type Position as EsdbPosition,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  assertValidExpectedRevision,
  assertValidStreamId,
  chainEvents,
  checkNewEvents,
  DEFAULT_MAX_EVENT_BYTES,
  describeRevision,
  expectationHolds,
  type PreparedEvent,
} from '../../append-preparation';
import type { NewEvent, RecordedEvent } from '../../envelope';
import { EventStoreUnavailableError, StreamNotFoundError, WrongExpectedVersionError } from '../../errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadDirection,
  ReadStreamOptions,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionFilter,
} from '../../event-store';
import { originalResultOfRetry, type StoredEventRef } from '../../idempotent-append';
import { Position } from '../../position';
import { asStoreError, isSystemEventType, toRecordedEvent } from './esdb-records';
import { EsdbSubscription } from './esdb-subscription';

export interface EsdbEventStoreOptions {
  maxEventBytes?: number;
  /** Attempts for an `any`/`stream_exists` append that keeps losing races to other writers. */
  maxAppendAttempts?: number;
  /** How many of the newest events an `any`/`stream_exists` append searches for its own ids (a retry). */
  retrySearchWindow?: number;
  /** How many appended event ids this instance remembers to refuse reuse in another stream. */
  recentEventIds?: number;
  /** Messages a subscription buffers before it pauses the server stream. */
  subscriptionBufferSize?: number;
  /** Events per request when paging through `$all`. */
  readPageSize?: number;
}

interface StreamHead {
  /** -1n when the stream has no events. */
  revision: bigint;
  hash: string | null;
}

/**
 * The event store on EventStoreDB through `@eventstore/db-client`.
 *
 * EventStoreDB checks expected revisions but knows nothing of our hash chain, so every append
 * reads the stream head first, chains against it and appends with that exact revision: a writer
 * that raced us makes the append fail instead of breaking the chain. EventStoreDB's own event-id
 * deduplication is a cache, so idempotent retries are decided here by reading the stream.
 *
 * Cross-stream reuse of an event id is refused only when this instance made the first append
 * (a bounded memory of recent ids): EventStoreDB has no index by event id to ask.
 */
export class EsdbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly maxEventBytes: number;
  private readonly maxAppendAttempts: number;
  private readonly retrySearchWindow: number;
  private readonly recentEventIdLimit: number;
  private readonly subscriptionBufferSize: number;
  private readonly readPageSize: number;
  private readonly recentEventIds = new Map<string, StoredEventRef>();
  private readonly subscriptions = new Set<EsdbSubscription>();

  /** Takes ownership of the client: `close()` disposes it. */
  constructor(connection: string | EventStoreDBClient, options: EsdbEventStoreOptions = {}) {
    this.client = typeof connection === 'string' ? EventStoreDBClient.connectionString(connection) : connection;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.maxAppendAttempts = options.maxAppendAttempts ?? 25;
    this.retrySearchWindow = options.retrySearchWindow ?? 100;
    this.recentEventIdLimit = options.recentEventIds ?? 100_000;
    this.subscriptionBufferSize = options.subscriptionBufferSize ?? 500;
    this.readPageSize = options.readPageSize ?? 500;
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    assertValidStreamId(streamId);
    assertValidExpectedRevision(expected);
    const checked = checkNewEvents(events, this.maxEventBytes);
    const eventIds = checked.map(({ event }) => event.metadata.eventId);
    for (let attempt = 1; ; attempt++) {
      const { head, stored } = await this.inspect(streamId, eventIds, expected);
      const original = originalResultOfRetry(streamId, eventIds, expected, stored);
      if (original) return original;
      if (!expectationHolds(expected, head.revision)) {
        throw new WrongExpectedVersionError(streamId, describeRevision(expected), describeRevision(head.revision));
      }
      const prepared = chainEvents(checked, head.hash);
      const written = await this.write(streamId, prepared, head.revision);
      if (written) {
        this.remember(streamId, eventIds, written, head.revision);
        return written;
      }
      // Another writer got in between. A caller-given revision is now decided by the next read
      // (its own earlier events, or a conflict); `any`/`stream_exists` re-chain on the new head.
      if (attempt >= this.maxAppendAttempts) {
        throw new WrongExpectedVersionError(streamId, describeRevision(expected), describeRevision(head.revision));
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 10) * 2));
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertValidStreamId(streamId);
    const direction = options.direction ?? 'forwards';
    const events = await this.readStreamOrUndefined(streamId, {
      direction,
      fromRevision: options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end'),
      maxCount: options.maxCount ?? Number.MAX_SAFE_INTEGER,
    });
    if (!events) throw new StreamNotFoundError(streamId);
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    const out: RecordedEvent[] = [];
    // EventStoreDB reads $all forwards *from* a position (inclusive), and $all holds system
    // events we skip, so page until enough of ours are found strictly after the given position.
    let after = options.fromPosition ?? Position.START;
    while (out.length < maxCount) {
      const want = Math.min(maxCount - out.length, this.readPageSize) + 1;
      const pageStart = after;
      const page = await this.readAllPage(after.isStart() ? START : toEsdbPosition(after), FORWARDS, want);
      for (const resolved of page) {
        const event = resolved.event;
        if (!event?.position || out.length >= maxCount) continue;
        const position = Position.of(event.position.commit, event.position.prepare);
        if (!position.isAfter(after)) continue;
        after = position;
        if (!isSystemEventType(event.type)) out.push(toRecordedEvent(event));
      }
      if (page.length < want) break;
      if (!after.isAfter(pageStart)) throw stuckPage(pageStart);
    }
    return out;
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const from = options.fromPosition ?? 'start';
    const subscription: EsdbSubscription = new EsdbSubscription(
      async (checkpointReached) => {
        // `end` is resolved to the head now, so the caughtUp position names a real place.
        const start =
          from === 'end' ? ((await this.headPosition()) ?? Position.START) : from === 'start' ? Position.START : from;
        const source = this.client.subscribeToAll({
          fromPosition: start.isStart() ? START : toEsdbPosition(start),
          filter: serverFilter(options.filter, (_, position) => checkpointReached(position)),
        });
        return { source, start };
      },
      options.filter,
      this.subscriptionBufferSize,
      () => this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<Position | null> {
    // The newest entries of $all are often the server's own (stats, metadata): look further back.
    let before: Position | undefined;
    let want = 1;
    for (;;) {
      const pageStart = before;
      const page = await this.readAllPage(before ? toEsdbPosition(before) : END, BACKWARDS, want);
      for (const resolved of page) {
        const event = resolved.event;
        if (!event?.position) continue;
        const position = Position.of(event.position.commit, event.position.prepare);
        if (before && !position.isBefore(before)) continue;
        before = position;
        if (!isSystemEventType(event.type)) return position;
      }
      if (page.length < want) return null;
      if (!before || (pageStart && !before.isBefore(pageStart))) throw stuckPage(pageStart ?? Position.START);
      want = this.readPageSize;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    try {
      await this.client.dispose();
    } catch (error) {
      throw asStoreError(error, 'dispose');
    }
  }

  /**
   * The stream's head (revision -1n when it has no events) and where this append's event ids are
   * already stored. An append with a revision or `no_stream` can only have landed right after that
   * revision; one with `any`/`stream_exists` is looked for in the newest events, read in the same
   * request as the head.
   */
  private async inspect(
    streamId: string,
    eventIds: string[],
    expected: ExpectedRevision,
  ): Promise<{ head: StreamHead; stored: StoredEventRef[] }> {
    const anywhere = expected === 'any' || expected === 'stream_exists';
    const newest =
      (await this.readStreamOrUndefined(streamId, {
        direction: 'backwards',
        fromRevision: 'end',
        maxCount: anywhere ? Math.max(1, this.retrySearchWindow) : 1,
      })) ?? [];
    const last = newest[0];
    const head: StreamHead = last
      ? { revision: last.revision, hash: last.metadata.hash ?? null }
      : { revision: -1n, hash: null };
    let candidates = newest;
    if (!anywhere && head.revision >= 0n) {
      const from = expected === 'no_stream' ? 0n : (expected as bigint) + 1n;
      candidates =
        from > head.revision
          ? []
          : ((await this.readStreamOrUndefined(streamId, {
              direction: 'forwards',
              fromRevision: from,
              maxCount: eventIds.length,
            })) ?? []);
    }
    const found = new Map<string, StoredEventRef>();
    const wanted = new Set(eventIds);
    for (const event of candidates) {
      const eventId = event.metadata.eventId;
      if (wanted.has(eventId))
        found.set(eventId, { eventId, streamId, revision: event.revision, position: event.position });
    }
    for (const eventId of eventIds) {
      const recent = this.recentEventIds.get(eventId);
      if (recent && !found.has(eventId)) found.set(eventId, recent);
    }
    return { head, stored: [...found.values()] };
  }

  /** Appends at exactly `current`; resolves undefined when another writer moved the stream first. */
  private async write(streamId: string, prepared: PreparedEvent[], current: bigint): Promise<AppendResult | undefined> {
    try {
      const result = await this.client.appendToStream(
        streamId,
        prepared.map((event) =>
          jsonEvent({
            id: event.eventId,
            type: event.type,
            // Any JSON value is allowed as data; the client's type only lists objects, arrays and strings.
            data: event.data as JSONType,
            metadata: event.metadata as unknown as JSONType,
          }),
        ),
        { expectedRevision: current < 0n ? NO_STREAM : current },
      );
      if (!result.success) return undefined;
      if (!result.position) throw new EventStoreUnavailableError('EventStoreDB confirmed an append without a position');
      return { nextExpectedRevision: result.nextExpectedRevision, position: fromEsdbPosition(result.position) };
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) return undefined;
      throw asStoreError(error, 'append');
    }
  }

  private remember(streamId: string, eventIds: string[], result: AppendResult, headRevision: bigint): void {
    eventIds.forEach((eventId, index) => {
      const revision = headRevision + 1n + BigInt(index);
      // Only the last event's position is reported; earlier ones are before it, which is all a refusal needs.
      this.recentEventIds.set(eventId, { eventId, streamId, revision, position: result.position });
    });
    for (const oldest of this.recentEventIds.keys()) {
      if (this.recentEventIds.size <= this.recentEventIdLimit) break;
      this.recentEventIds.delete(oldest);
    }
  }

  private async readStreamOrUndefined(
    streamId: string,
    options: { direction: ReadDirection; fromRevision: bigint | 'start' | 'end'; maxCount: number },
  ): Promise<RecordedEvent[] | undefined> {
    const out: RecordedEvent[] = [];
    try {
      const read = this.client.readStream(streamId, {
        direction: options.direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromRevision: toReadRevision(options.fromRevision),
        maxCount: options.maxCount,
      });
      for await (const resolved of read as AsyncIterable<ResolvedEvent>) {
        if (resolved.event) out.push(toRecordedEvent(resolved.event));
      }
      return out;
    } catch (error) {
      if (error instanceof EsdbStreamNotFoundError) return undefined;
      throw asStoreError(error, `read of "${streamId}"`);
    }
  }

  /** One bounded page of $all, read to its end so the server call completes. */
  private async readAllPage(
    from: ReadPosition,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount: number,
  ): Promise<AllStreamResolvedEvent[]> {
    const page: AllStreamResolvedEvent[] = [];
    try {
      for await (const resolved of this.client.readAll({ fromPosition: from, direction, maxCount }))
        page.push(resolved);
      return page;
    } catch (error) {
      throw asStoreError(error, 'read of $all');
    }
  }
}

/** A full page of $all that did not move past where it started would make us read it forever. */
function stuckPage(at: Position): EventStoreUnavailableError {
  return new EventStoreUnavailableError(`EventStoreDB returned a page of $all that does not move past ${at}`, {
    position: at.toString(),
  });
}

function toReadRevision(revision: bigint | 'start' | 'end'): ReadRevision {
  return revision === 'start' ? START : revision === 'end' ? END : revision;
}

function toEsdbPosition(position: Position): EsdbPosition {
  return { commit: position.commit, prepare: position.prepare };
}

function fromEsdbPosition(position: EsdbPosition): Position {
  return Position.of(position.commit, position.prepare);
}

/**
 * One filter runs on the server (stream prefixes when given, else event-type prefixes, else
 * "no system events"); the subscription re-checks the full filter on each event it receives.
 */
function serverFilter(
  filter: SubscriptionFilter | undefined,
  checkpointReached: (subscription: unknown, position: EsdbPosition) => void,
): Filter {
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    return streamNameFilter({ prefixes: filter.streamPrefixes, checkpointReached });
  }
  if (filter?.eventTypePrefixes && filter.eventTypePrefixes.length > 0) {
    return eventTypeFilter({ prefixes: filter.eventTypePrefixes, checkpointReached });
  }
  return excludeSystemEvents({ checkpointReached });
}
