import { compareKeys, messageKeyText, positionTextOf, type MessageKey } from './message-key';
import type { RealtimeMessage } from './realtime-contract';

/** A message of the log with its key. */
export interface KeyedMessage {
  key: MessageKey;
  message: RealtimeMessage;
}

/** What became of an offered message. */
export type FeedOutcome = 'sent' | 'buffered' | 'dropped' | 'overflow';

/**
 * Writes a message to the client; false when the client's connection is too far behind to take
 * more (see `SocketOutbox`): nothing was written, the socket must be told to resume.
 */
export type MessageSink = (message: RealtimeMessage) => boolean;

/**
 * One client's subscription to one topic: the seam between catch-up (snapshot or log) and live.
 *
 * The feed is registered before the catch-up reads the database, so every live message committed
 * after that read reaches it; while catching up, live messages are held (at most `maxBuffered`).
 * Catch-up messages and, afterwards, the held and later live messages are sent only when their key
 * is after the last key sent: the overlap at the seam is dropped, nothing is sent twice, and since
 * the log is read in key order and live messages arrive in key order, nothing is skipped. Keys
 * include the message's `seq`, so this holds between two messages of one event too, and a client
 * resuming after a message's key (`resumeKey`) continues with the next message of that event.
 */
export class TopicFeed {
  private live = false;
  private held: KeyedMessage[] = [];
  private lastKey: MessageKey;

  constructor(
    readonly topic: string,
    /**
     * Resume: the key of the client's last message (or after its last position); snapshot:
     * `START_KEY` until `sentSnapshot`.
     */
    from: MessageKey,
    private readonly sink: MessageSink,
    private readonly maxBuffered: number,
  ) {
    this.lastKey = from;
  }

  get isLive(): boolean {
    return this.live;
  }

  /** The position of the last message sent, or where the client started (coarse: a whole event). */
  get resumePosition(): string {
    return positionTextOf(this.lastKey);
  }

  /** The key to resume after, exactly: of the last message sent, or where the client started. */
  get resumeKey(): string {
    return messageKeyText(this.lastKey);
  }

  get lastSentKey(): MessageKey {
    return this.lastKey;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** A snapshot at `key` (the checkpoint's position, after all its messages) went out. */
  sentSnapshot(message: RealtimeMessage, key: MessageKey): FeedOutcome {
    if (!this.sink(message)) return 'overflow';
    this.lastKey = key;
    return 'sent';
  }

  /** A message read from the log while catching up. */
  catchUp(entry: KeyedMessage): FeedOutcome {
    return this.send(entry);
  }

  /** A live message: held while catching up, sent when new once live. */
  offerLive(entry: KeyedMessage): FeedOutcome {
    if (!this.live) {
      if (compareKeys(entry.key, this.lastKey) <= 0) return 'dropped';
      if (this.held.length >= this.maxBuffered) return 'overflow';
      this.held.push(entry);
      return 'buffered';
    }
    return this.send(entry);
  }

  /** Catch-up done: sends the held messages that are after what was sent, then follows live. */
  goLive(): FeedOutcome {
    const held = this.held;
    this.held = [];
    this.live = true;
    for (const entry of held) if (this.send(entry) === 'overflow') return 'overflow';
    return 'sent';
  }

  /**
   * A message outside the log (projection status, `resume.expired`): always sent, the key order
   * does not apply.
   */
  sendUnlogged(message: RealtimeMessage): FeedOutcome {
    return this.sink(message) ? 'sent' : 'overflow';
  }

  private send(entry: KeyedMessage): FeedOutcome {
    if (compareKeys(entry.key, this.lastKey) <= 0) return 'dropped';
    if (!this.sink(entry.message)) return 'overflow';
    this.lastKey = entry.key;
    return 'sent';
  }
}
