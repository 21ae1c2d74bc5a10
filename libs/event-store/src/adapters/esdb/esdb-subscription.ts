import type { AllStreamResolvedEvent, AllStreamSubscription, Position as EsdbPosition } from '@eventstore/db-client';
import { matchesFilter } from '../../catch-up-subscription';
import type { SubscriptionFilter, Subscription, SubscriptionMessage } from '../../event-store';
import { Position } from '../../position';
import { asStoreError, isSystemEventType, toRecordedEvent } from './esdb-records';

/** Opens the client subscription; `checkpointReached` must be wired into its filter. */
export type OpenEsdbSubscription = (
  checkpointReached: (position: EsdbPosition) => void,
) => Promise<{ source: AllStreamSubscription; start: Position }>;

/**
 * Turns the client's push stream into our pull-based subscription.
 *
 * The client reports `caughtUp` and filter checkpoints as side events while earlier events may
 * still sit in its readable buffer, so a naive listener would announce "caught up" or a checkpoint
 * before events that precede it. Each side event is therefore pinned behind the events already
 * pushed (`received + readableLength`) and released only once those have arrived.
 */
export class EsdbSubscription implements Subscription {
  private readonly queue: SubscriptionMessage[] = [];
  private readonly pinned: Array<{ after: number; message: () => SubscriptionMessage | undefined }> = [];
  private readonly waiters: Array<() => void> = [];
  private source?: AllStreamSubscription;
  private received = 0;
  private position = Position.START;
  private caughtUp = false;
  private paused = false;
  private failure?: Error;
  private finished = false;

  constructor(
    open: OpenEsdbSubscription,
    private readonly filter: SubscriptionFilter | undefined,
    private readonly bufferSize: number,
    private readonly onClosed: () => void,
  ) {
    void this.start(open);
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  async close(): Promise<void> {
    if (this.finished && !this.source) return;
    this.finished = true;
    this.queue.length = 0;
    this.pinned.length = 0;
    this.wakeAll();
    await this.release();
  }

  private async start(open: OpenEsdbSubscription): Promise<void> {
    try {
      const { source, start } = await open((position) => this.pin(() => this.checkpoint(position)));
      this.position = start;
      this.source = source;
      // Closed while the subscription was being opened.
      if (this.finished) {
        await this.release();
        return;
      }
      source.on('data', (resolved: AllStreamResolvedEvent) => this.onData(resolved));
      source.on('caughtUp', () => this.pin(() => this.caughtUpMessage()));
      source.on('error', (error: Error) => this.fail(error));
      // The server never ends a subscription by itself: an end we did not ask for is a drop.
      source.on('end', () => this.fail(new Error('the server ended the subscription')));
      source.on('close', () => this.fail(new Error('the subscription stream closed')));
    } catch (error) {
      this.fail(error);
    }
  }

  private async next(): Promise<IteratorResult<SubscriptionMessage>> {
    for (;;) {
      const message = this.queue.shift();
      if (message) {
        if (this.paused && this.queue.length <= this.bufferSize / 2) {
          this.paused = false;
          this.source?.resume();
        }
        return { value: message, done: false };
      }
      if (this.failure) {
        const failure = this.failure;
        this.failure = undefined;
        throw failure;
      }
      if (this.finished) return { value: undefined, done: true };
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private onData(resolved: AllStreamResolvedEvent): void {
    if (this.finished) return;
    this.received += 1;
    const event = resolved.event;
    if (event) {
      try {
        const position = Position.of(event.position.commit, event.position.prepare);
        if (isSystemEventType(event.type) || !matchesFilter(event, this.filter)) {
          // Only one filter can run on the server; the rest is applied here and reported as progress.
          this.enqueue({ kind: 'checkpoint', position });
        } else {
          this.enqueue({ kind: 'event', event: toRecordedEvent(event) });
        }
        this.position = position;
      } catch (error) {
        this.fail(error);
        return;
      }
    }
    this.releasePinned();
    if (!this.paused && this.queue.length >= this.bufferSize) {
      this.paused = true;
      this.source?.pause();
    }
  }

  /** Queues a side event behind every event the client has already taken in. */
  private pin(message: () => SubscriptionMessage | undefined): void {
    if (this.finished) return;
    const after = this.received + (this.source?.readableLength ?? 0);
    this.pinned.push({ after, message });
    this.releasePinned();
  }

  private releasePinned(): void {
    while (this.pinned.length > 0 && this.pinned[0].after <= this.received) {
      const message = (this.pinned.shift() as (typeof this.pinned)[number]).message();
      if (message) this.enqueue(message);
    }
  }

  private checkpoint(at: EsdbPosition): SubscriptionMessage | undefined {
    const position = Position.of(at.commit, at.prepare);
    if (!position.isAfter(this.position)) return undefined;
    this.position = position;
    return { kind: 'checkpoint', position };
  }

  private caughtUpMessage(): SubscriptionMessage | undefined {
    // The server may report catching up again after falling behind; our contract says once.
    if (this.caughtUp) return undefined;
    this.caughtUp = true;
    return { kind: 'caughtUp', position: this.position };
  }

  private enqueue(message: SubscriptionMessage): void {
    const last = this.queue[this.queue.length - 1];
    // Consecutive checkpoints say the same thing; keep the newest so a long filtered stretch stays one message.
    if (message.kind === 'checkpoint' && last?.kind === 'checkpoint') this.queue[this.queue.length - 1] = message;
    else this.queue.push(message);
    this.wakeAll();
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = asStoreError(error, 'subscription');
    this.pinned.length = 0;
    this.wakeAll();
    void this.release();
  }

  private async release(): Promise<void> {
    const source = this.source;
    this.source = undefined;
    this.onClosed();
    if (!source) return;
    source.removeAllListeners('data');
    // Keep an error listener: a late error on a stream nobody reads must not crash the process.
    source.removeAllListeners('error');
    source.on('error', () => undefined);
    try {
      await source.unsubscribe();
    } catch {
      // The call is being thrown away; a failure to cancel it changes nothing for the caller.
    } finally {
      source.destroy();
    }
  }

  private wakeAll(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
