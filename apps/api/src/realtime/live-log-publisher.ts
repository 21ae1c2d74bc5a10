import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Namespace } from 'socket.io';
import type { TracershopConfig } from '@tracershop/config';
import { CommitSignals, PINO_LOGGER, REDIS, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { LIVE_DASHBOARDS_PROJECTION_NAME, type LiveReadModel } from '@tracershop/projections/live';
import { toWireKey } from '@tracershop/realtime';
import { LIVE_READ_MODEL, RealtimeHub, type LogBatch } from './realtime-hub';

/** The server-side event that carries log batches between api instances (Redis adapter). */
export const LOG_BATCH_EVENT = 'tracershop:live-log-batch';

const PAGE = 500;
const LOCK_TTL_MS = 5_000;
const RENEW_EVERY_MS = 1_000;
const ACQUIRE_EVERY_MS = 1_000;
/** While the log is idle, where it ends is announced this often (an empty batch). */
const HEARTBEAT_MS = 1_000;

const RENEW_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_IF_OWNER = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Announces what the live projection committed. One api instance of the deployment (elected with a
 * Redis lock; `REALTIME_PUBLISH=false` keeps an instance out) reads the message log after where it
 * stands, dispatches each page to its own sockets and sends it to every other instance with
 * `serverSideEmit` over the Socket.IO Redis adapter. Only committed log rows are read, so nothing
 * is announced that was not stored; a new publisher continues from the last batch it received.
 */
@Injectable()
export class LiveLogPublisher implements BeforeApplicationShutdown {
  private readonly instance = randomUUID();
  private namespace: Namespace | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private leader = false;
  private lastLockAttempt = 0;
  private lastRenewal = 0;
  /** Ends the current wait between reads of the log, when there is one. */
  private wake: (() => void) | null = null;
  private stopSignals: (() => void) | null = null;
  /** A commit was signalled while the log was being read: the next wait ends at once. */
  private signalled = false;
  /** When a batch was last sent to the other instances. */
  private lastFanOut = 0;

  constructor(
    @Inject(LIVE_READ_MODEL) private readonly read: LiveReadModel,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    private readonly hub: RealtimeHub,
    private readonly signals: CommitSignals,
  ) {}

  private get lockKey(): string {
    return `tracershop:${this.config.databases.web}:realtime-publisher:${this.config.databases.record}`;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  /** Receives other instances' batches; publishes too unless this instance is configured not to. */
  start(namespace: Namespace): void {
    this.namespace = namespace;
    namespace.on(LOG_BATCH_EVENT, (batch: LogBatch) => void this.hub.receive(batch));
    if (!this.config.realtime.publish) return;
    // The projector signals each committed batch of the live projection: read the log at once.
    this.stopSignals = this.signals.onProjectionCommit(LIVE_DASHBOARDS_PROJECTION_NAME, () => {
      if (this.wake) this.wake();
      else this.signalled = true;
    });
    this.loop = this.run();
  }

  /** Before the Socket.IO adapter closes its Redis clients: no batch may be fanned out after that. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.stopSignals?.();
    this.wake?.();
    await this.loop;
    if (this.leader) await this.redis.eval(RELEASE_IF_OWNER, 1, this.lockKey, this.instance).catch(() => undefined);
    this.leader = false;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let full = false;
      try {
        await this.holdLock();
        if (this.leader) full = await this.publishPage();
        failures = 0;
      } catch (error) {
        failures++;
        if (failures === 1 || failures % 100 === 0) {
          this.logger.warn({ err: error, failures }, 'realtime: publishing the live log failed; retrying');
        }
      }
      if (!full) await this.sleep(this.config.realtime.tailIntervalMs);
    }
  }

  private async holdLock(): Promise<void> {
    const now = Date.now();
    if (this.leader) {
      if (now - this.lastRenewal < RENEW_EVERY_MS) return;
      const renewed = await this.redis.eval(RENEW_IF_OWNER, 1, this.lockKey, this.instance, String(LOCK_TTL_MS));
      this.leader = Number(renewed) === 1;
      this.lastRenewal = now;
      if (!this.leader) this.logger.warn('realtime: lost the publisher lock');
      return;
    }
    if (now - this.lastLockAttempt < ACQUIRE_EVERY_MS && this.lastLockAttempt !== 0) return;
    this.lastLockAttempt = now;
    const acquired = await this.redis.set(this.lockKey, this.instance, 'PX', LOCK_TTL_MS, 'NX');
    if (acquired === 'OK') {
      this.leader = true;
      this.lastRenewal = now;
      this.logger.info('realtime: this instance publishes the live log');
    }
  }

  /** Publishes the next page of the log; true when the page was full (more is waiting). */
  private async publishPage(): Promise<boolean> {
    const after = await this.hub.position();
    const page = await this.read.logAfter(after, PAGE);
    if (page.length === 0) {
      // Idle: an empty batch after where the log ends. An instance that lost a batch (pub/sub is
      // at most once) reads the gap from the log now, not when the next message is committed.
      if (Date.now() - this.lastFanOut >= HEARTBEAT_MS) this.fanOut({ after: toWireKey(after), messages: [] });
      return false;
    }
    const batch: LogBatch = {
      after: toWireKey(after),
      messages: page.map(({ key, message }) => ({ key: toWireKey(key), message })),
    };
    await this.hub.receive(batch);
    this.fanOut(batch);
    return page.length === PAGE;
  }

  private fanOut(batch: LogBatch): void {
    this.lastFanOut = Date.now();
    try {
      this.namespace?.serverSideEmit(LOG_BATCH_EVENT, batch);
    } catch (error) {
      // Without the Redis adapter only this instance's sockets get it; the others fill the gap
      // from the log when the next batch reaches them.
      this.logger.warn({ err: error }, 'realtime: could not fan the live log out to other instances');
    }
  }

  /** Waits `ms`, or less when the live projection signals a commit. */
  private sleep(ms: number): Promise<void> {
    if (this.signalled) {
      this.signalled = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms).unref();
      this.wake = done;
    });
  }
}
