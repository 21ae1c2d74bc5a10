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
  StreamDeletedError as EsdbStreamDeletedError,
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
  StreamRetention,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionFilter,
} from '../../event-store';
import { originalResultOfRetry, type StoredEventRef } from '../../idempotent-append';
import { Position } from '../../position';
import { asStoreError, isServerOwnEvent, toRecordedEvent } from './esdb-records';
import { EsdbSubscription, type NothingDeliveredBetween } from './esdb-subscription';

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
  /**
   * How long a live filtered subscription hears nothing from the server before it asks whether its
   * checkpoint can move to the head (0: never ask). Default 250 ms.
   */
  idleCheckpointMs?: number;
}

/**
 * Records the server's filter scans per page, and the checkpoint interval in those windows: the
 * server reports progress through filtered-out events every 32 records it looks at (its own
 * default, set here so it does not depend on the server's version or settings). Frequent enough
 * that a busy system keeps a filtered subscription close to the head without asking (see
 * `idleCheckpointMs` for a quiet one); small messages, merged by the subscription and the runner.
 */
const FILTER_SEARCH_WINDOW = 32;
const FILTER_CHECKPOINT_WINDOWS = 1;
/** Longest an idle subscription's question to the server may take; unanswered, it is asked again later. */
const IDLE_QUESTION_TIMEOUT_MS = 10_000;

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
  private readonly idleCheckpointMs: number;
  private readonly recentEventIds = new Map<string, StoredEventRef>();
  private readonly subscriptions = new Set<EsdbSubscription>();
  private idleWatch?: NodeJS.Timeout;
  private closed = false;

  /** Takes ownership of the client: `close()` disposes it. */
  constructor(connection: string | EventStoreDBClient, options: EsdbEventStoreOptions = {}) {
    this.client = typeof connection === 'string' ? EventStoreDBClient.connectionString(connection) : connection;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.maxAppendAttempts = options.maxAppendAttempts ?? 25;
    this.retrySearchWindow = options.retrySearchWindow ?? 100;
    this.recentEventIdLimit = options.recentEventIds ?? 100_000;
    this.subscriptionBufferSize = options.subscriptionBufferSize ?? 500;
    this.readPageSize = options.readPageSize ?? 500;
    this.idleCheckpointMs = options.idleCheckpointMs ?? 250;
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
        if (!isServerOwnEvent(event)) out.push(toRecordedEvent(event));
      }
      if (page.length < want) break;
      if (!after.isAfter(pageStart)) throw stuckPage(pageStart);
    }
    return out;
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    const filter = options.filter;
    // Unfiltered, every event of ours reaches the subscription, so its position keeps up by itself.
    const subscription = this.openSubscription(
      options.fromPosition ?? 'start',
      filter,
      filter && ((after, head) => this.nothingDeliveredBetween(after, head, filter)),
    );
    this.watchIdleSubscriptions();
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
        if (!isServerOwnEvent(event)) return position;
      }
      if (page.length < want) return null;
      if (!before || (pageStart && !before.isBefore(pageStart))) throw stuckPage(pageStart ?? Position.START);
      want = this.readPageSize;
    }
  }

  async retentionOf(streamId: string): Promise<StreamRetention | null> {
    assertValidStreamId(streamId);
    try {
      const { metadata } = await this.client.getStreamMetadata(streamId);
      const retention: StreamRetention = {
        ...(metadata?.maxAge !== undefined ? { maxAge: Number(metadata.maxAge) } : {}),
        ...(metadata?.maxCount !== undefined ? { maxCount: Number(metadata.maxCount) } : {}),
        // A soft delete sets truncate-before to the stream's end.
        ...(metadata?.truncateBefore !== undefined && metadata.truncateBefore !== START && metadata.truncateBefore !== 0
          ? { truncateBefore: String(metadata.truncateBefore) }
          : {}),
      };
      return Object.keys(retention).length > 0 ? retention : null;
    } catch (error) {
      // A hard-deleted (tombstoned) stream's metadata is gone with it.
      if (error instanceof EsdbStreamDeletedError) return { deleted: true };
      throw asStoreError(error, `metadata read of "${streamId}"`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleWatch);
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    try {
      await this.client.dispose();
    } catch (error) {
      throw asStoreError(error, 'dispose');
    }
  }

  private openSubscription(
    from: Position | 'start' | 'end',
    filter: SubscriptionFilter | undefined,
    nothingDeliveredBetween?: NothingDeliveredBetween,
  ): EsdbSubscription {
    const subscription: EsdbSubscription = new EsdbSubscription(
      async (checkpointReached) => {
        // `end` is resolved to the head now, so the caughtUp position names a real place.
        const start =
          from === 'end' ? ((await this.headPosition()) ?? Position.START) : from === 'start' ? Position.START : from;
        const source = this.client.subscribeToAll({
          fromPosition: start.isStart() ? START : toEsdbPosition(start),
          filter: serverFilter(filter, (_, position) => checkpointReached(position)),
        });
        return { source, start };
      },
      filter,
      this.subscriptionBufferSize,
      () => this.subscriptions.delete(subscription),
      nothingDeliveredBetween,
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Every `idleCheckpointMs` while subscriptions are open: reads the end of $all once for all live
   * subscriptions that heard nothing from the server, and lets each move its checkpoint there.
   */
  private watchIdleSubscriptions(): void {
    if (this.idleWatch || this.closed || this.idleCheckpointMs <= 0) return;
    this.idleWatch = setTimeout(() => void this.checkpointIdleSubscriptions(), this.idleCheckpointMs);
    // Only open subscriptions keep the process alive, not this watch.
    this.idleWatch.unref();
  }

  private async checkpointIdleSubscriptions(): Promise<void> {
    const idle = [...this.subscriptions].filter((subscription) => subscription.isIdle());
    try {
      const head = idle.length > 0 ? await this.endOfAll() : null;
      // Not awaited: one slow answer must not hold up the others' next turn.
      if (head) for (const subscription of idle) void subscription.checkpointAtHead(head);
    } catch {
      // The store is unreachable: the subscriptions report it themselves; the next turn asks again.
    }
    this.idleWatch = undefined;
    if (this.subscriptions.size > 0) this.watchIdleSubscriptions();
  }

  /**
   * Position of the newest record in $all, the server's own included: one record read, where
   * `headPosition` may page back past them. A checkpoint there is as good, since those are never delivered.
   */
  private async endOfAll(): Promise<Position | null> {
    const [newest] = await this.readAllPage(END, BACKWARDS, 1);
    return newest?.event ? fromEsdbPosition(newest.event.position) : null;
  }

  /**
   * Asks the server, with the subscription's own filter, whether any event the subscription
   * delivers lies after `after` and up to `head`: a filtered subscription from `after` that stops at
   * the first message past `head` or at catching up. The server scans the events; only matches and
   * its checkpoints travel.
   */
  private async nothingDeliveredBetween(after: Position, head: Position, filter: SubscriptionFilter): Promise<boolean> {
    const probe = this.openSubscription(after, filter);
    // Closing ends the loop below without an answer.
    const giveUp = setTimeout(() => void probe.close(), IDLE_QUESTION_TIMEOUT_MS);
    try {
      for await (const message of probe) {
        const reached = message.kind === 'event' ? message.event.position : message.position;
        if (message.kind === 'event') return reached.isAfter(head);
        // `caughtUp`: every matching event up to the server's head (at least `head`) came first.
        if (message.kind === 'caughtUp' || !reached.isBefore(head)) return true;
      }
      return false;
    } finally {
      clearTimeout(giveUp);
      await probe.close();
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
      throw asStoreError(error, `append to "${streamId}"`, streamId);
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
      throw asStoreError(error, `read of "${streamId}"`, streamId);
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
  const progress = {
    maxSearchWindow: FILTER_SEARCH_WINDOW,
    checkpointInterval: FILTER_CHECKPOINT_WINDOWS,
    checkpointReached,
  };
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    return streamNameFilter({ prefixes: filter.streamPrefixes, ...progress });
  }
  if (filter?.eventTypePrefixes && filter.eventTypePrefixes.length > 0) {
    return eventTypeFilter({ prefixes: filter.eventTypePrefixes, ...progress });
  }
  return excludeSystemEvents(progress);
}
