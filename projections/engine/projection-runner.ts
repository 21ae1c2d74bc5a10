import type { EventStore, Position, RecordedEvent, Subscription, SubscriptionFilter } from '@tracershop/event-store';
import { abortableSleep, untilAborted } from './abortable-sleep';
import { applyBatch, type BatchWriter } from './batch-transaction';
import type { Checkpoint, CheckpointStore } from './checkpoint-store';
import { runnerLockName } from './physical-names';
import { eventMatcher, type Projection } from './projection';
import { CheckpointMovedError } from './projection-errors';
import { ProjectionLock } from './projection-lock';
import { describeError, type ProjectionLogger } from './projection-logger';
import { completeInterruptedSwap } from './projection-rebuild';
import { createMissingLiveTables, physicalTables } from './projection-tables';
import { SubscriptionBatches } from './subscription-batches';

/**
 * What this process's runner of a projection is doing:
 * `standby` waits for the lock (another process is active, or a rebuild swaps), `running` holds it
 * and applies, `failed` holds it but stopped at an event it could not apply, `stopped` is not started.
 */
export type RunnerState = 'standby' | 'running' | 'failed' | 'stopped';

export interface RunnerSettings {
  eventStore: EventStore;
  checkpoints: CheckpointStore;
  projection: Projection;
  instanceId: string;
  maxBatchEvents: number;
  maxBatchMs: number;
  liveBatchSpacingMs: number;
  checkpointOnlyWaitMs: number;
  lockRetryMs: number;
  keepAliveMs: number;
  /** How often the active runner looks for a rebuild's handover request or an operator's retry. */
  controlPollMs: number;
  logger: ProjectionLogger;
  onStateChange?(projection: string, state: RunnerState): void;
  /** A batch committed here: wakes read-your-writes waiters of this process. */
  onCommitted(projection: string, position: Position): void;
}

export interface RunnerSnapshot {
  state: RunnerState;
  /** Caught up with the head and following live events. */
  live: boolean;
  /** Why the runner waits or stopped, when it does. */
  note: string | null;
  lastBatch: { at: Date; size: number; durationMs: number } | null;
  activeSince: Date | null;
}

interface FollowOutcome {
  position: Position;
  failure?: { event: RecordedEvent; error: unknown };
}

/** Pause before looking again when the live tables are another version than this process's code. */
const OTHER_VERSION_PAUSE_MS = 1_000;
const MAX_BACKOFF_MS = 5_000;
/** A subscription that cannot close (its database is gone) must not hold the runner. */
const CLOSE_TIMEOUT_MS = 2_000;

/**
 * Runs one projection in this process. Stands by until it takes the projection's named lock, then
 * reads the checkpoint, subscribes from it and applies batches, each in one transaction with the
 * checkpoint. A handler that throws stops the projection at that event (never skipped) until a
 * retry or a restart. When the subscription fails, it resubscribes with backoff from the stored
 * checkpoint. When the lock's session dies it stops applying at once and stands by again.
 */
export class ProjectionRunner {
  private state: RunnerState = 'stopped';
  private note: string | null = null;
  private batches: SubscriptionBatches | null = null;
  private lastBatch: RunnerSnapshot['lastBatch'] = null;
  private activeSince: Date | null = null;
  private stopping = new AbortController();
  private retryWake = new AbortController();
  private running: Promise<void> | null = null;
  private readonly lockName: string;
  private readonly handles: (event: RecordedEvent) => boolean;
  private readonly filter: SubscriptionFilter;

  constructor(private readonly settings: RunnerSettings) {
    const { projection, checkpoints } = settings;
    this.lockName = runnerLockName(checkpoints.database, projection.name);
    this.handles = eventMatcher(projection);
    // The store filters by prefix; `handles` then keeps exact types only.
    this.filter = {
      eventTypePrefixes: [...projection.eventTypes],
      ...(projection.streamPrefixes ? { streamPrefixes: [...projection.streamPrefixes] } : {}),
    };
  }

  get name(): string {
    return this.settings.projection.name;
  }

  start(): void {
    if (this.running) return;
    this.stopping = new AbortController();
    this.running = this.run();
  }

  /** Lets the batch in flight commit, then leaves the lock to a standby. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    this.running = null;
  }

  /** Wakes this process's failed runner to apply the failing batch again. */
  retry(): void {
    this.retryWake.abort();
  }

  snapshot(): RunnerSnapshot {
    return {
      state: this.state,
      live: (this.state === 'running' && this.batches?.isLive) ?? false,
      note: this.note,
      lastBatch: this.lastBatch,
      activeSince: this.activeSince,
    };
  }

  private setState(state: RunnerState, note: string | null = null): void {
    this.note = note;
    if (this.state === state) return;
    this.state = state;
    this.settings.onStateChange?.(this.name, state);
  }

  private async run(): Promise<void> {
    const { checkpoints, logger } = this.settings;
    const stop = this.stopping.signal;
    let failures = 0;
    while (!stop.aborted) {
      if (this.state !== 'standby') this.setState('standby', this.note);
      let pauseMs = this.settings.lockRetryMs;
      let lock: ProjectionLock | null = null;
      try {
        const row = await checkpoints.read(this.name);
        if (row?.handoverPending) {
          // Right after handing over: leave the lock to the rebuild instead of racing it.
          this.note = 'a rebuild is swapping in new tables';
        } else if (
          row &&
          row.version !== this.settings.projection.version &&
          !(await checkpoints.read(this.name, 'shadow'))?.swapTables
        ) {
          // Another version's tables, and no interrupted swap to finish: nothing to do, no lock to take.
          this.note = this.otherVersionNote(row.version);
          pauseMs = OTHER_VERSION_PAUSE_MS;
        } else {
          lock = await ProjectionLock.tryAcquire(checkpoints.pool, this.lockName, this.settings.keepAliveMs);
          if (lock) pauseMs = await this.serve(lock);
          else this.note = 'another instance is active';
        }
        failures = 0;
      } catch (error) {
        failures += 1;
        pauseMs = backoff(failures);
        this.note = describeError(error);
        logger.warn(`Projection ${this.name}: runner error, standing by`, { error: describeError(error) });
      } finally {
        this.batches = null;
        this.activeSince = null;
        await lock?.release();
      }
      await abortableSleep(pauseMs, stop);
    }
    this.setState('stopped');
  }

  /** Holds the lock until it is lost, handed over or given up; returns how long to wait before trying again. */
  private async serve(lock: ProjectionLock): Promise<number> {
    const { checkpoints, projection, logger } = this.settings;
    if (this.stopping.signal.aborted) return 0;
    await completeInterruptedSwap(checkpoints, projection, logger);
    const checkpoint = await this.activate();
    if (checkpoint.handoverPending) return this.settings.lockRetryMs;
    if (checkpoint.version !== projection.version) {
      this.note = this.otherVersionNote(checkpoint.version);
      logger.warn(`Projection ${this.name}: not applying`, { reason: this.note });
      return OTHER_VERSION_PAUSE_MS;
    }

    const leave = new AbortController();
    const active = AbortSignal.any([lock.lost, this.stopping.signal, leave.signal]);
    const watching = this.watchCheckpointRow(active, leave);
    try {
      await checkpoints.markRunning(checkpoints.pool, this.name, this.settings.instanceId);
      this.activeSince = new Date();
      this.setState('running');
      logger.info(`Projection ${this.name} is active`, { from: checkpoint.position.toString() });
      let position = checkpoint.position;
      let attempt = 0;
      while (!active.aborted) {
        try {
          const outcome = await this.follow(lock, position, active);
          position = outcome.position;
          if (outcome.failure) {
            await this.holdFailed(position, outcome.failure, active);
            if (active.aborted) break;
            position = (await this.readOwnCheckpoint()).position;
            await checkpoints.markRunning(checkpoints.pool, this.name, this.settings.instanceId);
            this.setState('running');
            logger.info(`Projection ${this.name}: retrying from ${position}`);
          }
        } catch (error) {
          if (active.aborted || (error instanceof CheckpointMovedError && error.lockLost)) break;
          const stored = await this.readOwnCheckpoint();
          if (stored.version !== projection.version) break;
          // Backoff grows only while failures come without progress in between.
          attempt = stored.position.isAfter(position) ? 1 : attempt + 1;
          position = stored.position;
          logger.warn(`Projection ${this.name}: resubscribing from the checkpoint`, {
            attempt,
            position: position.toString(),
            error: describeError(error),
          });
          await abortableSleep(backoff(attempt), active);
        }
      }
      if (this.stopping.signal.aborted && lock.held && this.state === 'running') {
        await checkpoints.setStatus(this.name, 'live', 'stopped', 'running').catch(() => undefined);
      }
      return this.settings.lockRetryMs;
    } finally {
      leave.abort();
      await watching;
    }
  }

  /** Creates the tables and checkpoint on first run, then reads the checkpoint once the previous holder is done. */
  private async activate(): Promise<Checkpoint> {
    const { checkpoints, projection } = this.settings;
    const { pool, database } = checkpoints;
    if (!(await checkpoints.read(this.name))) {
      await createMissingLiveTables(pool, database, projection);
      await checkpoints.insert(pool, this.name, 'live', projection.version, 'standby').catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== 'ER_DUP_ENTRY') throw error;
      });
    }
    // The locking read waits for a transaction the previous holder may still have open.
    const connection = await pool.getConnection();
    try {
      await connection.query('START TRANSACTION');
      const { checkpoint } = await checkpoints.lockRow(connection, this.name, 'live', this.lockName);
      await connection.query('COMMIT');
      if (!checkpoint) throw new Error(`The checkpoint row of ${this.name} vanished`);
      return checkpoint;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  }

  private async follow(lock: ProjectionLock, from: Position, active: AbortSignal): Promise<FollowOutcome> {
    const { eventStore, checkpoints, projection, logger } = this.settings;
    const subscription = eventStore.subscribeToAll({
      fromPosition: from.isStart() ? 'start' : from,
      filter: this.filter,
    });
    const batches = new SubscriptionBatches(subscription, from, this.handles, {
      maxEvents: this.settings.maxBatchEvents,
      maxMs: this.settings.maxBatchMs,
      liveSpacingMs: projection.liveBatchSpacingMs ?? this.settings.liveBatchSpacingMs,
      checkpointOnlyWaitMs: this.settings.checkpointOnlyWaitMs,
    });
    this.batches = batches;
    const writer: BatchWriter = {
      checkpoints,
      projection,
      slot: 'live',
      version: projection.version,
      tables: physicalTables(checkpoints.database, projection, 'live'),
      lock: { name: lock.name, sessionId: lock.sessionId },
    };
    let position = from;
    try {
      for (;;) {
        const batch = await batches.next(active);
        if (!batch) return { position };
        const outcome = await applyBatch(writer, position, batch, batch.live ? 'live' : 'catchUp');
        if (outcome.kind === 'failed') return { position, failure: outcome };
        position = outcome.position;
        this.lastBatch = { at: new Date(), size: outcome.handled, durationMs: outcome.durationMs };
        this.settings.onCommitted(this.name, position);
        if (batch.live && batch.events.length > 0 && projection.onLive) {
          try {
            await projection.onLive(batch.events);
          } catch (error) {
            logger.error(`Projection ${this.name}: onLive hook failed`, { error: describeError(error) });
          }
        }
      }
    } finally {
      await closeWithin(subscription, CLOSE_TIMEOUT_MS);
    }
  }

  /** Records the failure and waits, holding the lock (a standby would only fail again), for a retry. */
  private async holdFailed(
    position: Position,
    failure: NonNullable<FollowOutcome['failure']>,
    active: AbortSignal,
  ): Promise<void> {
    const { event, error } = failure;
    const message = describeError(error);
    await this.settings.checkpoints.markFailed(this.name, 'live', position, {
      position: event.position,
      eventId: event.metadata.eventId,
      eventType: event.type,
      message,
    });
    this.settings.logger.error(`Projection ${this.name} stopped at an event it cannot apply`, {
      position: event.position.toString(),
      eventId: event.metadata.eventId,
      eventType: event.type,
      streamId: event.streamId,
      error: message,
    });
    this.retryWake = new AbortController();
    this.setState('failed', `stopped at ${event.type} ${event.metadata.eventId} (${event.position}): ${message}`);
    await untilAborted(AbortSignal.any([active, this.retryWake.signal]));
  }

  /** While active: leave for a rebuild that asks for the lock; wake a failed runner an operator retried elsewhere. */
  private async watchCheckpointRow(active: AbortSignal, leave: AbortController): Promise<void> {
    while (!active.aborted) {
      await abortableSleep(this.settings.controlPollMs, active);
      if (active.aborted) return;
      // Judged by the state when the read started: a read older than the failure must not retry it.
      const wasFailed = this.state === 'failed';
      try {
        const row = await this.settings.checkpoints.read(this.name);
        if (row?.handoverPending) {
          this.note = 'handing over to a rebuild';
          leave.abort();
          return;
        }
        if (wasFailed && row && row.status !== 'failed') this.retryWake.abort();
      } catch {
        // Database trouble shows up on the batch path, which reports it.
      }
    }
  }

  private otherVersionNote(liveVersion: number): string {
    const version = this.settings.projection.version;
    return liveVersion < version
      ? `live tables are version ${liveVersion}: rebuild to build version ${version}`
      : `superseded: live tables are version ${liveVersion}, this process runs ${version}`;
  }

  private async readOwnCheckpoint(): Promise<Checkpoint> {
    const checkpoint = await this.settings.checkpoints.read(this.name);
    if (!checkpoint) throw new Error(`The checkpoint row of ${this.name} vanished`);
    return checkpoint;
  }
}

function backoff(attempt: number): number {
  return Math.min(100 * 2 ** attempt, MAX_BACKOFF_MS);
}

async function closeWithin(subscription: Subscription, ms: number): Promise<void> {
  const closed = new AbortController();
  await Promise.race([
    subscription
      .close()
      .catch(() => undefined)
      .finally(() => closed.abort()),
    abortableSleep(ms, closed.signal),
  ]);
}
