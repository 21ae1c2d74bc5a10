import { createPool, format, type Pool, type PoolConnection, type PoolOptions } from 'mysql2/promise';
import {
  assertValidExpectedRevision,
  assertValidStreamId,
  chainEventTexts,
  checkNewEvents,
  DEFAULT_MAX_EVENT_BYTES,
  describeRevision,
  expectationHolds,
  type ChainedEventText,
  type CheckedEvent,
} from '../../append-preparation';
import { catchUpSubscription, matchesFilter, type CatchUpSource } from '../../catch-up-subscription';
import type { EventMetadata, NewEvent, RecordedEvent } from '../../envelope';
import {
  EventStoreError,
  EventStoreUnavailableError,
  InvalidEventError,
  InvalidStreamNameError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '../../errors';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionFilter,
} from '../../event-store';
import { originalResultOfRetry, type StoredEventRef } from '../../idempotent-append';
import { Position } from '../../position';
import { HeadWatcher } from './head-watcher';
import { assertValidDatabaseName, quoteIdentifier } from './database-migration';
import { DEFAULT_EVENT_STORE_DATABASE, migrateEventStoreSchema } from './mysql-event-store-schema';
import { boundedSilence } from './session-timeouts';
import { sqlInteger, sqlNullableString, sqlString } from './sql-text';

export interface MysqlEventStoreOptions {
  /** A mysql2/promise pool owned by the caller; `close()` leaves it open. */
  pool?: Pool;
  /**
   * Settings for the pools the store creates (and ends on `close()`); used when `pool` is absent.
   * The server's max_allowed_packet must hold one event escaped (about twice `maxEventBytes`).
   */
  connection?: PoolOptions;
  /** The event store database; tables are always qualified with it. Default `tracershop_events`. */
  database?: string;
  maxEventBytes?: number;
  /** Most appends one group transaction takes from the queue. */
  maxGroupAppends?: number;
  /** Most events one group transaction takes (an append larger than this still goes alone). */
  maxGroupEvents?: number;
  /**
   * Group transactions sent before the ones ahead of them have committed (default 2). A later one
   * waits on the server for the head lock, so this process prepares and sends it while the earlier
   * one commits instead of leaving the server idle in between.
   */
  maxGroupsInFlight?: number;
  /** Stream heads (revision and last hash) remembered between appends. Default 50,000. */
  streamHeadCacheSize?: number;
  /** Events per `readAfter` batch of a subscription. */
  subscriptionBatchSize?: number;
  /**
   * How often live subscriptions poll the head for appends of other processes: `minMs` while it
   * keeps moving, backing off to `maxMs` while idle (defaults 5 and 50). A hint through `headMoved`
   * wakes them sooner; while hints keep up with the head, the poll backs off as if idle.
   */
  headPoll?: { minMs?: number; maxMs?: number };
  /**
   * Longest a writer session may stay silent inside its group transaction before the server ends
   * it (its `wait_timeout` while the transaction is open; default 30 s). The transaction holds the
   * head row, which every append of every process waits for: a writer whose host crashed or was
   * cut off must not keep it for the hours the server waits by default. A live writer is silent
   * only while it decides a group between two round trips (milliseconds). Keep it below the
   * server's `innodb_lock_wait_timeout` (50 s by default), so the appends waiting behind such a
   * writer get the lock before their wait times out.
   */
  idleTransactionTimeoutSeconds?: number;
}

/** One stream of a `readStreams` call: its events from `fromRevision` (inclusive) on. */
export interface StreamReadRequest {
  streamId: string;
  fromRevision: bigint;
}

interface PendingAppend {
  streamId: string;
  expected: ExpectedRevision;
  checked: CheckedEvent[];
  eventIds: string[];
  eventCount: number;
  resolve(result: AppendResult): void;
  reject(error: Error): void;
}

/** SQL with `?` placeholders and its parameters, or finished SQL text (no parameters). */
type Statement = [sql: string, params?: unknown[]];

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: Error };

/** A stream's head: revision -1n (and no hash) for a stream known not to exist. */
interface StreamHead {
  revision: bigint;
  lastHash: string | null;
}

interface StreamState extends StreamHead {
  lastPosition: bigint;
  changed: boolean;
}

/** A stream head as planning knows it, and which group wrote it (0: known committed). */
interface CachedHead extends StreamHead {
  sequence: number;
}

/**
 * What this process knows of the store, so that a group can be planned without reading it first.
 * It holds while nobody else writes: every planned group checks that under the head lock (the
 * guard) and goes down the locking path when the check fails.
 */
interface WriteState {
  /** The head position the next group builds on (-1n for an empty store), groups in flight included. */
  head: bigint;
  /** Stream heads as of `head`, least recently used first (a bounded cache). */
  streams: Map<string, CachedHead>;
}

/** A group planned on the known state: its statements and the result of every append in it. */
interface PlannedGroup {
  statements: Statement[];
  results: AppendResult[];
  head: bigint;
  sequence: number;
}

/** What the locking path learned: outcomes, and the store as it stood at its commit. */
interface LockedWrite {
  outcomes: Outcome[];
  /** The head after the commit, or null when the group wrote nothing. */
  head: bigint | null;
  /** The head found under the lock, before this group's events. */
  headBefore: bigint;
  /** Every stream of the group as of the commit. */
  streams: Map<string, StreamHead>;
}

interface EventRow {
  position: string | number;
  stream_id: string;
  revision: string | number;
  type: string;
  data: string | null;
  metadata: string | null;
}

const DEFAULT_MAX_GROUP_APPENDS = 500;
const DEFAULT_MAX_GROUP_EVENTS = 5_000;
const DEFAULT_MAX_GROUPS_IN_FLIGHT = 2;
const DEFAULT_STREAM_HEAD_CACHE_SIZE = 50_000;
const DEFAULT_IDLE_TRANSACTION_TIMEOUT_SECONDS = 30;
/** Rows per INSERT stay well below the default max_allowed_packet (16 MiB on MariaDB, 64 MiB on MySQL 8). */
const INSERT_CHUNK_BYTES = 4 * 1024 * 1024;
const INSERT_CHUNK_ROWS = 1_000;
const ID_LOOKUP_CHUNK = 1_000;
/**
 * Most bytes sent in one multi-statement request. Below the default max_allowed_packet (16 MiB on
 * MariaDB, 64 MiB on MySQL 8) even for an insert chunk whose escaping doubles its size.
 */
const PACKET_BUDGET_BYTES = 12 * 1024 * 1024;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Lock errors: the transaction is rolled back (explicitly, for a lock wait timeout) and can run again. */
const LOCK_ERROR_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const CONNECTION_ERROR_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * The event store in MySQL / MariaDB (schema: `migrations/eventstore`).
 *
 * Global positions are gap-free and become visible in commit order by design: every append
 * transaction locks the single head row before it assigns positions and holds the lock until it
 * commits, so no transaction can commit a higher position while a lower one is still open.
 * Throughput comes from group commit: appends made while transactions are running queue up and
 * go together in the next one. Each append in a group is checked on its own (idempotent retry,
 * expected revision), so one failing append rejects alone and the others still commit.
 *
 * A group takes one of two paths:
 * - planned: when this process knows the heads of the streams involved (it wrote them last, and
 *   nobody else has written since) or the append creates its stream, the group is checked, chained
 *   and written without reading first, in one request: lock the head, check under the lock that the
 *   store is as planned (else fail: the guard), insert, commit. The unique keys refuse what the
 *   plan cannot see (a retried event id, a stream that exists after all). Any failure rolls the
 *   group back and sends it down the locking path, so a plan never decides an outcome differently.
 * - locking: lock the head, read stream heads and event ids under the lock, decide, write, commit.
 *
 * Up to `maxGroupsInFlight` planned groups are in flight at once, each planned on the outcome of
 * the ones before it; their transactions still queue on the head lock, and the guard also checks
 * that the stream heads a group builds on were stored as planned, so a group never commits on top
 * of a predecessor that did not.
 */
export class MysqlEventStore implements EventStore {
  /** Reads. */
  private readonly pool: Pool;
  /** Group transactions. */
  private readonly writer: Pool;
  private readonly writerTakesBatches: boolean;
  private readonly ownsPool: boolean;
  private readonly table: { events: string; streams: string; head: string };
  private readonly maxEventBytes: number;
  private readonly maxGroupAppends: number;
  private readonly maxGroupEvents: number;
  private readonly maxGroupsInFlight: number;
  private readonly streamHeadCacheSize: number;
  private readonly subscriptionBatchSize: number;
  /** Bounds a group transaction's silence (see `idleTransactionTimeoutSeconds`), and lifts the bound after it. */
  private readonly silence: { bound: Statement; restore: Statement };
  private readonly watcher: HeadWatcher;
  private readonly subscriptions = new Set<Subscription>();
  /** Subscription reads asked for in this turn of the event loop, by `after` and limit; see `readForSubscription`. */
  private subscriptionReads = new Map<string, SubscriptionRead[]>();
  private subscriptionReadsScheduled = false;
  private readonly commitListeners = new Set<(head: Position) => void>();
  private queue: PendingAppend[] = [];
  /** Known state including the groups in flight; null when unknown (the next group locks and reads). */
  private state: WriteState | null = null;
  /** Counts planned groups that failed: a state captured before a failure is not trusted after it. */
  private failures = 0;
  /** Numbers planned groups; the last one known committed. */
  private groupSequence = 0;
  private committedSequence = 0;
  /** The head after this process's last commit, to tell whether anyone else wrote since. */
  private lastKnownHead: bigint | null = null;
  private inFlight = 0;
  /** Settles once every group sent so far has settled; groups settle in the order they were sent. */
  private settled: Promise<void> = Promise.resolve();
  private pumpScheduled = false;
  private idleWaiters: Array<() => void> = [];
  private closing: Promise<void> | null = null;
  private ended = false;

  constructor(options: MysqlEventStoreOptions) {
    const database = options.database ?? DEFAULT_EVENT_STORE_DATABASE;
    assertValidDatabaseName(database);
    const qualified = (name: string) => `${quoteIdentifier(database)}.${quoteIdentifier(name)}`;
    this.table = { events: qualified('events'), streams: qualified('streams'), head: qualified('head') };
    this.maxGroupsInFlight = Math.max(1, options.maxGroupsInFlight ?? DEFAULT_MAX_GROUPS_IN_FLIGHT);
    if (options.pool) {
      // A caller's pool: writes go through it one statement per round trip.
      this.pool = options.pool;
      this.writer = options.pool;
      this.writerTakesBatches = false;
      this.ownsPool = false;
    } else if (options.connection) {
      // Positions and revisions are BIGINT: read them as strings and convert, never as lossy doubles.
      const settings: PoolOptions = { ...options.connection, supportBigNumbers: true, bigNumberStrings: true };
      this.pool = createPool({ ...settings, multipleStatements: false });
      // One session per group in flight; each takes several statements per round trip (only text
      // this store built from checked values), which keeps the serial section under the head lock short.
      this.writer = createPool({
        ...settings,
        connectionLimit: this.maxGroupsInFlight,
        maxIdle: this.maxGroupsInFlight,
        multipleStatements: true,
        namedPlaceholders: false,
        // mysql2 scans every statement for placeholders, even without parameters; the append
        // statements arrive as finished text of tens of kilobytes, which it would scan in vain.
        queryFormat: ((sql: string, values: unknown) =>
          Array.isArray(values) && values.length > 0
            ? format(sql, values, settings.stringifyObjects, settings.timezone)
            : sql) as PoolOptions['queryFormat'],
      });
      this.writerTakesBatches = true;
      this.ownsPool = true;
    } else {
      throw new Error('MysqlEventStore needs either a pool or connection options');
    }
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.maxGroupAppends = options.maxGroupAppends ?? DEFAULT_MAX_GROUP_APPENDS;
    this.maxGroupEvents = options.maxGroupEvents ?? DEFAULT_MAX_GROUP_EVENTS;
    this.streamHeadCacheSize = Math.max(0, options.streamHeadCacheSize ?? DEFAULT_STREAM_HEAD_CACHE_SIZE);
    this.subscriptionBatchSize = options.subscriptionBatchSize ?? 500;
    const silence = boundedSilence(
      options.idleTransactionTimeoutSeconds ?? DEFAULT_IDLE_TRANSACTION_TIMEOUT_SECONDS,
      'tracershop_writer_wait_timeout',
    );
    this.silence = { bound: [silence.bound], restore: [silence.restore] };
    this.watcher = new HeadWatcher(() => this.readHead(), {
      minIntervalMs: options.headPoll?.minMs,
      maxIntervalMs: options.headPoll?.maxMs,
    });
  }

  /**
   * Listens to this process's appends: called with the head after each committed group, e.g. to
   * tell other processes (`headMoved`). Returns the way to stop listening.
   */
  onCommitted(listener: (head: Position) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Another process says it committed up to `head`: live subscriptions waiting before it read now
   * instead of at their next poll. A hint only: they read what is there, so a late, lost or wrong
   * hint costs a poll interval or a read, never an event.
   */
  headMoved(head: Position): void {
    if (!this.ended) this.watcher.committed(head.commit);
  }

  private committed(head: bigint): void {
    this.watcher.committed(head);
    if (this.commitListeners.size === 0) return;
    const position = Position.of(head);
    for (const listener of this.commitListeners) {
      try {
        listener(position);
      } catch {
        // A listener's failure is its own; the append has committed.
      }
    }
  }

  /** Creates the database and runs pending migrations, then opens the store: for first start. */
  static async open(options: MysqlEventStoreOptions & { connection: PoolOptions }): Promise<MysqlEventStore> {
    await migrateEventStoreSchema(options.connection, options.database ?? DEFAULT_EVENT_STORE_DATABASE);
    return new MysqlEventStore(options);
  }

  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    // Everything is checked before queueing, so bad input never reaches (or fails) a group transaction.
    let checked: CheckedEvent[];
    try {
      if (this.closing) throw new EventStoreUnavailableError('The event store is closed');
      assertStorableStreamId(streamId);
      assertValidExpectedRevision(expected);
      checked = checkNewEvents(events, this.maxEventBytes);
      for (const [index, { event }] of checked.entries()) {
        if (LONE_SURROGATE.test(event.type)) throw new InvalidEventError('type is not well-formed Unicode', { index });
      }
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({
        streamId,
        expected,
        checked,
        eventIds: checked.map(({ event }) => event.metadata.eventId),
        eventCount: checked.length,
        resolve,
        reject,
      });
      // On the next turn, so appends issued together land in the same group.
      this.schedulePump();
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    assertStorableStreamId(streamId);
    const direction = options.direction ?? 'forwards';
    const from = options.fromRevision ?? (direction === 'forwards' ? 'start' : 'end');
    const limit = limitOf(options.maxCount);
    let rows: EventRow[] = [];
    const nothingToRead = limit === 0 || (direction === 'forwards' && from === 'end');
    if (!nothingToRead) {
      const conditions = ['stream_id = ?'];
      const params: unknown[] = [streamId];
      if (direction === 'forwards' && typeof from === 'bigint') {
        conditions.push('revision >= ?');
        params.push(from);
      } else if (direction === 'backwards' && from !== 'end') {
        conditions.push('revision <= ?');
        params.push(from === 'start' ? 0n : from);
      }
      const order = direction === 'forwards' ? 'ASC' : 'DESC';
      rows = await this.select<EventRow>(
        `SELECT position, stream_id, revision, type, data, metadata FROM ${this.table.events}
         WHERE ${conditions.join(' AND ')} ORDER BY revision ${order}${limit === null ? '' : ' LIMIT ?'}`,
        limit === null ? params : [...params, limit],
      );
    }
    if (rows.length === 0) {
      const exists = await this.select(`SELECT 1 FROM ${this.table.events} WHERE stream_id = ? LIMIT 1`, [streamId]);
      if (exists.length === 0) throw new StreamNotFoundError(streamId);
    }
    return rows.map(toRecordedEvent);
  }

  /**
   * Several streams in one query, each forwards from its own revision (inclusive) to its end. A
   * stream with no events from there (or none at all) reads as an empty list, not an error: the
   * caller folds what it gets onto what it had. Every stream is read as of the same statement, so
   * the answer is one consistent snapshot of the committed store.
   */
  async readStreams(requests: readonly StreamReadRequest[]): Promise<Map<string, RecordedEvent[]>> {
    const result = new Map<string, RecordedEvent[]>();
    const from = new Map<string, bigint>();
    for (const { streamId, fromRevision } of requests) {
      assertStorableStreamId(streamId);
      if (fromRevision < 0n) throw new RangeError(`fromRevision must not be negative (stream ${streamId})`);
      const earlier = from.get(streamId);
      from.set(streamId, earlier === undefined || fromRevision < earlier ? fromRevision : earlier);
      result.set(streamId, []);
    }
    if (from.size === 0) return result;
    const conditions: string[] = [];
    const params: unknown[] = [];
    for (const [streamId, fromRevision] of from) {
      conditions.push('(stream_id = ? AND revision >= ?)');
      params.push(streamId, fromRevision);
    }
    const rows = await this.select<EventRow>(
      `SELECT position, stream_id, revision, type, data, metadata FROM ${this.table.events}
       WHERE ${conditions.join(' OR ')} ORDER BY stream_id, revision`,
      params,
    );
    for (const row of rows) result.get(row.stream_id)?.push(toRecordedEvent(row));
    return result;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = (options.fromPosition ?? Position.START).commit;
    return this.readContiguous(after, limitOf(options.maxCount));
  }

  subscribeToAll(options: SubscribeToAllOptions = {}): Subscription {
    // Consecutive empty reads although the head said there was more: a position is not visible
    // yet (or the table was altered). Wait and read again; never step over the missing position.
    let emptyReads = 0;
    const source: CatchUpSource = {
      readAfter: async (after, maxCount) => {
        if (this.ended) throw new EventStoreUnavailableError('The event store is closed');
        const events = await this.readForSubscription(after.commit, maxCount, options.filter);
        emptyReads = events.length === 0 ? emptyReads + 1 : 0;
        return events;
      },
      head: () => this.headPosition(),
      waitForEventsAfter: (after, signal) =>
        emptyReads >= 2
          ? abortableDelay(Math.min(5 * 2 ** (emptyReads - 2), 50), signal)
          : this.watcher.waitAfter(after.commit, signal),
    };
    const inner = catchUpSubscription(source, options, this.subscriptionBatchSize);
    const tracked: Subscription = {
      [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator](),
      close: async () => {
        this.subscriptions.delete(tracked);
        await inner.close();
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }

  async headPosition(): Promise<Position | null> {
    const head = await this.readHead();
    return head < 0n ? null : Position.of(head);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.whenIdle();
      await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
      this.watcher.stop();
      this.ended = true;
      if (this.ownsPool) await Promise.all([this.pool.end(), this.writer.end()]);
    })();
    return this.closing;
  }

  // --- group commit -------------------------------------------------------------------------

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Sends groups while there is room in flight. */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxGroupsInFlight) {
      // A group on unknown state learns it under the lock; later groups wait for what it learns.
      if (this.inFlight > 0 && this.state === null) return;
      const group = this.takeGroup();
      const baseline = this.state;
      const plan = baseline ? this.plan(group, baseline) : null;
      if (!plan) this.state = null;
      const failuresBefore = this.failures;
      const previous = this.settled;
      const pipelined = this.inFlight > 0;
      this.inFlight += 1;
      this.settled = this.runGroup(group, plan, previous, { baseline, failuresBefore, pipelined }).finally(() => {
        this.inFlight -= 1;
        if (this.queue.length > 0) this.schedulePump();
        else if (this.inFlight === 0) this.wakeIdleWaiters();
      });
    }
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  private takeGroup(): PendingAppend[] {
    let events = 0;
    let count = 0;
    while (count < this.queue.length && count < this.maxGroupAppends) {
      const next = this.queue[count];
      if (count > 0 && events + next.eventCount > this.maxGroupEvents) break;
      events += next.eventCount;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  /**
   * Plans a group on the known state, or returns null when an append needs the store read under
   * the lock: a stream whose head is not known (unless the append creates it), an expectation that
   * fails (the append may retry one already stored), an event id twice in the group. A plan moves
   * the state on as if the group committed, so the next group can be planned while it is in flight.
   */
  private plan(group: PendingAppend[], state: WriteState): PlannedGroup | null {
    const seen = new Set<string>();
    const heads = new Map<string, CachedHead & { lastPosition: bigint }>();
    /** Heads written by groups still in flight: the guard checks they are stored as planned. */
    const unconfirmed: Array<[streamId: string, head: CachedHead]> = [];
    const rows: string[] = [];
    const results: AppendResult[] = [];
    const sequence = this.groupSequence + 1;
    let position = state.head;
    for (const append of group) {
      for (const eventId of append.eventIds) {
        if (seen.has(eventId)) return null;
        seen.add(eventId);
      }
      let head: CachedHead | undefined = heads.get(append.streamId);
      if (!head) {
        head = state.streams.get(append.streamId);
        if (head && head.sequence > this.committedSequence) unconfirmed.push([append.streamId, head]);
      }
      // A stream created here: the unique key on (stream, revision) refuses it if it exists after all.
      if (!head && append.expected === 'no_stream') head = { revision: -1n, lastHash: null, sequence: 0 };
      if (!head || !expectationHolds(append.expected, head.revision)) return null;
      const prepared = chainEventTexts(append.checked, head.lastHash);
      let revision = head.revision;
      for (const event of prepared) {
        revision += 1n;
        position += 1n;
        rows.push(this.eventTuple(position, append.streamId, revision, event));
      }
      const lastHash = prepared[prepared.length - 1].hash;
      heads.set(append.streamId, { revision, lastHash, sequence, lastPosition: position });
      results.push({ nextExpectedRevision: revision, position: Position.of(position) });
    }

    const conditions = unconfirmed.map(
      ([streamId, head]) =>
        `AND EXISTS (SELECT 1 FROM ${this.table.events} AS e WHERE e.stream_id = ${sqlString(streamId)}
         AND e.revision = ${sqlInteger(head.revision)} AND e.hash = ${sqlNullableString(head.lastHash)}
         AND e.position <= h.last_position)`,
    );
    const statements: Statement[] = [
      ['START TRANSACTION'],
      // The lock that orders everything, as on the locking path: taken first, held until COMMIT.
      [`SELECT last_position FROM ${this.table.head} WHERE id = 1 FOR UPDATE`],
      // Moves the head only if the store is as planned: the head where the plan starts, and the
      // stream heads written by groups still in flight stored as planned.
      [
        `UPDATE ${this.table.head} AS h SET h.last_position = ${sqlInteger(position)}
         WHERE h.id = 1 AND h.last_position = ${sqlInteger(state.head)} ${conditions.join(' ')}`,
      ],
      // Fails the request (more than one row INTO a variable) unless the UPDATE matched.
      ['SELECT 1 INTO @tracershop_append_guard FROM (SELECT 1 AS n UNION ALL SELECT 2) AS two WHERE ROW_COUNT() <> 1'],
      ...this.insertStatements(rows),
      this.saveStreamsStatement([...heads].map(([streamId, head]) => [streamId, head])),
      ['COMMIT'],
    ];
    this.groupSequence = sequence;
    for (const [streamId, head] of heads) {
      this.remember(state.streams, streamId, { revision: head.revision, lastHash: head.lastHash, sequence });
    }
    state.head = position;
    return { statements, results, head: position, sequence };
  }

  /** Runs one group and settles every caller in it, after the groups sent before it; never throws. */
  private async runGroup(
    group: PendingAppend[],
    plan: PlannedGroup | null,
    previous: Promise<void>,
    sent: { baseline: WriteState | null; failuresBefore: number; pipelined: boolean },
  ): Promise<void> {
    let baseline = sent.baseline;
    if (plan) {
      // Refused by the guard or a unique key, or the connection failed: rolled back (or, after a
      // lost connection, possibly committed, which the locking path finds by the event ids).
      let failure = await this.attempt(plan.statements);
      await previous;
      // Sent behind a group in flight, it can reach the server first and find the head not moved
      // yet. Once every group before it has committed as planned, the plan holds: send it again.
      if (failure !== null && sent.pipelined && isGuardRefusal(failure) && this.failures === sent.failuresBefore) {
        failure = await this.attempt(plan.statements);
      }
      if (failure === null) {
        this.committedSequence = plan.sequence;
        this.lastKnownHead = plan.head;
        // A group before this one failed after this one was planned: the state no longer includes it.
        if (this.failures !== sent.failuresBefore) this.state = null;
        this.committed(plan.head);
        plan.results.forEach((result, index) => group[index].resolve(result));
        return;
      }
      this.failures += 1;
      this.state = null;
      baseline = null;
    } else {
      await previous;
    }

    const written = await this.writeLockedWithRetry(group);
    if (!written) return;
    const end = written.head ?? written.headBefore;
    // Nobody else wrote since this process last did: what the lock showed stays true until the next
    // foreign write, which the guard detects. Otherwise keep taking the lock until writers go quiet.
    const alone = this.lastKnownHead !== null && written.headBefore === this.lastKnownHead;
    this.lastKnownHead = end;
    if (alone && this.inFlight === 1) {
      const streams =
        baseline !== null && this.failures === sent.failuresBefore ? baseline.streams : new Map<string, CachedHead>();
      for (const [streamId, head] of written.streams) this.remember(streams, streamId, { ...head, sequence: 0 });
      this.state = { head: end, streams };
    }
    if (written.head !== null) this.committed(written.head);
    written.outcomes.forEach((outcome, index) => {
      if (outcome.ok) group[index].resolve(outcome.result);
      else group[index].reject(outcome.error);
    });
  }

  /** Keeps a stream head, newest use last, and forgets the oldest beyond the cache size. */
  private remember(streams: Map<string, CachedHead>, streamId: string, head: CachedHead): void {
    streams.delete(streamId);
    streams.set(streamId, head);
    while (streams.size > this.streamHeadCacheSize) {
      const oldest = streams.keys().next();
      if (oldest.done) break;
      streams.delete(oldest.value);
    }
  }

  /** The locking path with one retry; rejects every caller and returns null when it gives up. */
  private async writeLockedWithRetry(group: PendingAppend[]): Promise<LockedWrite | null> {
    try {
      return await this.writeLocked(group);
    } catch (first) {
      if (!isRetryable(first)) {
        for (const append of group) {
          append.reject(unavailable('The append transaction failed; nothing was written', first));
        }
        return null;
      }
      // Safe to retry as a whole: the first attempt either rolled back, or it committed and the
      // retry finds its event ids and returns the original results (idempotent appends).
      try {
        return await this.writeLocked(group);
      } catch (second) {
        for (const append of group) {
          append.reject(
            unavailable(
              'The append transaction failed twice; its outcome may be unknown: retry with the same event ids',
              second,
            ),
          );
        }
        return null;
      }
    }
  }

  /** Runs a planned group's transaction; returns what made it fail, or null once it committed. */
  private async attempt(statements: Statement[]): Promise<unknown> {
    try {
      await this.transaction(statements);
      return null;
    } catch (error) {
      return error ?? new Error('the append transaction failed');
    }
  }

  /** Runs statements as one transaction on a writer session: rolled back (or the session ended) on failure. */
  private async transaction(statements: Statement[]): Promise<void> {
    const connection = await this.writer.getConnection();
    let broken = false;
    try {
      await this.run(connection, [this.silence.bound, ...statements, this.silence.restore]);
    } catch (error) {
      broken = await this.abandon(connection, error);
      throw error;
    } finally {
      if (!broken) connection.release();
    }
  }

  /**
   * Ends a failed transaction: rolls back and lifts the idle bound, or ends the session for good when
   * it is broken or keeps the bound. Returns whether the session was ended.
   */
  private async abandon(connection: PoolConnection, error: unknown): Promise<boolean> {
    if (isConnectionError(error)) {
      connection.destroy();
      await this.killSession(connection.threadId);
      return true;
    }
    try {
      await this.run(connection, [['ROLLBACK'], this.silence.restore]);
      return false;
    } catch {
      // A session that may still have the bound (or the transaction) does not go back to the pool.
      connection.destroy();
      await this.killSession(connection.threadId);
      return true;
    }
  }

  /**
   * One group transaction in two round trips where the session allows several statements per
   * request: the locking reads, then the writes with COMMIT. The head lock is held from the
   * first round trip to COMMIT, so fewer round trips means a shorter serial section. The session's
   * silence is bounded from the first round trip to the COMMIT: a writer that goes silent in
   * between (its host gone) cannot hold the head lock for longer than that.
   */
  private async writeLocked(group: PendingAppend[]): Promise<LockedWrite> {
    const connection = await this.writer.getConnection();
    let broken = false;
    try {
      const streamIds = [...new Set(group.map((append) => append.streamId))];
      const eventIds = group.flatMap((append) => append.eventIds);
      const idChunks = chunksOf(eventIds, ID_LOOKUP_CHUNK);
      const [, , headRows, streamRows, ...idRows] = await this.run(connection, [
        this.silence.bound,
        ['START TRANSACTION'],
        // The lock that orders everything: taken first, held until COMMIT, so positions commit in order.
        [`SELECT last_position FROM ${this.table.head} WHERE id = 1 FOR UPDATE`],
        [
          `SELECT stream_id, current_revision, last_hash, last_position FROM ${this.table.streams}
           WHERE stream_id IN (?) FOR UPDATE`,
          [streamIds],
        ],
        ...idChunks.map((chunk): Statement => [
          // A locking read sees the newest committed rows, whatever the session's snapshot.
          `SELECT event_id, stream_id, revision, position FROM ${this.table.events} WHERE event_id IN (?)
           LOCK IN SHARE MODE`,
          [chunk],
        ]),
      ]);
      const headRow = (headRows as Array<{ last_position: string | number }>)[0];
      if (!headRow) throw new EventStoreUnavailableError('The event store head row is missing: run the migrations');
      const headBefore = toBigInt(headRow.last_position);
      let lastPosition = headBefore;
      const streams = streamStates(streamRows as Array<Record<string, string | number>>);
      const stored = storedEventRefs(idRows.flat() as Array<Record<string, string | number>>);

      const rows: string[] = [];
      const outcomes: Outcome[] = [];
      for (const append of group) {
        try {
          const found = append.eventIds
            .map((id) => stored.get(id))
            .filter((ref): ref is StoredEventRef => ref !== undefined);
          const original = originalResultOfRetry(append.streamId, append.eventIds, append.expected, found);
          if (original) {
            outcomes.push({ ok: true, result: original });
            continue;
          }
          const state = streams.get(append.streamId);
          const current = state?.revision ?? -1n;
          if (!expectationHolds(append.expected, current)) {
            throw new WrongExpectedVersionError(
              append.streamId,
              describeRevision(append.expected),
              describeRevision(current),
            );
          }
          const prepared = chainEventTexts(append.checked, state?.lastHash ?? null);
          let revision = current;
          for (const event of prepared) {
            revision += 1n;
            lastPosition += 1n;
            rows.push(this.eventTuple(lastPosition, append.streamId, revision, event));
            // Later appends of the same group see these too (a retry racing its original).
            stored.set(event.eventId, {
              eventId: event.eventId,
              streamId: append.streamId,
              revision,
              position: Position.of(lastPosition),
            });
          }
          const lastHash = prepared[prepared.length - 1].hash;
          streams.set(append.streamId, { revision, lastHash, lastPosition, changed: true });
          outcomes.push({ ok: true, result: { nextExpectedRevision: revision, position: Position.of(lastPosition) } });
        } catch (error) {
          outcomes.push({ ok: false, error: error as Error });
        }
      }

      const changed = [...streams].filter(([, state]) => state.changed);
      const writes: Statement[] =
        rows.length === 0
          ? []
          : [
              ...this.insertStatements(rows),
              this.saveStreamsStatement(changed),
              [`UPDATE ${this.table.head} SET last_position = ${sqlInteger(lastPosition)} WHERE id = 1`],
            ];
      await this.run(connection, [...writes, ['COMMIT'], this.silence.restore]);
      // Every stream of the group as of the commit; one without a row is known not to exist.
      const learned = new Map<string, StreamHead>(
        streamIds.map((streamId) => [streamId, { revision: -1n, lastHash: null }]),
      );
      for (const [streamId, state] of streams) {
        learned.set(streamId, { revision: state.revision, lastHash: state.lastHash });
      }
      return { outcomes, head: rows.length > 0 ? lastPosition : null, headBefore, streams: learned };
    } catch (error) {
      broken = await this.abandon(connection, error);
      throw error;
    } finally {
      if (!broken) connection.release();
    }
  }

  /**
   * Runs statements in order on one session and returns one result per statement. With
   * multi-statement sessions they travel together (up to a packet budget); otherwise one by one.
   * The server stops at the first failing statement, so nothing after it runs either way.
   */
  private async run(connection: PoolConnection, statements: Statement[]): Promise<unknown[]> {
    const results: unknown[] = [];
    if (!this.writerTakesBatches) {
      for (const [sql, params] of statements) {
        results.push((await (params ? connection.query(sql, params) : connection.query(sql)))[0]);
      }
      return results;
    }
    let packet: string[] = [];
    let bytes = 0;
    const flush = async () => {
      if (packet.length === 0) return;
      const [result] = await connection.query(packet.join(';\n'));
      if (packet.length === 1) results.push(result);
      else results.push(...(result as unknown[]));
      packet = [];
      bytes = 0;
    };
    for (const [sql, params] of statements) {
      const text = params ? connection.format(sql, params) : sql;
      const size = utf8Bytes(text);
      if (packet.length > 0 && bytes + size > PACKET_BUDGET_BYTES) await flush();
      packet.push(text);
      bytes += size;
    }
    await flush();
    return results;
  }

  /** One row of the events table as SQL text; every value was checked or computed by the store. */
  private eventTuple(position: bigint, streamId: string, revision: bigint, event: ChainedEventText): string {
    return (
      `(${sqlInteger(position)},${sqlString(streamId)},${sqlInteger(revision)},${sqlString(event.eventId)},` +
      `${sqlString(event.type)},${sqlString(event.dataJson)},${sqlString(event.metadataJson)},` +
      `${sqlString(event.hash)},${sqlNullableString(event.prevHash)},${sqlInteger(event.schemaVersion)},` +
      `UTC_TIMESTAMP(6))`
    );
  }

  private insertStatements(rows: string[]): Statement[] {
    const sql = `INSERT INTO ${this.table.events}
      (position, stream_id, revision, event_id, type, data, metadata, hash, prev_hash, schema_version, recorded_at)
      VALUES `;
    const statements: Statement[] = [];
    let start = 0;
    while (start < rows.length) {
      let end = start;
      let bytes = 0;
      while (end < rows.length && end - start < INSERT_CHUNK_ROWS) {
        const size = utf8Bytes(rows[end]);
        if (end > start && bytes + size > INSERT_CHUNK_BYTES) break;
        bytes += size;
        end += 1;
      }
      statements.push([sql + rows.slice(start, end).join(',')]);
      start = end;
    }
    return statements;
  }

  private saveStreamsStatement(
    changed: Array<[streamId: string, head: StreamHead & { lastPosition: bigint }]>,
  ): Statement {
    const tuples = changed.map(
      ([streamId, head]) =>
        `(${sqlString(streamId)},${sqlInteger(head.revision)},${sqlNullableString(head.lastHash)},` +
        `${sqlInteger(head.lastPosition)})`,
    );
    // VALUES() in ON DUPLICATE KEY UPDATE is deprecated in MySQL 8.0.20+ but is the one form MariaDB also accepts.
    return [
      `INSERT INTO ${this.table.streams} (stream_id, current_revision, last_hash, last_position) VALUES
       ${tuples.join(',')} ON DUPLICATE KEY UPDATE current_revision = VALUES(current_revision),
       last_hash = VALUES(last_hash), last_position = VALUES(last_position)`,
    ];
  }

  /** Makes sure a transaction whose connection broke is over (committed or rolled back) before a retry. */
  private async killSession(threadId: number | null | undefined): Promise<void> {
    if (!threadId) return;
    await this.pool.query('KILL ?', [threadId]).catch(() => undefined);
  }

  // --- reading ------------------------------------------------------------------------------

  private async readHead(): Promise<bigint> {
    const rows = await this.select<{ last_position: string | number }>(
      `SELECT last_position FROM ${this.table.head} WHERE id = 1`,
    );
    if (rows.length === 0)
      throw new EventStoreUnavailableError('The event store head row is missing: run the migrations');
    return toBigInt(rows[0].last_position);
  }

  /**
   * A subscription's next read. Live subscriptions of one process wake together when the head
   * moves and ask for the same `after`: those asked for in the same turn of the event loop share
   * one query (the union of their filters), and each gets the events its own filter would have
   * read, the others hollow. With one subscription there is nothing to share: it reads at once.
   */
  private readForSubscription(after: bigint, limit: number, filter?: SubscriptionFilter): Promise<RecordedEvent[]> {
    if (this.subscriptions.size < 2) return this.readContiguous(after, limit, filter);
    return new Promise((resolve, reject) => {
      const key = `${after}:${limit}`;
      const read: SubscriptionRead = { after, limit, filter, resolve, reject };
      const waiting = this.subscriptionReads.get(key);
      if (waiting) waiting.push(read);
      else this.subscriptionReads.set(key, [read]);
      if (this.subscriptionReadsScheduled) return;
      this.subscriptionReadsScheduled = true;
      setImmediate(() => this.sendSubscriptionReads());
    });
  }

  private sendSubscriptionReads(): void {
    this.subscriptionReadsScheduled = false;
    const batches = this.subscriptionReads;
    this.subscriptionReads = new Map();
    for (const reads of batches.values()) {
      const { after, limit } = reads[0];
      this.readContiguousFor(
        after,
        limit,
        reads.map((read) => read.filter),
      ).then(
        (results) => reads.forEach((read, index) => read.resolve(results[index])),
        (error: unknown) => reads.forEach((read) => read.reject(error)),
      );
    }
  }

  /**
   * Events strictly after `after`, in global order, cut at the first missing position. Positions
   * are gap-free by design, so a missing one belongs to a transaction not visible yet: stopping
   * there and reading again later is the only way never to pass it.
   *
   * With a filter, data and metadata are fetched only for matching events; the others come back
   * hollow (position, stream and type only), which is all the catch-up loop needs to skip them.
   */
  private async readContiguous(
    after: bigint,
    limit: number | null,
    filter?: SubscriptionFilter,
  ): Promise<RecordedEvent[]> {
    const [events] = await this.readContiguousFor(after, limit, [filter]);
    return events;
  }

  /**
   * `readContiguous` for several filters in one query: rows any filter matches come with their
   * payload, and each filter gets its own list, hollow where it does not match. Events are parsed
   * once and shared between the lists (recorded events are immutable).
   */
  private async readContiguousFor(
    after: bigint,
    limit: number | null,
    filters: ReadonlyArray<SubscriptionFilter | undefined>,
  ): Promise<RecordedEvent[][]> {
    if (limit === 0) return filters.map(() => []);
    const predicate = unionPredicate(filters);
    // The filter is written once, for the data: the metadata of an event it leaves out is small and
    // dropped here, and a second copy of a long filter costs the server more than those bytes.
    const payload = predicate ? `IF(${predicate.sql}, data, NULL) AS data, metadata` : 'data, metadata';
    const params: unknown[] = predicate ? [...predicate.params, after] : [after];
    if (limit !== null) params.push(limit);
    const rows = await this.select<EventRow>(
      `SELECT position, stream_id, revision, type, ${payload} FROM ${this.table.events}
       WHERE position > ? ORDER BY position${limit === null ? '' : ' LIMIT ?'}`,
      params,
    );
    let expected = after + 1n;
    let contiguous = rows.length;
    for (let index = 0; index < rows.length; index++) {
      if (toBigInt(rows[index].position) !== expected) {
        contiguous = index;
        break;
      }
      expected += 1n;
    }
    const kept = rows.slice(0, contiguous);
    if (predicate) await this.fillMissingPayloads(kept, filters);
    const full = kept.map((row) => (row.data === null ? null : toRecordedEvent(row)));
    const hollow: Array<RecordedEvent | undefined> = [];
    return filters.map((filter) =>
      kept.map((row, index) => {
        const event = full[index];
        if (event && matchesFilter({ streamId: row.stream_id, type: row.type }, filter)) return event;
        return (hollow[index] ??= toHollowEvent(row));
      }),
    );
  }

  /** Guards against the SQL prefix test and `matchesFilter` ever disagreeing: fetch what SQL left out. */
  private async fillMissingPayloads(
    rows: EventRow[],
    filters: ReadonlyArray<SubscriptionFilter | undefined>,
  ): Promise<void> {
    const missing = rows.filter(
      (row) =>
        row.data === null &&
        filters.some((filter) => matchesFilter({ streamId: row.stream_id, type: row.type }, filter)),
    );
    if (missing.length === 0) return;
    const payloads = await this.select<{ position: string | number; data: string; metadata: string }>(
      `SELECT position, data, metadata FROM ${this.table.events} WHERE position IN (?)`,
      [missing.map((row) => toBigInt(row.position))],
    );
    const byPosition = new Map(payloads.map((payload) => [toBigInt(payload.position), payload]));
    for (const row of missing) {
      const payload = byPosition.get(toBigInt(row.position));
      if (!payload) throw new EventStoreUnavailableError(`Event at position ${row.position} vanished while reading`);
      row.data = payload.data;
      row.metadata = payload.metadata;
    }
  }

  private async select<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      const [rows] = await this.pool.query(sql, params);
      return rows as T[];
    } catch (error) {
      throw unavailable('Reading the event store failed', error);
    }
  }
}

/** A lone surrogate would be stored as U+FFFD, so two different names could meet in one stream. */
function assertStorableStreamId(streamId: string): void {
  assertValidStreamId(streamId);
  if (LONE_SURROGATE.test(streamId)) throw new InvalidStreamNameError(streamId, 'not well-formed Unicode');
}

function streamStates(rows: Array<Record<string, string | number>>): Map<string, StreamState> {
  const streams = new Map<string, StreamState>();
  for (const row of rows) {
    streams.set(String(row.stream_id), {
      revision: toBigInt(row.current_revision),
      lastHash: String(row.last_hash),
      lastPosition: toBigInt(row.last_position),
      changed: false,
    });
  }
  return streams;
}

function storedEventRefs(rows: Array<Record<string, string | number>>): Map<string, StoredEventRef> {
  const stored = new Map<string, StoredEventRef>();
  for (const row of rows) {
    stored.set(String(row.event_id), {
      eventId: String(row.event_id),
      streamId: String(row.stream_id),
      revision: toBigInt(row.revision),
      position: Position.of(toBigInt(row.position)),
    });
  }
  return stored;
}

/** The UTF-8 size of a text, or a bound on it (3 bytes per UTF-16 unit) when the text is short anyway. */
function utf8Bytes(text: string): number {
  return text.length * 3 <= 64 * 1024 ? text.length * 3 : Buffer.byteLength(text);
}

function chunksOf<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** A subscription's read waiting to be sent with the others of its turn. */
interface SubscriptionRead {
  after: bigint;
  limit: number;
  filter: SubscriptionFilter | undefined;
  resolve(events: RecordedEvent[]): void;
  reject(error: unknown): void;
}

/**
 * Rows whose payload the read fetches: those any of the filters matches, as far as SQL tells
 * cheaply; null when one of them matches every row. Stream prefixes are compared as prefixes. Event
 * types are compared whole (`type IN (…)`, a binary search per row): projections name the types
 * they handle, and comparing each row with a prefix per type costs the server ten times as much
 * for a projection of many types. A type that only starts with a prefix given is not fetched here;
 * `fillMissingPayloads` fetches it, as it does whatever SQL and `matchesFilter` disagree on.
 * Filters on types alone share one list.
 */
function unionPredicate(
  filters: ReadonlyArray<SubscriptionFilter | undefined>,
): { sql: string; params: unknown[] } | null {
  const predicates: Array<{ sql: string; params: unknown[] }> = [];
  const typesAlone = new Set<string>();
  for (const filter of filters) {
    if (!filter || (!filter.streamPrefixes && !filter.eventTypePrefixes)) return null;
    if (!filter.streamPrefixes && filter.eventTypePrefixes) {
      for (const type of filter.eventTypePrefixes) typesAlone.add(type);
      continue;
    }
    predicates.push(filterPredicate(filter));
  }
  if (typesAlone.size > 0) predicates.push(typePredicate([...typesAlone]));
  // Only filters with empty type lists: no row's payload is wanted.
  if (predicates.length === 0) return { sql: 'FALSE', params: [] };
  if (predicates.length === 1) return predicates[0];
  return {
    sql: `(${predicates.map((predicate) => predicate.sql).join(' OR ')})`,
    params: predicates.flatMap((predicate) => predicate.params),
  };
}

/** A filter with a stream or type list (or both) as SQL. */
function filterPredicate(filter: SubscriptionFilter): { sql: string; params: unknown[] } {
  const parts: Array<{ sql: string; params: unknown[] }> = [];
  const streams = filter.streamPrefixes;
  if (streams) {
    // LEFT counts characters (code points); a JS string's length counts UTF-16 units.
    parts.push(
      streams.length === 0
        ? { sql: 'FALSE', params: [] }
        : {
            sql: `(${streams.map(() => 'LEFT(stream_id, ?) = ?').join(' OR ')})`,
            params: streams.flatMap((prefix) => [[...prefix].length, prefix]),
          },
    );
  }
  if (filter.eventTypePrefixes) parts.push(typePredicate(filter.eventTypePrefixes));
  return { sql: `(${parts.map((part) => part.sql).join(' AND ')})`, params: parts.flatMap((part) => part.params) };
}

function typePredicate(types: readonly string[]): { sql: string; params: unknown[] } {
  return types.length === 0 ? { sql: 'FALSE', params: [] } : { sql: 'type IN (?)', params: [[...types]] };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: toBigInt(row.revision),
    position: Position.of(toBigInt(row.position)),
    type: row.type,
    data: JSON.parse(row.data ?? 'null') as unknown,
    metadata: JSON.parse(row.metadata ?? 'null') as EventMetadata,
  };
}

/** An event the subscription filter drops before delivery: only its place and name are read. */
function toHollowEvent(row: EventRow): RecordedEvent {
  return {
    streamId: row.stream_id,
    revision: toBigInt(row.revision),
    position: Position.of(toBigInt(row.position)),
    type: row.type,
    data: null,
    metadata: null as unknown as EventMetadata,
  };
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  throw new EventStoreUnavailableError(`Unexpected numeric value from the database: ${String(value)}`);
}

/** null for "no limit"; 0 for nothing. */
function limitOf(maxCount: number | undefined): number | null {
  if (maxCount === undefined || maxCount === Number.POSITIVE_INFINITY) return null;
  if (!Number.isFinite(maxCount) || maxCount <= 0) return 0;
  return Math.floor(maxCount);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The session is gone or unusable; its transaction is over or will be once the server notices. */
function isConnectionError(error: unknown): boolean {
  return (error as { fatal?: unknown } | null)?.fatal === true || CONNECTION_ERROR_CODES.has(errorCode(error) ?? '');
}

/** The guard of a planned group refused it: the head or a stream was not where the plan expected. */
function isGuardRefusal(error: unknown): boolean {
  return errorCode(error) === 'ER_TOO_MANY_ROWS';
}

/**
 * Safe to run the whole group again: a lock error rolled it back, and after a lost connection the
 * retry either finds nothing written or finds the event ids and returns the original results.
 */
function isRetryable(error: unknown): boolean {
  if (error instanceof EventStoreError) return false;
  return isConnectionError(error) || LOCK_ERROR_CODES.has(errorCode(error) ?? '');
}

function unavailable(message: string, cause: unknown): Error {
  if (cause instanceof EventStoreError) return cause;
  const error = new EventStoreUnavailableError(`${message}: ${(cause as Error)?.message ?? String(cause)}`, {
    cause: errorCode(cause),
  });
  error.cause = cause;
  return error;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
