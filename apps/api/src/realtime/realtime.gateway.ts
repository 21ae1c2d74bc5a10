import { Inject } from '@nestjs/common';
import {
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Logger } from 'pino';
import type { Namespace, Socket } from 'socket.io';
import type { TracershopConfig } from '@tracershop/config';
import { PINO_LOGGER, TRACERSHOP_CONFIG } from '@tracershop/platform';
import type { LiveReadModel } from '@tracershop/projections/live';
import {
  messageKeyText,
  parseResumeRequest,
  parseTopic,
  REALTIME_NAMESPACE,
  SocketOutbox,
  START_KEY,
  TopicFeed,
  type ConnectRefusal,
  type FeedOutcome,
  type JoinReply,
  type MessageKey,
  type ParsedTopic,
  type RealtimeMessage,
} from '@tracershop/realtime';
import { localMomentOf } from '../ordering/business-clock';
import { LiveLogPublisher } from './live-log-publisher';
import { ProjectionStatusFeed } from './projection-status-feed';
import { credentialOfHandshake, RealtimeAccess, RealtimeRefusal, type SocketCredential } from './realtime-access';
import { LIVE_READ_MODEL, RealtimeHub, type RealtimeClient } from './realtime-hub';
import { RealtimeSessions } from './realtime-sessions';
import { refusalOf } from './topic-access';
import type { Principal } from '@tracershop/auth';

/**
 * Logged messages read per query while a client catches up: at most a quarter of the socket's
 * queue. A page is written only once the queue is below half (`roomFor`), so a catch-up never fills
 * more than three quarters of it and the socket's live messages still fit.
 */
const MAX_CATCH_UP_PAGE = 500;
const catchUpPage = (socketLimit: number) => Math.max(1, Math.min(MAX_CATCH_UP_PAGE, Math.floor(socketLimit / 4)));
/** How long a catch-up waits for a client to read what it was sent before giving up on it. */
const CATCH_UP_STALL_MS = 10_000;

interface Admitted {
  principal: Principal;
  credential: SocketCredential;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Packets Socket.IO holds for the socket because its transport cannot write them yet. */
const backlogOf = (socket: Socket) => (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;

function connectError(code: string, message: string): Error {
  const error = new Error(message) as Error & { data?: ConnectRefusal };
  error.data = { code, message };
  return error;
}

/**
 * The realtime gateway (namespace `/realtime`). A connection authenticates like an HTTP request
 * (session cookie, `auth.token` or `Authorization: Bearer`) and is rate limited per user; a
 * client then `join`s topics (snapshot, or the log after `afterKey` / `fromPosition`, then live)
 * and `leave`s them. Messages come only from the live projection's log, through the `RealtimeHub`.
 */
@WebSocketGateway({ namespace: REALTIME_NAMESPACE })
export class RealtimeGateway
  implements OnGatewayInit<Namespace>, OnGatewayConnection<Socket>, OnGatewayDisconnect<Socket>
{
  private readonly clients = new Map<string, RealtimeClient>();

  constructor(
    private readonly access: RealtimeAccess,
    private readonly hub: RealtimeHub,
    private readonly sessions: RealtimeSessions,
    private readonly publisher: LiveLogPublisher,
    private readonly projectionStatus: ProjectionStatusFeed,
    @Inject(LIVE_READ_MODEL) private readonly read: LiveReadModel,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (error: unknown) => {
          if (error instanceof RealtimeRefusal) return next(connectError(error.code, error.message));
          this.logger.warn({ err: error }, 'realtime: could not authenticate a connection');
          next(connectError('UNAVAILABLE', 'Authentication is unavailable; try again'));
        },
      );
    });
    void this.hub.start();
    this.publisher.start(namespace);
    this.sessions.start();
  }

  handleConnection(socket: Socket): void {
    const admitted = socket.data as { realtime?: Admitted };
    if (!admitted.realtime) {
      socket.disconnect(true);
      return;
    }
    const limit = this.config.realtime.socketBufferMessages;
    const client: RealtimeClient = {
      socket,
      principal: admitted.realtime.principal,
      credential: admitted.realtime.credential,
      outbox: new SocketOutbox(
        () => backlogOf(socket),
        (message) => this.hub.write(socket, message),
        limit,
      ),
      feeds: new Map(),
    };
    this.clients.set(socket.id, client);
    this.hub.add(client);
    // One join of a socket at a time, catch-up included: each sees the topics the ones before it
    // registered (the topic limit holds for a burst), and one socket reads one snapshot or log at a time.
    let joins: Promise<void> = Promise.resolve();
    socket.on('join', (request: unknown, ack: unknown) => {
      joins = joins
        .then(() => (this.clients.has(socket.id) ? this.join(client, request, ack) : undefined))
        .catch((error: unknown) => this.logger.warn({ err: error, socket: socket.id }, 'realtime: join failed'));
    });
    // A leave waits for the joins sent before it: it must find the topic a queued join registers.
    socket.on('leave', (request: unknown, ack: unknown) => {
      joins = joins
        .then(() => {
          if (isRecord(request) && typeof request.topic === 'string') this.hub.unfollow(client, request.topic);
          if (typeof ack === 'function') ack({ ok: true });
        })
        .catch((error: unknown) => this.logger.warn({ err: error, socket: socket.id }, 'realtime: leave failed'));
    });
  }

  handleDisconnect(socket: Socket): void {
    const client = this.clients.get(socket.id);
    this.clients.delete(socket.id);
    if (client) this.hub.remove(client);
  }

  private async admit(socket: Socket): Promise<void> {
    const credential = credentialOfHandshake(socket.handshake);
    const principal = await this.access.authenticate(credential);
    if (principal.mustChangePassword) {
      throw new RealtimeRefusal('PASSWORD_CHANGE_REQUIRED', 'Change your password first');
    }
    await this.access.countConnection(principal);
    (socket.data as { realtime?: Admitted }).realtime = { principal, credential };
  }

  private async join(client: RealtimeClient, request: unknown, ack: unknown): Promise<void> {
    const topic = isRecord(request) && typeof request.topic === 'string' ? request.topic : '';
    const reply = (answer: JoinReply) => {
      if (typeof ack === 'function') ack(answer);
    };
    const refuse = (code: string, message: string) => reply({ ok: false, topic, error: { code, message } });
    try {
      if (!isRecord(request)) return refuse('INVALID_REQUEST', 'Send { topic, afterKey? } or { topic, fromPosition? }');
      // The credential is checked again on every join: a logout or revocation ends the connection.
      try {
        client.principal = await this.access.authenticate(client.credential);
      } catch (error) {
        if (!(error instanceof RealtimeRefusal)) throw error;
        refuse(error.code, error.message);
        setImmediate(() => this.sessions.end(client, error.code));
        return;
      }
      await this.access.countJoin(client.principal);
      const parsed = parseTopic(request.topic);
      if (!parsed.ok) return refuse(parsed.code, parsed.message);
      const refusal = await refusalOf(client.principal, parsed.parsed, this.sessions.orderSessions);
      if (refusal) return refuse(refusal.code, refusal.message);
      const resume = parseResumeRequest(request);
      if (!resume.ok) return refuse(resume.code, resume.message);
      const from = resume.from;
      const { topic: name } = parsed.parsed;
      if (!client.feeds.has(name) && client.feeds.size >= this.config.realtime.maxTopicsPerSocket) {
        return refuse('TOO_MANY_TOPICS', `At most ${this.config.realtime.maxTopicsPerSocket} topics per connection`);
      }
      if (!this.clients.has(client.socket.id)) return refuse('UNAUTHENTICATED', 'The connection has ended');
      const feed = new TopicFeed(
        name,
        from ?? START_KEY,
        (message) => client.outbox.offer(message),
        this.config.realtime.socketBufferMessages,
      );
      reply({ ok: true, topic: name });
      await this.hub.follow(client, feed, () => this.prime(client, parsed.parsed, feed, from));
    } catch (error) {
      if (error instanceof RealtimeRefusal) return refuse(error.code, error.message);
      this.logger.warn({ err: error, topic }, 'realtime: join failed');
      refuse('UNAVAILABLE', 'The realtime service could not answer; try again');
    }
  }

  /** The snapshot, or the logged messages after the client's position, before live messages. */
  private async prime(
    client: RealtimeClient,
    topic: ParsedTopic,
    feed: TopicFeed,
    from: MessageKey | null,
  ): Promise<FeedOutcome> {
    if (topic.kind === 'projection-status') {
      const snapshot = await this.projectionStatus.snapshot();
      return this.hub.isFollowing(client, feed) ? feed.sendUnlogged(snapshot) : 'dropped';
    }
    if (from === null) {
      const { message, key } = await this.snapshotOf(topic);
      return this.hub.isFollowing(client, feed) ? feed.sentSnapshot(message, key) : 'dropped';
    }
    const pageSize = catchUpPage(client.outbox.limit);
    let cursor = from;
    for (;;) {
      // Every page waits for room, the first too: the socket may still hold another topic's pages.
      if (!(await this.roomFor(client))) {
        this.hub.slowClient(client);
        return 'dropped';
      }
      const page = await this.read.topicPage(feed.topic, cursor, pageSize);
      if (!this.hub.isFollowing(client, feed)) return 'dropped';
      // Pruned past where the client (or this catch-up) stands: say so, then start it over.
      if (!page.complete) return this.expired(client, topic, feed, page.prunedThrough);
      for (const entry of page.messages) if (feed.catchUp(entry) === 'overflow') return 'overflow';
      if (page.messages.length < pageSize) return 'sent';
      cursor = page.messages[page.messages.length - 1].key;
    }
  }

  /**
   * The log no longer holds every message after the feed's key: `resume.expired`, then the snapshot
   * (at the checkpoint, after anything the feed sent), then live as after any snapshot.
   */
  private async expired(
    client: RealtimeClient,
    topic: ParsedTopic,
    feed: TopicFeed,
    prunedThrough: MessageKey,
  ): Promise<FeedOutcome> {
    const notice: RealtimeMessage<'resume.expired'> = {
      type: 'resume.expired',
      topic: topic.topic,
      position: feed.resumePosition,
      key: feed.resumeKey,
      payload: { afterKey: feed.resumeKey, prunedThrough: messageKeyText(prunedThrough), reason: 'log_pruned' },
    };
    if (feed.sendUnlogged(notice) === 'overflow') return 'overflow';
    const { message, key } = await this.snapshotOf(topic);
    return this.hub.isFollowing(client, feed) ? feed.sentSnapshot(message, key) : 'dropped';
  }

  private async snapshotOf(topic: ParsedTopic): Promise<{ message: RealtimeMessage; key: MessageKey }> {
    switch (topic.kind) {
      case 'production-day': {
        const { position, key, rows } = await this.read.productionDay(topic.date);
        return {
          key,
          message: {
            type: 'production-day.snapshot',
            topic: topic.topic,
            position,
            key: messageKeyText(key),
            payload: { date: topic.date, ...rows },
          },
        };
      }
      case 'customer': {
        const today = localMomentOf(new Date(), this.config.ordering.timeZone).date;
        const { position, key, rows } = await this.read.customer(topic.customerId, today);
        return {
          key,
          message: {
            type: 'customer.snapshot',
            topic: topic.topic,
            position,
            key: messageKeyText(key),
            payload: { customerId: topic.customerId, orders: rows },
          },
        };
      }
      case 'order-session': {
        // No producer writes order-session messages yet: the state is null, the feed is generic.
        const { position, key } = await this.read.checkpoint();
        const payload = { sessionId: topic.sessionId, state: null };
        const message: RealtimeMessage<'order-session.snapshot'> = {
          type: 'order-session.snapshot',
          topic: topic.topic,
          position,
          key: messageKeyText(key),
          payload,
        };
        return { key, message };
      }
      case 'job': {
        const { position, key } = await this.read.checkpoint();
        const payload = { jobId: topic.jobId, state: null };
        const message: RealtimeMessage<'job.snapshot'> = {
          type: 'job.snapshot',
          topic: topic.topic,
          position,
          key: messageKeyText(key),
          payload,
        };
        return { key, message };
      }
      case 'incidents': {
        const { position, key, rows } = await this.read.openIncidents();
        const message: RealtimeMessage<'incidents.snapshot'> = {
          type: 'incidents.snapshot',
          topic: topic.topic,
          position,
          key: messageKeyText(key),
          payload: { incidents: rows },
        };
        return { key, message };
      }
      case 'projection-status':
        throw new Error('projection-status has no logged snapshot');
    }
  }

  /** Waits until the client has read most of what it was sent; false if it stalls. */
  private async roomFor(client: RealtimeClient): Promise<boolean> {
    const deadline = Date.now() + CATCH_UP_STALL_MS;
    while (client.outbox.shouldPause()) {
      if (Date.now() >= deadline || !client.socket.connected) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }
}
