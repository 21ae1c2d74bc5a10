import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { TracershopConfig } from '@tracershop/config';
import { Position, type EventStore } from '@tracershop/event-store';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { EVENT_STORE, PINO_LOGGER, REDIS, TRACERSHOP_CONFIG } from './tokens';

/** A store that can tell of its appends and take hints of others' (the MySQL store). */
interface HeadSignalling {
  onCommitted(listener: (head: Position) => void): () => void;
  headMoved(head: Position): void;
}

function signalsHead(store: EventStore): store is EventStore & HeadSignalling {
  const candidate = store as Partial<HeadSignalling>;
  return typeof candidate.onCommitted === 'function' && typeof candidate.headMoved === 'function';
}

/** The deployment's channels: keyed by its databases, so test runs and deployments never cross-talk. */
export const commitSignalChannels = (config: TracershopConfig) => ({
  head: `tracershop:${config.databases.events}:event-store-head`,
  commits: `tracershop:${config.databases.record}:projection-commits`,
});

/**
 * Tells the deployment's other processes, over Redis pub/sub, what this one committed, so they act
 * at once instead of at their next poll: appends wake the projector's live subscriptions (MySQL
 * store; EventStoreDB pushes by itself), projection batches wake the api's read-your-writes waits
 * and its live log publisher. Signals are hints, coalesced to one message per channel and tick:
 * every receiver still reads what is committed, and polls as before when a signal is lost.
 */
@Injectable()
export class CommitSignals implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly instance = randomUUID();
  private readonly channels: { head: string; commits: string };
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly stops: Array<() => void> = [];
  private subscriber: Redis | null = null;
  private pendingHead: Position | null = null;
  private readonly pendingCommits = new Set<string>();
  private flushScheduled = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(ProjectionEngine) private readonly engine: ProjectionEngine,
    @Inject(TRACERSHOP_CONFIG) config: TracershopConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.channels = commitSignalChannels(config);
  }

  /** Calls `listener` after each batch of `projection` committed, here or in another process. */
  onProjectionCommit(projection: string, listener: () => void): () => void {
    let listeners = this.listeners.get(projection);
    if (!listeners) this.listeners.set(projection, (listeners = new Set()));
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  onApplicationBootstrap(): void {
    const subscriber = this.redis.duplicate();
    subscriber.on('error', (error: unknown) =>
      this.logger.warn({ err: error }, 'commit signals: Redis subscriber connection (polling meanwhile)'),
    );
    subscriber.on('message', (channel: string, message: string) => this.received(channel, message));
    subscriber.subscribe(this.channels.head, this.channels.commits).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'commit signals: cannot subscribe (polling instead)');
    });
    this.subscriber = subscriber;
    if (signalsHead(this.store)) {
      const store = this.store;
      this.stops.push(
        store.onCommitted((head) => {
          if (this.pendingHead === null || head.isAfter(this.pendingHead)) this.pendingHead = head;
          this.scheduleFlush();
        }),
      );
    }
    this.stops.push(
      this.engine.onCommitted((name) => {
        this.pendingCommits.add(name);
        this.scheduleFlush();
        this.notify(name);
      }),
    );
  }

  onApplicationShutdown(): void {
    for (const stop of this.stops.splice(0)) stop();
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const publish = (channel: string, payload: string) =>
        this.redis.publish(channel, `${this.instance} ${payload}`).catch(() => undefined);
      if (this.pendingHead !== null) void publish(this.channels.head, this.pendingHead.toString());
      if (this.pendingCommits.size > 0) void publish(this.channels.commits, [...this.pendingCommits].join(','));
      this.pendingHead = null;
      this.pendingCommits.clear();
    });
  }

  private received(channel: string, message: string): void {
    const space = message.indexOf(' ');
    if (space < 0 || message.slice(0, space) === this.instance) return;
    const payload = message.slice(space + 1);
    try {
      if (channel === this.channels.head && signalsHead(this.store)) {
        this.store.headMoved(Position.parse(payload));
      } else if (channel === this.channels.commits) {
        for (const name of payload.split(',')) {
          this.engine.commitReported(name);
          this.notify(name);
        }
      }
    } catch (error) {
      this.logger.warn({ err: error, channel }, 'commit signals: ignored a message it cannot read');
    }
  }

  private notify(projection: string): void {
    for (const listener of this.listeners.get(projection) ?? []) listener();
  }
}
