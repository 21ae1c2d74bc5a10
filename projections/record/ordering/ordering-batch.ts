import type { ProjectionTransaction } from '@tracershop/projections/engine';

/**
 * What `record.ordering` keeps per batch besides `BatchRows`: the order history it appends, and
 * which orders and ghosts belong to each delivery day. Both are per batch transaction, so a batch
 * applied again (flushing after every event) starts from the tables.
 */

/** Keys per SELECT and rows per INSERT, as `BatchRows` chunks them. */
const CHUNK_ROWS = 500;
/** While INSERTs are under way, entries between turns of the event loop. */
const YIELD_ROWS = 50;

const quoted = (name: string) => `\`${name}\``;
const marks = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** An order history entry without its order and position, which the buffer sets. */
export interface HistoryEntry {
  event_type: string;
  event_position: string;
  stream_revision: string;
  occurred_at: string;
  actor_id: string;
  actor_name: string;
  reason: string | null;
  details: string;
  signature: string | null;
}

const HISTORY_COLUMNS = [
  'order_id',
  'position',
  'event_type',
  'event_position',
  'stream_revision',
  'occurred_at',
  'actor_id',
  'actor_name',
  'reason',
  'details',
  'signature',
] as const;

interface HistoryBatch {
  /** Each order's last history position as the batch sees it (0: none yet). */
  last: Map<string, number>;
  /** Entries not sent yet, in event order. */
  pending: unknown[][];
  /**
   * The INSERT under way while the handlers go on, if any. One at a time, sent by a handler: after
   * a failure (a deadlock ends the transaction) nothing more is sent that could run outside it.
   */
  inFlight: Promise<void> | null;
  failure: { error: unknown } | null;
}

/**
 * An append-only history numbered per order (1, 2, …): each order's last position is read once per
 * batch (one grouped SELECT for the batch's orders), the entries are numbered in memory and
 * inserted as multi-row INSERTs, in event order: a full chunk while the handlers go on, the rest by
 * `flush`.
 */
export class OrderHistoryBuffer {
  private readonly batches = new WeakMap<ProjectionTransaction, HistoryBatch>();

  constructor(private readonly table: string) {}

  /** Reads the last position of the orders the batch does not know yet, one statement per chunk. */
  async preload(tx: ProjectionTransaction, orderIds: Iterable<string>): Promise<void> {
    const { last } = this.batchOf(tx);
    const missing = [...new Set(orderIds)].filter((orderId) => !last.has(orderId));
    if (tx.startedEmpty) {
      for (const orderId of missing) last.set(orderId, 0);
      return;
    }
    for (let start = 0; start < missing.length; start += CHUNK_ROWS) {
      const chunk = missing.slice(start, start + CHUNK_ROWS);
      const found = await tx.queryText(
        `SELECT order_id, MAX(\`position\`) AS last_position FROM ${tx.table(this.table)}
         WHERE order_id IN (${marks(chunk.length)}) GROUP BY order_id`,
        chunk,
      );
      for (const row of found) last.set(String(row.order_id), Number(row.last_position));
      for (const orderId of chunk) if (!last.has(orderId)) last.set(orderId, 0);
    }
  }

  /** Keeps the entry as the order's next position. */
  async append(tx: ProjectionTransaction, orderId: string, entry: HistoryEntry): Promise<void> {
    const batch = this.batchOf(tx);
    throwIfFailed(batch);
    if (!batch.last.has(orderId)) await this.preload(tx, [orderId]);
    const position = (batch.last.get(orderId) ?? 0) + 1;
    batch.last.set(orderId, position);
    batch.pending.push([
      orderId,
      position,
      entry.event_type,
      entry.event_position,
      entry.stream_revision,
      entry.occurred_at,
      entry.actor_id,
      entry.actor_name,
      entry.reason,
      entry.details,
      entry.signature,
    ]);
    // A full chunk goes to the server now, so that it inserts while the handlers go on.
    if (batch.inFlight === null && batch.pending.length >= CHUNK_ROWS) this.sendChunk(tx, batch);
    // Handlers that never wait on the database never let the connection read the reply: give it
    // a turn of the event loop now and then.
    if (batch.inFlight !== null && batch.pending.length % YIELD_ROWS === 0) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Sends the entries kept since the last flush with the batch's closing writes (nothing reads the
   * history after the flush); fails with an INSERT already sent that failed.
   */
  async flush(tx: ProjectionTransaction): Promise<void> {
    const batch = this.batches.get(tx);
    if (!batch) return;
    if (batch.inFlight) await batch.inFlight;
    throwIfFailed(batch);
    while (batch.pending.length > 0) await this.insert(tx, takeChunk(batch), true);
  }

  private sendChunk(tx: ProjectionTransaction, batch: HistoryBatch): void {
    batch.inFlight = this.insert(tx, takeChunk(batch)).then(
      () => {
        batch.inFlight = null;
      },
      (error: unknown) => {
        batch.inFlight = null;
        batch.failure = { error };
      },
    );
  }

  private async insert(tx: ProjectionTransaction, entries: readonly unknown[][], deferred = false): Promise<void> {
    await tx.insertRows(this.table, HISTORY_COLUMNS, entries, { deferred });
  }

  private batchOf(tx: ProjectionTransaction): HistoryBatch {
    let batch = this.batches.get(tx);
    if (!batch) {
      batch = { last: new Map(), pending: [], inFlight: null, failure: null };
      this.batches.set(tx, batch);
    }
    return batch;
  }
}

/** The next chunk of pending entries, taken out of the batch. */
function takeChunk(batch: HistoryBatch): unknown[][] {
  const chunk = batch.pending.slice(0, CHUNK_ROWS);
  batch.pending = batch.pending.slice(CHUNK_ROWS);
  return chunk;
}

function throwIfFailed(batch: HistoryBatch): void {
  if (batch.failure) throw batch.failure.error;
}

interface MembersBatch {
  /** Streams whose stored rows have been read. */
  loaded: Set<string>;
  /** Row ids by stream: the stored ones of loaded streams, and every one the batch created. */
  members: Map<string, Set<string>>;
}

/**
 * Which rows of a table belong to each stream, as the batch sees them: the stored ones (read once
 * per stream) and those the batch created. A row never changes its stream, so their values can be
 * read from the batch's rows while the ids come from here.
 */
export class StreamMembers {
  private readonly batches = new WeakMap<ProjectionTransaction, MembersBatch>();

  constructor(
    private readonly table: string,
    private readonly key: string,
  ) {}

  /** Notes a row the batch creates. */
  created(tx: ProjectionTransaction, streamId: string, id: string): void {
    this.membersOf(this.batchOf(tx), streamId).add(id);
  }

  /** Reads the stored ids of the streams not read yet, one statement per chunk; returns those it found. */
  async preload(tx: ProjectionTransaction, streamIds: Iterable<string>): Promise<string[]> {
    const batch = this.batchOf(tx);
    const missing = [...new Set(streamIds)].filter((streamId) => !batch.loaded.has(streamId));
    const found: string[] = [];
    if (tx.startedEmpty) {
      for (const streamId of missing) batch.loaded.add(streamId);
      return found;
    }
    for (let start = 0; start < missing.length; start += CHUNK_ROWS) {
      const chunk = missing.slice(start, start + CHUNK_ROWS);
      const rows = await tx.queryText(
        `SELECT stream_id, ${quoted(this.key)} AS id FROM ${tx.table(this.table)}
         WHERE stream_id IN (${marks(chunk.length)})`,
        chunk,
      );
      for (const row of rows) {
        const id = String(row.id);
        this.membersOf(batch, String(row.stream_id)).add(id);
        found.push(id);
      }
      for (const streamId of chunk) batch.loaded.add(streamId);
    }
    return found;
  }

  /** The ids of the stream's rows. */
  async of(tx: ProjectionTransaction, streamId: string): Promise<ReadonlySet<string>> {
    await this.preload(tx, [streamId]);
    return this.membersOf(this.batchOf(tx), streamId);
  }

  private membersOf(batch: MembersBatch, streamId: string): Set<string> {
    let members = batch.members.get(streamId);
    if (!members) {
      members = new Set();
      batch.members.set(streamId, members);
    }
    return members;
  }

  private batchOf(tx: ProjectionTransaction): MembersBatch {
    let batch = this.batches.get(tx);
    if (!batch) {
      batch = { loaded: new Set(), members: new Map() };
      this.batches.set(tx, batch);
    }
    return batch;
  }
}
