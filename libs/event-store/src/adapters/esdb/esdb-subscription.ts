import type { AllStreamResolvedEvent, AllStreamSubscription, Position as EsdbPosition } from '@eventstore/db-client';
import { matchesFilter } from '../../catch-up-subscription';
import type { SubscriptionFilter, Subscription, SubscriptionMessage } from '../../event-store';
import { Position } from '../../position';
import { asStoreError, isServerOwnEvent, toRecordedEvent } from './esdb-records';

/** Opens the client subscription; `checkpointReached` must be wired into its filter. */
export type OpenEsdbSubscription = (
  checkpointReached: (position: EsdbPosition) => void,
) => Promise<{ source: AllStreamSubscription; start: Position }>;

/**
 * Whether no event the subscription delivers lies strictly after `after` and up to `head`; asked
 * of the server, whose filter scans the events the client never sees.
 */
export type NothingDeliveredBetween = (after: Position, head: Position) => Promise<boolean>;

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
  /** Whether the server sent anything since the last `isIdle()`. */
  private heard = false;
  private asking = false;

  /**
   * `nothingDeliveredBetween` lets a live subscription move its checkpoint to the head in a quiet
   * stretch (see `checkpointAtHead`); without it the subscription only reports what the server sends.
   */
  constructor(
    open: OpenEsdbSubscription,
    private readonly filter: SubscriptionFilter | undefined,
    private readonly bufferSize: number,
    private readonly onClosed: () => void,
    private readonly nothingDeliveredBetween?: NothingDeliveredBetween,
  ) {
    void this.start(open);
  }

  /**
   * Live, and the server sent nothing since the last call. EventStoreDB reports progress through
   * filtered-out events only per checkpoint window (and once on catching up), so a quiet filtered
   * subscription would otherwise keep its checkpoint below the head for good.
   */
  isIdle(): boolean {
    const heard = this.heard;
    this.heard = false;
    return (
      !heard &&
      this.caughtUp &&
      !this.finished &&
      !this.paused &&
      !this.asking &&
      this.nothingDeliveredBetween !== undefined
    );
  }

  /**
   * Checkpoints at `head` (the newest record in $all) when the server finds nothing this subscription
   * delivers between its position and `head`. The checkpoint queues behind every event already
   * received, and is dropped if the subscription has moved past `head` meanwhile: it never goes back.
   */
  async checkpointAtHead(head: Position): Promise<void> {
    const from = this.position;
    if (!this.nothingDeliveredBetween || !head.isAfter(from) || this.asking) return;
    this.asking = true;
    try {
      if (await this.nothingDeliveredBetween(from, head)) this.pin(() => this.checkpoint(head));
    } catch {
      // Only progress is lost: the next quiet stretch asks again, and a broken connection ends the
      // subscription itself with an error.
    } finally {
      this.asking = false;
    }
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
      const { source, start } = await open((position) => {
        this.heard = true;
        this.pin(() => this.checkpoint(Position.of(position.commit, position.prepare)));
      });
      this.position = start;
      this.source = source;
      // Closed while the subscription was being opened.
      if (this.finished) {
        await this.release();
        return;
      }
      source.on('data', (resolved: AllStreamResolvedEvent) => this.onData(resolved));
      source.on('caughtUp', () => {
        this.heard = true;
        this.pin(() => this.caughtUpMessage());
      });
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
    this.heard = true;
    const event = resolved.event;
    if (event) {
      try {
        const position = Position.of(event.position.commit, event.position.prepare);
        if (isServerOwnEvent(event) || !matchesFilter(event, this.filter)) {
          // Only one filter can run on the server; the rest is applied here and reported as progress
          // (unless a checkpoint at the head has already passed it).
          const progress = this.checkpoint(position);
          if (progress) this.enqueue(progress);
        } else {
          this.enqueue({ kind: 'event', event: toRecordedEvent(event) });
          this.position = position;
        }
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

  private checkpoint(position: Position): SubscriptionMessage | undefined {
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
