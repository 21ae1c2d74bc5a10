import { hostname } from 'node:os';
import { Position, type EventStore } from '@tracershop/event-store';
import type { Pool } from 'mysql2/promise';
import { CheckpointStore, type Checkpoint, type ProjectionFailure } from './checkpoint-store';
import { rebuildLockName } from './physical-names';
import { assertValidProjection, type Projection, type ProjectionTarget } from './projection';
import { ProjectionNotCaughtUpError, UnknownProjectionError } from './projection-errors';
import { consoleProjectionLogger, describeError, type ProjectionLogger } from './projection-logger';
import { rebuildProjection, type RebuildOptions, type RebuildReport } from './projection-rebuild';
import { ProjectionRunner, type RunnerSnapshot, type RunnerState } from './projection-runner';
import { measureLag, type LagCounting, type ProjectionStatus, type RunnerFailure } from './projection-status';

/** A target database: a pool the engine may use and the database it writes (tables are qualified). */
export interface ProjectionDatabase {
  /**
   * Each active runner holds one session for its lock and one per batch in flight; size the pool
   * for that plus read-your-writes polls.
   */
  pool: Pool;
  database: string;
}

export interface ProjectionEngineOptions {
  eventStore: EventStore;
  /** Only the targets the projections write are needed. */
  databases: Partial<Record<ProjectionTarget, ProjectionDatabase>>;
  projections: readonly Projection[];
  /** Most events per batch transaction. Default 500. */
  maxBatchEvents?: number;
  /** Longest a catch-up batch waits to fill up; live batches go at once. Default 100 ms. */
  maxBatchMs?: number;
  /**
   * Live batches of one projection start at most this often: a batch that starts sooner after the
   * previous one gathers what arrives until then. An idle projection applies the next event at
   * once; a busy one commits fewer, larger batches (each costs a transaction with its checkpoint).
   * Default 20 ms; 0 applies every live batch as soon as it is ready.
   */
  liveBatchSpacingMs?: number;
  /**
   * A live batch with only other projections' events (nothing to handle, only the checkpoint to
   * move) waits up to this long for more, so a projection that ignores the traffic does not commit
   * a transaction per live batch. Queries waiting for such a position (`minPosition`) wait up to
   * this much longer. Default 100 ms; 0 commits such batches like any other.
   */
  checkpointOnlyWaitMs?: number;
  /**
   * `$all` events per transaction while rebuilding. Default 20,000: nothing reads shadow tables, so
   * a big transaction holds nobody up, and each batch costs a round of preloads and row writes of
   * its own (rows touched in several batches are read and written again).
   */
  rebuildBatchEvents?: number;
  /** How often a standby retries the lock. Default 500 ms. */
  lockRetryMs?: number;
  /** How often a lock holder checks its session. Default 1,000 ms. */
  keepAliveMs?: number;
  /** How often the active runner checks for handover requests and operator retries. Default 250 ms. */
  controlPollMs?: number;
  /** How long a rebuild waits for the live runner to hand over. Default 20 s. */
  handoverTimeoutMs?: number;
  /** How often `waitForPosition` reads the checkpoint. Default 20 ms. */
  waitPollMs?: number;
  lagCounting?: LagCounting;
  /**
   * How long a runner may fail attempt after attempt, or a swap stay unfinished with no rebuild at
   * work on it, before `status()` calls the projection unhealthy. One failure that the next attempt
   * clears (a dropped connection, a deadlock) never counts; a runner stuck on an error does. Default
   * 10 s: the runner's backoff reaches 5 s, so that is at least three failed attempts in a row.
   */
  unhealthyAfterMs?: number;
  /** Shown as the active instance in the checkpoint row. Default `<hostname>:<pid>`. */
  instanceId?: string;
  logger?: ProjectionLogger;
  onRunnerStateChange?(projection: string, state: RunnerState): void;
}

export const DEFAULT_WAIT_FOR_POSITION_MS = 5_000;
export const DEFAULT_UNHEALTHY_AFTER_MS = 10_000;
/**
 * A runner that holds its lock and resubscribes after each failure stays `running`: its failures
 * count as going on while the last is this recent (twice the runner's longest backoff).
 */
const RESUBSCRIBE_FAILURES_WINDOW_MS = 10_000;
/** Failure messages in `problems` are cut here (the log has them whole). */
const MAX_PROBLEM_MESSAGE = 500;

/** A runner's failed attempts in a row, heard from its warnings; progress clears them. */
interface FailedAttempts {
  message: string;
  since: number;
  lastAt: number;
  attempts: number;
}

/**
 * Runs projections and answers questions about them. Nest-free: the projector's module starts it,
 * the API uses `waitForPosition` (no runner needed: it reads the checkpoint table), the CLI and
 * the worker use `status`, `retry` and `rebuild`.
 */
export class ProjectionEngine {
  private readonly projections = new Map<string, Projection>();
  private readonly checkpoints = new Map<ProjectionTarget, CheckpointStore>();
  private readonly runners = new Map<string, ProjectionRunner>();
  private readonly commitListeners = new Set<(name: string, position: Position) => void>();
  /** Last position each projection committed in this process, for waiters here. */
  private readonly committed = new Map<string, Position>();
  private readonly commitWaiters = new Map<string, Set<() => void>>();
  private readonly failedAttempts = new Map<string, FailedAttempts>();
  private readonly logger: ProjectionLogger;

  constructor(private readonly options: ProjectionEngineOptions) {
    this.logger = options.logger ?? consoleProjectionLogger;
    for (const [target, database] of Object.entries(options.databases) as Array<
      [ProjectionTarget, ProjectionDatabase]
    >) {
      this.checkpoints.set(target, new CheckpointStore(database.pool, database.database));
    }
    for (const projection of options.projections) {
      assertValidProjection(projection);
      if (this.projections.has(projection.name)) throw new Error(`Two projections are named ${projection.name}`);
      if (!this.checkpoints.has(projection.target)) {
        throw new Error(
          `Projection ${projection.name} writes the ${projection.target} database, which is not configured`,
        );
      }
      this.projections.set(projection.name, projection);
    }
  }

  /** Starts a runner per projection (or the named ones); each stands by until it takes its lock. */
  start(names: readonly string[] = [...this.projections.keys()]): void {
    for (const name of names) {
      const projection = this.projection(name);
      let runner = this.runners.get(name);
      if (!runner) {
        runner = new ProjectionRunner({
          eventStore: this.options.eventStore,
          checkpoints: this.checkpointsOf(projection),
          projection,
          instanceId: this.options.instanceId ?? `${hostname()}:${process.pid}`,
          maxBatchEvents: this.options.maxBatchEvents ?? 500,
          maxBatchMs: this.options.maxBatchMs ?? 100,
          liveBatchSpacingMs: this.options.liveBatchSpacingMs ?? 20,
          checkpointOnlyWaitMs: this.options.checkpointOnlyWaitMs ?? 100,
          lockRetryMs: this.options.lockRetryMs ?? 500,
          keepAliveMs: this.options.keepAliveMs ?? 1_000,
          controlPollMs: this.options.controlPollMs ?? 250,
          logger: this.runnerLogger(name),
          onStateChange: (changed, state) => {
            // Holding the lock and applying (or stopped at an event, or stopped): the attempt went through.
            if (state !== 'standby') this.failedAttempts.delete(changed);
            this.options.onRunnerStateChange?.(changed, state);
          },
          onCommitted: (committedName, position) => this.noteCommit(committedName, position),
        });
        this.runners.set(name, runner);
      }
      runner.start();
    }
  }

  /** Stops every runner of this process: batches in flight commit, locks go to standbys. */
  async stop(): Promise<void> {
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.options.eventStore.headPosition().catch(() => null);
    const rows = new Map<string, Checkpoint>();
    for (const [target, checkpoints] of this.checkpoints) {
      const names = [...this.projections.values()].filter((p) => p.target === target).map((p) => p.name);
      for (const row of await checkpoints.readAll(names)) rows.set(`${row.name}/${row.slot}`, row);
    }
    const lagCounting = this.options.lagCounting ?? 'position-difference';
    return Promise.all(
      [...this.projections.values()].map(async (projection): Promise<ProjectionStatus> => {
        const live = rows.get(`${projection.name}/live`) ?? null;
        const shadow = rows.get(`${projection.name}/shadow`) ?? null;
        const runner: RunnerSnapshot = this.runners.get(projection.name)?.snapshot() ?? {
          state: 'stopped',
          live: false,
          note: null,
          lastBatch: null,
          activeSince: null,
        };
        const runnerFailure = this.runnerFailure(projection.name, runner);
        const problems = await this.problemsOf(projection, live, shadow, runnerFailure);
        return {
          name: projection.name,
          target: projection.target,
          version: projection.version,
          runner,
          runnerFailure,
          checkpoint: live && {
            version: live.version,
            position: live.position,
            status: live.status,
            eventsApplied: live.eventsApplied,
            lastBatchSize: live.lastBatchSize,
            lastBatchAt: live.lastBatchAt,
            activeInstance: live.activeInstance,
            updatedAt: live.updatedAt,
          },
          failure: live?.status === 'failed' ? live.failure : null,
          head,
          lag: await measureLag(this.options.eventStore, live, head, lagCounting),
          rebuild: shadow && {
            version: shadow.version,
            position: shadow.position,
            status: shadow.status,
            eventsApplied: shadow.eventsApplied,
            startedAt: shadow.startedAt,
            updatedAt: shadow.updatedAt,
            swapPending: shadow.swapTables !== null,
            failure: shadow.status === 'failed' ? shadow.failure : null,
          },
          problems,
          healthy: problems.length === 0,
        };
      }),
    );
  }

  /**
   * Read-your-writes: resolves once the projection's committed checkpoint is at or past `position`
   * (a position a command returned). Reads the checkpoint table, so it works in any process; a
   * commit in this process wakes it at once. Rejects with `ProjectionNotCaughtUpError` after the
   * timeout; its `status` says whether the projection is stopped on a failure. (No early rejection
   * on `failed`: a retry or a restart may be under way.)
   */
  async waitForPosition(
    name: string,
    position: Position | string,
    timeoutMs: number = DEFAULT_WAIT_FOR_POSITION_MS,
  ): Promise<void> {
    const checkpoints = this.checkpointsOf(this.projection(name));
    const wanted = typeof position === 'string' ? Position.parse(position) : position;
    const deadline = Date.now() + timeoutMs;
    const pollMs = this.options.waitPollMs ?? 20;
    for (;;) {
      const local = this.committed.get(name);
      if (local && !local.isBefore(wanted)) return;
      const row = await checkpoints.read(name);
      const reached = row?.position ?? null;
      if (reached && !reached.isBefore(wanted)) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new ProjectionNotCaughtUpError(name, wanted, reached, timeoutMs, row?.status ?? null);
      await this.nextCommitOrTimeout(name, Math.min(pollMs, left));
    }
  }

  /**
   * An operator's retry of a failed projection: clears the failed status (a failed runner in any
   * process notices within `controlPollMs`) and wakes this process's runner at once.
   */
  async retry(name: string): Promise<void> {
    const projection = this.projection(name);
    await this.checkpointsOf(projection).setStatus(name, 'live', 'standby', 'failed');
    this.runners.get(name)?.retry();
  }

  /** Builds the current version into shadow tables and swaps them in; see `rebuildProjection`. */
  async rebuild(name: string, options: RebuildOptions = {}): Promise<RebuildReport> {
    const projection = this.projection(name);
    return rebuildProjection(
      {
        eventStore: this.options.eventStore,
        checkpoints: this.checkpointsOf(projection),
        projection,
        batchEvents: this.options.rebuildBatchEvents ?? 20_000,
        keepAliveMs: this.options.keepAliveMs ?? 1_000,
        handoverTimeoutMs: this.options.handoverTimeoutMs ?? 20_000,
        logger: this.logger,
      },
      options,
    );
  }

  /**
   * Rebuilds, one after the other, the projections whose live tables are an older version than this
   * process's code (a deployment that bumped a version): until then their runners stand by. A
   * projection another process is rebuilding is left to it; a rebuild that fails is logged and
   * left for `cli rebuild` (its shadow checkpoint shows where and why). Returns what was swapped in.
   */
  async rebuildOutdated(signal?: AbortSignal): Promise<RebuildReport[]> {
    const reports: RebuildReport[] = [];
    for (const status of await this.status()) {
      if (signal?.aborted) break;
      if (!status.checkpoint || status.checkpoint.version >= status.version) continue;
      this.logger.info(
        `${status.name}: live tables are version ${status.checkpoint.version}, rebuilding ${status.version}`,
      );
      try {
        reports.push(await this.rebuild(status.name, { signal }));
      } catch (error) {
        this.logger.warn(`${status.name}: the automatic rebuild stopped`, { error: describeError(error) });
      }
    }
    return reports;
  }

  /** Why the projection is not healthy (see `ProjectionStatus.problems`). */
  private async problemsOf(
    projection: Projection,
    live: Checkpoint | null,
    shadow: Checkpoint | null,
    runnerFailure: RunnerFailure | null,
  ): Promise<string[]> {
    const unhealthyAfterMs = this.options.unhealthyAfterMs ?? DEFAULT_UNHEALTHY_AFTER_MS;
    const now = Date.now();
    const problems: string[] = [];
    if (live?.status === 'failed') {
      problems.push(`stopped at an event it cannot apply: ${describeFailure(live.failure)}`);
    }
    if (runnerFailure && now - runnerFailure.since.getTime() >= unhealthyAfterMs) {
      problems.push(
        `the runner has failed ${runnerFailure.attempts} attempts in a row since ${runnerFailure.since.toISOString()}: ` +
          cut(runnerFailure.message),
      );
    }
    if (
      shadow?.swapTables &&
      now - shadow.updatedAt.getTime() >= unhealthyAfterMs &&
      !(await this.rebuildRunning(projection))
    ) {
      problems.push(
        `a swap to version ${shadow.version} was left unfinished (no rebuild is running); ` +
          'the runner finishes it when it takes its lock',
      );
    }
    if (shadow?.status === 'failed' && live && live.version < projection.version) {
      problems.push(
        `the live tables are version ${live.version}, waiting for the rebuild of version ${shadow.version}, ` +
          `which stopped at ${shadow.failure ? `${shadow.failure.eventType} (${shadow.failure.position.toString()})` : 'an event'}`,
      );
    }
    return problems;
  }

  /** Whether some process holds the projection's rebuild lock (a rebuild is at work, its swap too). */
  private async rebuildRunning(projection: Projection): Promise<boolean> {
    const checkpoints = this.checkpointsOf(projection);
    try {
      const [rows] = await checkpoints.pool.query('SELECT IS_USED_LOCK(?) AS holder', [
        rebuildLockName(checkpoints.database, projection.name),
      ]);
      return (rows as Array<{ holder: unknown }>)[0]?.holder != null;
    } catch {
      // Unknown: the checkpoint just read says the swap is unfinished.
      return false;
    }
  }

  /**
   * This process's runner failing attempt after attempt, or null. A standby's attempt failed when
   * its note is still the error (another outcome replaces it); a lock holder that resubscribes
   * after each failure stays `running`, so its failures go on while the last is recent.
   */
  private runnerFailure(name: string, runner: RunnerSnapshot): RunnerFailure | null {
    const failed = this.failedAttempts.get(name);
    if (!failed) return null;
    const goingOn =
      runner.state === 'standby'
        ? runner.note === failed.message
        : runner.state === 'running' && Date.now() - failed.lastAt < RESUBSCRIBE_FAILURES_WINDOW_MS;
    if (!goingOn) {
      this.failedAttempts.delete(name);
      return null;
    }
    return {
      message: failed.message,
      since: new Date(failed.since),
      lastAt: new Date(failed.lastAt),
      attempts: failed.attempts,
    };
  }

  /**
   * The runner's logger, which also hears of its failed attempts: the runner reports each (a
   * standby's "runner error", a lock holder's "resubscribing") as a warning with the `error`.
   */
  private runnerLogger(name: string): ProjectionLogger {
    const logger = this.logger;
    return {
      info: (message, fields) => logger.info(message, fields),
      warn: (message, fields) => {
        if (typeof fields?.error === 'string') this.noteFailedAttempt(name, fields.error);
        logger.warn(message, fields);
      },
      error: (message, fields) => logger.error(message, fields),
    };
  }

  private noteFailedAttempt(name: string, message: string): void {
    const now = Date.now();
    const earlier = this.failedAttempts.get(name);
    this.failedAttempts.set(name, {
      message,
      since: earlier?.since ?? now,
      lastAt: now,
      attempts: (earlier?.attempts ?? 0) + 1,
    });
  }

  private projection(name: string): Projection {
    const projection = this.projections.get(name);
    if (!projection) throw new UnknownProjectionError(name);
    return projection;
  }

  private checkpointsOf(projection: Projection): CheckpointStore {
    return this.checkpoints.get(projection.target)!;
  }

  /**
   * Listens to the batches this process commits (projection, position after the batch), e.g. to
   * tell other processes (`commitReported`). Returns the way to stop listening.
   */
  onCommitted(listener: (name: string, position: Position) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /**
   * Another process says it committed a batch of `name`: queries waiting here for a position read
   * the checkpoint now instead of at their next poll. A hint only: the checkpoint decides.
   */
  commitReported(name: string): void {
    const waiters = this.commitWaiters.get(name);
    if (!waiters) return;
    this.commitWaiters.delete(name);
    for (const wake of waiters) wake();
  }

  private noteCommit(name: string, position: Position): void {
    for (const listener of this.commitListeners) {
      try {
        listener(name, position);
      } catch {
        // A listener's failure is its own; the batch has committed.
      }
    }
    this.committed.set(name, position);
    this.failedAttempts.delete(name);
    const waiters = this.commitWaiters.get(name);
    if (!waiters) return;
    this.commitWaiters.delete(name);
    for (const wake of waiters) wake();
  }

  private nextCommitOrTimeout(name: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.commitWaiters.get(name) ?? new Set<() => void>();
      this.commitWaiters.set(name, waiters);
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      waiters.add(wake);
    });
  }
}

function describeFailure(failure: ProjectionFailure | null): string {
  if (!failure) return 'no failure recorded';
  return `${failure.eventType} ${failure.eventId} at ${failure.position.toString()}: ${cut(failure.message)}`;
}

function cut(message: string): string {
  return message.length > MAX_PROBLEM_MESSAGE ? `${message.slice(0, MAX_PROBLEM_MESSAGE)}…` : message;
}
