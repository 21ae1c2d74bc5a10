import type { DomainEvent } from '@tracershop/domain/kernel';
import {
  StreamNotFoundError,
  type EventStore,
  type RecordedEvent,
  type UpcasterRegistry,
} from '@tracershop/event-store';

/**
 * An event store that reads several streams in one round trip (the MySQL store does). Each stream
 * is read forwards from its own revision (inclusive); a stream with no events there reads as [].
 */
export interface MultiStreamReader {
  readStreams(
    requests: ReadonlyArray<{ streamId: string; fromRevision: bigint }>,
  ): Promise<Map<string, RecordedEvent[]>>;
}

export function readsManyStreams(store: EventStore): store is EventStore & MultiStreamReader {
  return typeof (store as Partial<MultiStreamReader>).readStreams === 'function';
}

/** A stream folded by one decider, and where the fold stands. */
export interface FoldedStream<S> {
  state: S;
  /** Revision of the last event folded; -1n for a stream without events. */
  revision: bigint;
  /** Global position of the last event folded, or null. */
  position: string | null;
}

export interface Fold<S, E extends DomainEvent> {
  initialState: () => S;
  evolve: (state: S, event: E) => S;
}

interface Waiter {
  fromRevision: bigint;
  resolve(events: RecordedEvent[]): void;
  reject(error: unknown): void;
}

const PAGE = 1000;
/** Most streams one multi-stream read asks for; more start another read. */
const MAX_STREAMS_PER_READ = 200;

/**
 * Folds streams for the pipeline, in as few round trips as the store allows:
 *
 * - Reads asked for in the same turn of the event loop (a handler's `Promise.all`, concurrent
 *   commands) go to the store together, in one query where the store reads many streams at once.
 * - Folded states are kept per decider, with the revision they were folded to. Every load still
 *   reads the store: the events after that revision, folded onto the kept state. So a load sees
 *   exactly what a full read would (events are immutable and streams only grow), and a decision
 *   still sees every change acknowledged before it; only unchanged history is not read again.
 *   States are treated as immutable values, as `evolve` and `decide` already treat them.
 */
export class StreamLoader {
  private readonly folds = new WeakMap<object, Map<string, FoldedStream<unknown>>>();
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly store: EventStore,
    private readonly upcasters: UpcasterRegistry,
    /** Folded states kept per decider (least recently used forgotten first); 0 keeps none. */
    private readonly cacheSize: number,
  ) {}

  /** The stream as the store holds it now, folded by the decider. */
  async load<E extends DomainEvent, S>(streamId: string, decider: Fold<S, E>): Promise<FoldedStream<S>> {
    const kept = this.cacheSize > 0 ? this.keptFor(decider) : null;
    const known = kept?.get(streamId) as FoldedStream<S> | undefined;
    let folded: FoldedStream<S> = known ?? { state: decider.initialState(), revision: -1n, position: null };
    const events = await this.read(streamId, folded.revision + 1n);
    for (const recorded of events) {
      // Another load may have kept a newer fold meanwhile; this read starts where ours ended.
      if (recorded.revision <= folded.revision) continue;
      const current = this.upcasters.upcast(recorded);
      folded = {
        state: decider.evolve(folded.state, { type: current.type, data: current.data } as E),
        revision: recorded.revision,
        position: recorded.position.toString(),
      };
    }
    if (kept) this.keep(kept, streamId, folded);
    return folded;
  }

  /** A stream's state only as far as this process has folded it already (no read): for guesses. */
  known<E extends DomainEvent, S>(streamId: string, decider: Fold<S, E>): S | undefined {
    return (this.folds.get(decider)?.get(streamId) as FoldedStream<S> | undefined)?.state;
  }

  private keptFor(decider: object): Map<string, FoldedStream<unknown>> {
    let kept = this.folds.get(decider);
    if (!kept) {
      kept = new Map();
      this.folds.set(decider, kept);
    }
    return kept;
  }

  private keep(kept: Map<string, FoldedStream<unknown>>, streamId: string, folded: FoldedStream<unknown>): void {
    const previous = kept.get(streamId);
    // Only forwards: a slower load that read less must not replace a newer fold.
    if (previous && previous.revision > folded.revision) return;
    kept.delete(streamId);
    kept.set(streamId, folded);
    while (kept.size > this.cacheSize) {
      const oldest = kept.keys().next();
      if (oldest.done) break;
      kept.delete(oldest.value);
    }
  }

  /** The stream's events from `fromRevision` on ([] for a stream without events). */
  private read(streamId: string, fromRevision: bigint): Promise<RecordedEvent[]> {
    if (!readsManyStreams(this.store)) return this.readOne(streamId, fromRevision);
    return new Promise<RecordedEvent[]>((resolve, reject) => {
      const waiters = this.pending.get(streamId);
      if (waiters) waiters.push({ fromRevision, resolve, reject });
      else this.pending.set(streamId, [{ fromRevision, resolve, reject }]);
      if (this.pending.size >= MAX_STREAMS_PER_READ) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.size === 0) return;
    this.pending = new Map();
    const store = this.store as EventStore & MultiStreamReader;
    const requests = [...batch].map(([streamId, waiters]) => ({
      streamId,
      fromRevision: waiters.reduce(
        (least, waiter) => (waiter.fromRevision < least ? waiter.fromRevision : least),
        waiters[0].fromRevision,
      ),
    }));
    store.readStreams(requests).then(
      (found) => {
        for (const [streamId, waiters] of batch) {
          const events = found.get(streamId) ?? [];
          for (const waiter of waiters) {
            waiter.resolve(events.filter((event) => event.revision >= waiter.fromRevision));
          }
        }
      },
      (error: unknown) => {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
      },
    );
  }

  private async readOne(streamId: string, fromRevision: bigint): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let from = fromRevision;
    for (;;) {
      let page: RecordedEvent[];
      try {
        page = await this.store.readStream(streamId, { fromRevision: from, maxCount: PAGE });
      } catch (error) {
        if (error instanceof StreamNotFoundError) break;
        throw error;
      }
      events.push(...page);
      if (page.length < PAGE) break;
      from = page[page.length - 1].revision + 1n;
    }
    return events;
  }
}
