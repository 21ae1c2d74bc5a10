import type { NewEvent, RecordedEvent } from './envelope';
import type { Position } from './position';

/**
 * What the writer expects the stream to be at:
 * - a revision (bigint): the stream's last event has exactly this revision;
 * - `no_stream`: the stream has no events;
 * - `stream_exists`: the stream has at least one event;
 * - `any`: no check (still hash-chained and idempotent on event ids).
 */
export type ExpectedRevision = bigint | 'no_stream' | 'stream_exists' | 'any';

export interface AppendResult {
  /** Revision of the last event of this append; pass it as the next expected revision. */
  nextExpectedRevision: bigint;
  /** Global position of the last event of this append. */
  position: Position;
}

export type ReadDirection = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  /** First revision to read (inclusive); defaults to `start` forwards and `end` backwards. */
  fromRevision?: bigint | 'start' | 'end';
  direction?: ReadDirection;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events strictly after this position; defaults to the start. */
  fromPosition?: Position;
  maxCount?: number;
}

/** Server-side filter for `$all` subscriptions. An event passes if it matches every given list. */
export interface SubscriptionFilter {
  /** Stream ids that start with one of these (e.g. `ordering.`). */
  streamPrefixes?: string[];
  /** Event types that start with one of these (an exact type is its own prefix). */
  eventTypePrefixes?: string[];
}

export interface SubscribeToAllOptions {
  /** `start`, `end` (only live events), or a stored position: events strictly after it. */
  fromPosition?: Position | 'start' | 'end';
  filter?: SubscriptionFilter;
}

export type SubscriptionMessage =
  | { kind: 'event'; event: RecordedEvent }
  /** Every event up to `position` has been delivered; what follows is live. Sent once. */
  | { kind: 'caughtUp'; position: Position }
  /** Progress through filtered-out events, so a filtered subscriber can checkpoint. */
  | { kind: 'checkpoint'; position: Position };

/**
 * A catch-up subscription: events in global order, then `caughtUp`, then live events.
 * Iterate it with `for await`; `close()` ends the iteration. A failure of the underlying
 * connection ends the iteration with an error: resubscribing from a checkpoint is the caller's job.
 */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

/**
 * What stream metadata makes the store forget (EventStoreDB's `$maxAge`, `$maxCount`, `$tb`) or
 * whether the stream was deleted. GMP streams must have none of it (gmp.md, EventStoreDB rule 2).
 */
export interface StreamRetention {
  maxAge?: number;
  maxCount?: number;
  truncateBefore?: string;
  deleted?: boolean;
}

/** The event store port. Every adapter passes the contract suite in `test/contract`. */
export interface EventStore {
  /**
   * Appends events atomically. Computes the hash chain against the stream's actual last event.
   * Re-appending the same event ids with the same expectation returns the first result and
   * writes nothing.
   */
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;

  /** Throws `StreamNotFoundError` when the stream has no events. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** Events of every stream in global order, strictly after `fromPosition`. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  subscribeToAll(options?: SubscribeToAllOptions): Subscription;

  /** Position of the newest event, or null when the store is empty. */
  headPosition(): Promise<Position | null>;

  /**
   * The stream's retention or deletion, null when it has none. Only a store that can be told to
   * forget has it (EventStoreDB); the others cannot, and leave it out.
   */
  retentionOf?(streamId: string): Promise<StreamRetention | null>;

  close(): Promise<void>;
}
