/**
 * An append-only log of streams in one global order, held in memory. The memory event store and
 * the EventStoreDB wire-compatible test server both keep their events here; each decides what a
 * record's payload is.
 */
export interface LogRecord<P> {
  /** Global position: 0, 1, 2 … with no gaps. */
  position: bigint;
  streamId: string;
  revision: bigint;
  eventId: string;
  type: string;
  payload: P;
}

export interface LogEntry<P> {
  eventId: string;
  type: string;
  payload: P;
}

export class InMemoryLog<P> {
  private readonly records: LogRecord<P>[] = [];
  private readonly streams = new Map<string, LogRecord<P>[]>();
  private readonly byEventId = new Map<string, LogRecord<P>>();
  private waiters: Array<() => void> = [];

  /** Revision of the stream's last record, or -1n when the stream has none. */
  revisionOf(streamId: string): bigint {
    const stream = this.streams.get(streamId);
    return stream ? BigInt(stream.length - 1) : -1n;
  }

  lastOf(streamId: string): LogRecord<P> | undefined {
    const stream = this.streams.get(streamId);
    return stream?.[stream.length - 1];
  }

  findByEventId(eventId: string): LogRecord<P> | undefined {
    return this.byEventId.get(eventId);
  }

  /** Position of the newest record, or -1n when the log is empty. */
  head(): bigint {
    return BigInt(this.records.length - 1);
  }

  /** Appends synchronously, so the caller's checks and this write are one atomic step. */
  append(streamId: string, entries: LogEntry<P>[]): LogRecord<P>[] {
    let stream = this.streams.get(streamId);
    if (!stream) {
      stream = [];
      this.streams.set(streamId, stream);
    }
    const written = entries.map((entry) => {
      const record: LogRecord<P> = {
        position: BigInt(this.records.length),
        streamId,
        revision: BigInt(stream.length),
        eventId: entry.eventId,
        type: entry.type,
        payload: entry.payload,
      };
      this.records.push(record);
      stream.push(record);
      this.byEventId.set(entry.eventId, record);
      return record;
    });
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
    return written;
  }

  readStream(
    streamId: string,
    from: bigint | 'start' | 'end',
    direction: 'forwards' | 'backwards',
    maxCount: number,
  ): LogRecord<P>[] | undefined {
    const stream = this.streams.get(streamId);
    if (!stream) return undefined;
    const last = stream.length - 1;
    if (direction === 'forwards') {
      const start = from === 'start' ? 0 : from === 'end' ? stream.length : Number(from);
      return stream.slice(start, start + maxCount);
    }
    const start = from === 'end' ? last : from === 'start' ? 0 : Math.min(Number(from), last);
    const out: LogRecord<P>[] = [];
    for (let i = start; i >= 0 && out.length < maxCount; i--) out.push(stream[i]);
    return out;
  }

  /** Records strictly after `after` (-1n for the start), forwards. */
  readAfter(after: bigint, maxCount: number): LogRecord<P>[] {
    const start = Number(after + 1n);
    return this.records.slice(start, start + maxCount);
  }

  /** Records strictly before `before` (undefined for the end), backwards. */
  readBefore(before: bigint | undefined, maxCount: number): LogRecord<P>[] {
    const out: LogRecord<P>[] = [];
    const start = before === undefined ? this.records.length - 1 : Number(before) - 1;
    for (let i = Math.min(start, this.records.length - 1); i >= 0 && out.length < maxCount; i--) {
      out.push(this.records[i]);
    }
    return out;
  }

  /** Resolves on the next append after `after`, at once if there is one, or when aborted. */
  waitForRecordsAfter(after: bigint, signal: AbortSignal): Promise<void> {
    if (this.head() > after || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.push(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** Direct access for tests that simulate tampering with stored records. */
  recordsOf(streamId: string): LogRecord<P>[] | undefined {
    return this.streams.get(streamId);
  }
}
