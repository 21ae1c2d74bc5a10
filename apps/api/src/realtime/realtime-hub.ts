import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import type { Principal } from '@tracershop/auth';
import type { TracershopConfig } from '@tracershop/config';
import { PINO_LOGGER, TRACERSHOP_CONFIG } from '@tracershop/platform';
import type { LiveReadModel } from '@tracershop/projections/live';
import {
  compareKeys,
  fromWireKey,
  toWireKey,
  TopicFeed,
  type FeedOutcome,
  type KeyedMessage,
  type MessageKey,
  type RealtimeMessage,
  type SocketOutbox,
  type WireKey,
} from '@tracershop/realtime';
import type { SocketCredential } from './realtime-access';

export const LIVE_READ_MODEL = Symbol('LIVE_READ_MODEL');

/** One connected socket on this instance. */
export interface RealtimeClient {
  readonly socket: Socket;
  principal: Principal;
  readonly credential: SocketCredential;
  readonly outbox: SocketOutbox;
  readonly feeds: Map<string, TopicFeed>;
}

/** What the publisher fans out: the log's messages after `after`, in key order. */
export interface LogBatch {
  after: WireKey;
  messages: Array<{ key: WireKey; message: RealtimeMessage }>;
}

const GAP_PAGE = 1_000;
/** The one topic whose messages are not logged (projection status): a pruned log does not concern it. */
const UNLOGGED_TOPIC = 'projection-status';
/** How long a slow client's last packets may take before its connection is cut. */
const SLOW_CLIENT_GRACE_MS = 5_000;

/**
 * This instance's sockets and what they follow. Log batches (from the publisher, through the
 * Redis adapter) are dispatched in key order to the topics' feeds; a batch that does not continue
 * where the last one ended (a lost pub/sub message, a new publisher) is preceded by the missing
 * messages read from the log itself, so a live client never misses one. A feed that cannot take a
 * message because its client is too far behind tells the client `resume.required`.
 */
@Injectable()
export class RealtimeHub {
  private readonly clients = new Map<string, RealtimeClient>();
  private readonly followers = new Map<string, Set<RealtimeClient>>();
  /** Key of the last log message dispatched; null until read from the log at start. */
  private cursor: MessageKey | null = null;
  private queue: Promise<void> = Promise.resolve();
  private ready: Promise<void> | null = null;
  /**
   * The sockets taking the log message being dispatched: written with one local broadcast, so the
   * message is encoded and framed once for all of them instead of once per socket.
   */
  private fanOut: { message: RealtimeMessage; sockets: Socket[] } | null = null;

  constructor(
    @Inject(LIVE_READ_MODEL) private readonly read: LiveReadModel,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  get socketCount(): number {
    return this.clients.size;
  }

  /**
   * Reads where the log ends, before any socket follows a topic: every message committed after a
   * feed's catch-up read is after this key, so it will be dispatched (none is skipped as "old").
   * Retries until the database answers; joins and batches wait for it.
   */
  start(): Promise<void> {
    this.ready ??= (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          this.cursor = await this.read.logHead();
          return;
        } catch (error) {
          if (attempt === 0) this.logger.warn({ err: error }, 'realtime: cannot read the live log yet; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
        }
      }
    })();
    return this.ready;
  }

  /** Where this instance stands in the log: the publisher continues from here. */
  async position(): Promise<MessageKey> {
    await this.start();
    await this.queue;
    return this.cursor as MessageKey;
  }

  add(client: RealtimeClient): void {
    this.clients.set(client.socket.id, client);
  }

  remove(client: RealtimeClient): void {
    this.clients.delete(client.socket.id);
    for (const topic of [...client.feeds.keys()]) this.unfollow(client, topic);
  }

  allClients(): RealtimeClient[] {
    return [...this.clients.values()];
  }

  followerCount(topic: string): number {
    return this.followers.get(topic)?.size ?? 0;
  }

  isFollowing(client: RealtimeClient, feed: TopicFeed): boolean {
    return this.clients.has(client.socket.id) && client.feeds.get(feed.topic) === feed;
  }

  /**
   * Starts a feed: registered first (live messages are held from now on), then `prime` sends the
   * snapshot or the logged messages after the client's position, then the held messages follow.
   */
  async follow(client: RealtimeClient, feed: TopicFeed, prime: (feed: TopicFeed) => Promise<FeedOutcome>) {
    await this.start();
    if (!this.clients.has(client.socket.id)) return;
    this.unfollow(client, feed.topic);
    client.feeds.set(feed.topic, feed);
    let followers = this.followers.get(feed.topic);
    if (!followers) this.followers.set(feed.topic, (followers = new Set()));
    followers.add(client);
    try {
      const primed = await prime(feed);
      if (!this.isFollowing(client, feed)) return;
      const outcome = primed === 'overflow' ? primed : feed.goLive();
      if (outcome === 'overflow') this.overflowed(client, feed);
    } catch (error) {
      if (!this.isFollowing(client, feed)) return;
      this.logger.warn({ err: error, topic: feed.topic }, 'realtime: catching up a topic failed');
      this.dropTopic(client, feed);
    }
  }

  unfollow(client: RealtimeClient, topic: string): void {
    client.feeds.delete(topic);
    const followers = this.followers.get(topic);
    followers?.delete(client);
    if (followers?.size === 0) this.followers.delete(topic);
  }

  /** A batch from the publisher (this instance's or another's, via Redis); applied in arrival order. */
  receive(batch: LogBatch): Promise<void> {
    const next = this.queue.then(() => this.apply(batch));
    this.queue = next.catch((error: unknown) => {
      this.logger.error({ err: error }, 'realtime: dispatching a log batch failed');
    });
    return this.queue;
  }

  /** A message outside the log (projection status) to every live follower of its topic here. */
  broadcastUnlogged(message: RealtimeMessage): void {
    for (const client of this.followers.get(message.topic) ?? []) {
      const feed = client.feeds.get(message.topic);
      if (feed?.isLive && feed.sendUnlogged(message) === 'overflow') this.overflowed(client, feed);
    }
  }

  private async apply(batch: LogBatch): Promise<void> {
    await this.start();
    if (this.cursor === null) return;
    const after = fromWireKey(batch.after);
    if (compareKeys(after, this.cursor) > 0 && compareKeys(await this.read.prunedThrough(), this.cursor) > 0) {
      // The missing part may be pruned already (no batch for longer than the retention): no feed
      // here can be made whole from the log, so each is told to resume, which starts it over.
      this.logger.warn({ cursor: toWireKey(this.cursor), after: batch.after }, 'realtime: log gap already pruned');
      for (const client of this.allClients()) {
        for (const feed of [...client.feeds.values()]) if (feed.topic !== UNLOGGED_TOPIC) this.dropTopic(client, feed);
      }
      this.cursor = after;
    }
    // The batch starts later than what was dispatched here: read the missing part from the log.
    while (compareKeys(after, this.cursor) > 0) {
      const missing = await this.read.logAfter(this.cursor, GAP_PAGE);
      const upTo = missing.filter((entry) => compareKeys(entry.key, after) <= 0);
      if (upTo.length === 0) {
        this.logger.warn({ cursor: toWireKey(this.cursor), after: batch.after }, 'realtime: log gap not readable');
        break;
      }
      for (const entry of upTo) this.dispatch(entry);
    }
    for (const { key, message } of batch.messages) this.dispatch({ key: fromWireKey(key), message });
  }

  /**
   * Writes a message to a client's socket (the outbox's sink). While a log message is dispatched,
   * the sockets taking it are gathered and written together when the dispatch ends; anything else
   * (snapshots, catch-up, `resume.required`) is written at once.
   */
  write(socket: Socket, message: RealtimeMessage): void {
    const fanOut = this.fanOut;
    if (fanOut !== null && fanOut.message === message) fanOut.sockets.push(socket);
    else socket.emit('message', message);
  }

  private dispatch(entry: KeyedMessage): void {
    if (this.cursor !== null && compareKeys(entry.key, this.cursor) <= 0) return;
    this.cursor = entry.key;
    const fanOut: { message: RealtimeMessage; sockets: Socket[] } = { message: entry.message, sockets: [] };
    this.fanOut = fanOut;
    try {
      for (const client of this.followers.get(entry.message.topic) ?? []) {
        const feed = client.feeds.get(entry.message.topic);
        if (feed && feed.offerLive(entry) === 'overflow') this.overflowed(client, feed);
      }
    } finally {
      this.fanOut = null;
    }
    const { sockets } = fanOut;
    if (sockets.length === 1) sockets[0]!.emit('message', entry.message);
    // Local: the other instances dispatch the same log batch to their own sockets.
    else if (sockets.length > 1)
      sockets[0]!.nsp.local.to(sockets.map((socket) => socket.id)).emit('message', entry.message);
  }

  /** The client cannot take more: its socket (backlog) or this topic's catch-up buffer is full. */
  private overflowed(client: RealtimeClient, feed: TopicFeed): void {
    if (client.outbox.isOverflowed) this.slowClient(client);
    else this.dropTopic(client, feed);
  }

  /** Tells the client where to resume the topic and stops following it. */
  dropTopic(client: RealtimeClient, feed: TopicFeed): void {
    this.unfollow(client, feed.topic);
    client.outbox.writeFinal(resumeRequired(feed));
  }

  /**
   * The socket's queue is full: every topic gets `resume.required` with its last delivered position,
   * and the socket is disconnected (its queue goes with it, after a short grace to deliver those).
   */
  slowClient(client: RealtimeClient): void {
    if (!this.clients.has(client.socket.id)) return;
    this.logger.warn(
      { socket: client.socket.id, user: client.principal.id, limit: this.config.realtime.socketBufferMessages },
      'realtime: client too far behind; asked to resume and disconnected',
    );
    for (const feed of [...client.feeds.values()]) this.dropTopic(client, feed);
    this.remove(client);
    const { conn } = client.socket;
    client.socket.disconnect(true);
    setTimeout(() => conn.close(true), SLOW_CLIENT_GRACE_MS).unref();
  }
}

/** Names the last message delivered exactly (`afterKey`), so a resume continues inside its event. */
export function resumeRequired(feed: TopicFeed): RealtimeMessage<'resume.required'> {
  return {
    type: 'resume.required',
    topic: feed.topic as RealtimeMessage['topic'],
    position: feed.resumePosition,
    key: feed.resumeKey,
    payload: { fromPosition: feed.resumePosition, afterKey: feed.resumeKey, reason: 'too_far_behind' },
  };
}
