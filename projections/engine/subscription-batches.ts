import type { Position, RecordedEvent, Subscription, SubscriptionMessage } from '@tracershop/event-store';

/** What one transaction applies. */
export interface EventBatch {
  /** The events the projection handles, in global order. */
  events: RecordedEvent[];
  /** The last position delivered, handled or not: the checkpoint once the batch commits. */
  position: Position;
  /** Every event in the batch arrived after the subscription caught up. */
  live: boolean;
}

export interface BatchLimits {
  maxEvents: number;
  /** Longest a catch-up batch waits to fill up; live batches go as soon as nothing more is ready. */
  maxMs: number;
  /**
   * Live batches start at most this often: one that starts sooner after the previous live batch
   * waits for more until then. 0 or absent: a live batch goes as soon as nothing more is ready.
   */
  liveSpacingMs?: number;
  /**
   * A live batch that so far holds no handled event only moves the checkpoint past other
   * projections' events: it waits up to this long after its first message for more, so a projection
   * that ignores the traffic commits a few checkpoint-only transactions a second instead of one per
   * live batch. A handled event ends the wait (it goes as `liveSpacingMs` allows). 0 or absent: no wait.
   */
  checkpointOnlyWaitMs?: number;
}

type Taken =
  | { kind: 'message'; result: IteratorResult<SubscriptionMessage> }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/**
 * Cuts a subscription into batches: up to `maxEvents` events, or what arrived within `maxMs` while
 * catching up, or what is ready right now once live (no added latency for read-your-writes). A
 * batch may hold no handled event at all and only move the position past filtered-out events, so
 * the checkpoint keeps up with the head. Positions only move forwards; anything else is an error.
 */
export class SubscriptionBatches {
  private readonly iterator: AsyncIterator<SubscriptionMessage>;
  /** A `next()` in flight. Kept across batches: a message it brings must never be dropped. */
  private pending: Promise<IteratorResult<SubscriptionMessage>> | null = null;
  /** A failure seen after a batch had started: that batch goes first, the failure with the next call. */
  private failure: unknown = null;
  private live = false;
  /** When the previous live batch started (its first message), for `liveSpacingMs`. */
  private previousLiveStart: number | null = null;

  constructor(
    subscription: Subscription,
    private position: Position,
    private readonly handles: (event: RecordedEvent) => boolean,
    private readonly limits: BatchLimits,
  ) {
    this.iterator = subscription[Symbol.asyncIterator]();
  }

  get isLive(): boolean {
    return this.live;
  }

  /** The next batch that moves the position; null once `signal` aborts. Throws when the subscription fails or ends. */
  async next(signal: AbortSignal): Promise<EventBatch | null> {
    if (this.failure !== null) {
      const failure = this.failure;
      this.failure = null;
      throw failure;
    }
    const events: RecordedEvent[] = [];
    /** Whether the batch's first message came after `caughtUp`; fixed when the batch starts. */
    let live = this.live;
    let position = this.position;
    let startedAt: number | null = null;
    for (;;) {
      const wait =
        startedAt === null
          ? null
          : this.live
            ? this.liveWait(events.length === 0 ? startedAt : null)
            : Math.max(0, this.limits.maxMs - (Date.now() - startedAt));
      const taken = await this.take(signal, wait);
      if (taken.kind === 'aborted') return null;
      if (taken.kind === 'timeout') break;
      let failure: unknown = null;
      if (taken.kind === 'error') failure = taken.error;
      else if (taken.result.done) failure = new Error('The subscription ended without being closed');
      if (failure !== null) {
        if (startedAt === null) throw failure;
        this.failure = failure;
        break;
      }
      const message = (taken as { result: IteratorYieldResult<SubscriptionMessage> }).result.value;
      const reached = message.kind === 'event' ? message.event.position : message.position;
      if (message.kind === 'event') {
        if (!reached.isAfter(position)) {
          throw new Error(`The subscription went back from ${position} to ${reached}`);
        }
        if (this.handles(message.event)) events.push(message.event);
      }
      if (reached.isAfter(position)) {
        position = reached;
        if (startedAt === null) {
          startedAt = Date.now();
          live = this.live;
        }
      }
      if (message.kind === 'caughtUp') {
        this.live = true;
        if (startedAt !== null) break;
      }
      if (events.length >= this.limits.maxEvents) break;
    }
    this.position = position;
    if (this.live && startedAt !== null) this.previousLiveStart = startedAt;
    return { events, position, live };
  }

  /**
   * How long a live batch waits for more: until `liveSpacingMs` after the previous one began, and a
   * batch with nothing to handle yet (`checkpointOnlySince`: its start) until `checkpointOnlyWaitMs`
   * after it began; else only what is ready.
   */
  private liveWait(checkpointOnlySince: number | null): number | 'ready' {
    const now = Date.now();
    const spacing = this.limits.liveSpacingMs ?? 0;
    let until = spacing > 0 && this.previousLiveStart !== null ? this.previousLiveStart + spacing : 0;
    const checkpointOnlyWait = this.limits.checkpointOnlyWaitMs ?? 0;
    if (checkpointOnlySince !== null && checkpointOnlyWait > 0) {
      until = Math.max(until, checkpointOnlySince + checkpointOnlyWait);
    }
    const left = until - now;
    return left > 0 ? left : 'ready';
  }

  /** The next message, or what stopped the wait: `wait` null waits for ever, `ready` only for what is ready now. */
  private take(signal: AbortSignal, wait: number | 'ready' | null): Promise<Taken> {
    this.pending ??= this.iterator.next();
    const pending = this.pending;
    return new Promise<Taken>((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
      const finish = (taken: Taken) => {
        if (settled) return;
        settled = true;
        if (wait === 'ready') clearImmediate(timer as NodeJS.Immediate);
        else clearTimeout(timer as NodeJS.Timeout);
        signal.removeEventListener('abort', onAbort);
        // Consumed only here: a wait that timed out leaves the message for the next call.
        if (taken.kind === 'message' || taken.kind === 'error') this.pending = null;
        resolve(taken);
      };
      const onAbort = () => finish({ kind: 'aborted' });
      if (signal.aborted) return finish({ kind: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
      // setImmediate runs after the promise jobs, so a message that is already buffered wins.
      if (wait === 'ready') timer = setImmediate(() => finish({ kind: 'timeout' }));
      else if (wait !== null) timer = setTimeout(() => finish({ kind: 'timeout' }), wait);
      pending.then(
        (result) => finish({ kind: 'message', result }),
        (error: unknown) => finish({ kind: 'error', error }),
      );
    });
  }
}
