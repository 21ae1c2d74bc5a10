import { Position, type EventStore, type RecordedEvent } from '@tracershop/event-store';
import type { PoolConnection } from 'mysql2/promise';
import { abortableSleep } from './abortable-sleep';
import { applyBatch, isTransientDatabaseError, MARK_PROJECTION_WRITE, type BatchWriter } from './batch-transaction';
import type { CheckpointStore, SwapRename } from './checkpoint-store';
import { qualifiedName, rebuildLockName, runnerLockName, tableName } from './physical-names';
import { eventMatcher, type Projection, type ShadowMerge, type SwapPreparation } from './projection';
import { RebuildError } from './projection-errors';
import { ProjectionLock } from './projection-lock';
import { describeError, type ProjectionLogger } from './projection-logger';
import { allTablesExist, createShadowTables, existingTables, physicalTables, tableExists } from './projection-tables';

export interface RebuildOptions {
  /** Start the shadow tables over, even when an interrupted rebuild of this version could resume. */
  restart?: boolean;
  /**
   * Stops the rebuild between batches (e.g. at shutdown) with a RebuildError; the shadow tables keep
   * their checkpoint, so the next rebuild resumes. Not heeded once the swap has begun.
   */
  signal?: AbortSignal;
}

export interface RebuildReport {
  projection: string;
  version: number;
  /** Version of the live tables the swap retired; null when there were none. */
  replacedVersion: number | null;
  /** Where the new live tables stand; the live runner continues from here. */
  position: Position;
  /** `$all` events this run read (a resumed rebuild counts only its own). */
  eventsRead: number;
  eventsHandled: number;
  durationMs: number;
  /** `eventsRead` per second of the whole run, swap included. */
  eventsPerSecond: number;
  /** How long the rebuild held the runner lock (live runner paused): last events, rename, promotion. */
  pausedMs: number;
}

export interface RebuildSettings {
  eventStore: EventStore;
  checkpoints: CheckpointStore;
  projection: Projection;
  /** `$all` events per shadow transaction. */
  batchEvents: number;
  keepAliveMs: number;
  /** How long to wait for the live runner to hand over its lock. */
  handoverTimeoutMs: number;
  logger: ProjectionLogger;
}

/** Seconds a RENAME may wait for readers' metadata locks before the swap gives up (and can be retried). */
const SWAP_LOCK_WAIT_SECONDS = 10;
const TRANSIENT_RETRIES = 5;

interface Progress {
  position: Position;
  read: number;
  handled: number;
}

/**
 * Builds the projection's current version into shadow tables while the live tables keep serving
 * and advancing, then swaps them in: the live runner hands over its lock, the shadow takes the
 * last events, and one `RENAME TABLE` retires the live tables and promotes the shadow ones. The
 * checkpoint row follows in the same critical section; a crash in between is finished by the next
 * holder of the lock (`completeInterruptedSwap`). The shadow commits its own checkpoint with every
 * batch, so an interrupted rebuild resumes where it stopped.
 */
export async function rebuildProjection(
  settings: RebuildSettings,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  const { checkpoints, projection, logger } = settings;
  const { pool, database } = checkpoints;
  const { name, version } = projection;
  const started = Date.now();
  const rebuildLock = await ProjectionLock.tryAcquire(pool, rebuildLockName(database, name), settings.keepAliveMs);
  if (!rebuildLock) throw new RebuildError(`A rebuild of ${name} is already running`);
  try {
    const live = await checkpoints.read(name, 'live');
    if (live && live.version > version) {
      throw new RebuildError(`${name}: the live tables are version ${live.version}, newer than ${version}`);
    }
    let shadow = await checkpoints.read(name, 'shadow');
    if (shadow?.swapTables) {
      await withRunnerLock(settings, rebuildLock, () => completeInterruptedSwap(checkpoints, projection, logger));
      shadow = await checkpoints.read(name, 'shadow');
    }
    const shadowNames = Object.keys(projection.tables).map((logical) => tableName(logical, 'shadow', version));
    // At the start there is nothing to resume, and a first batch stopped half way may have left rows.
    const resumable =
      !options.restart &&
      shadow?.version === version &&
      !shadow.position.isStart() &&
      (await allTablesExist(pool, database, shadowNames));
    /**
     * From the start, the shadow tables and the checkpoint row are made while the first events are
     * read and applied: the batch sends nothing before they exist (`BatchWriter.ready`).
     */
    let firstRead: Promise<RecordedEvent[]> | null = null;
    let tablesMade: Promise<void> | null = null;
    if (!resumable) {
      firstRead = readBatch(settings, Position.START);
      firstRead.catch(() => undefined);
      tablesMade = (async () => {
        await createShadowTables(pool, database, projection);
        await checkpoints.resetShadow(name, version);
      })();
      tablesMade.catch(() => undefined);
    }
    const from = tablesMade ? Position.START : shadow?.position;
    if (!from) throw new RebuildError(`${name}: the shadow checkpoint is missing`);
    const progress: Progress = { position: from, read: 0, handled: 0 };
    logger.info(`Rebuilding ${name} v${version} into shadow tables`, { from: progress.position.toString() });
    const writer: BatchWriter = {
      checkpoints,
      projection,
      slot: 'shadow',
      version,
      tables: physicalTables(database, projection, 'shadow'),
      lock: { name: rebuildLock.name, sessionId: rebuildLock.sessionId },
      ready: tablesMade ?? undefined,
    };
    const stopped = options.signal ? AbortSignal.any([rebuildLock.lost, options.signal]) : rebuildLock.lost;
    try {
      await catchUpShadow(settings, writer, progress, stopped, firstRead);
      // Also when there was nothing to apply: the swap needs the tables.
      if (tablesMade) await tablesMade;
    } finally {
      // Never left running behind a rebuild that stopped: the next one starts them over.
      await tablesMade?.catch(() => undefined);
    }
    if (options.signal?.aborted) throw new RebuildError(`Rebuild of ${name}: stopped before the swap`);

    let pausedMs = 0;
    let replacedVersion: number | null = null;
    await withRunnerLock(settings, rebuildLock, async () => {
      const paused = Date.now();
      await catchUpShadow(settings, writer, progress, rebuildLock.lost);
      replacedVersion = (await checkpoints.read(name, 'live'))?.version ?? null;
      if (projection.beforeSwap) await projection.beforeSwap(await swapPreparation(settings));
      const renames = await plannedRenames(settings, replacedVersion);
      await checkpoints.recordSwap(name, renames);
      await renameTables(settings, renames);
      await finishSwap(checkpoints, projection, renames);
      pausedMs = Date.now() - paused;
    });
    const durationMs = Date.now() - started;
    const report: RebuildReport = {
      projection: name,
      version,
      replacedVersion,
      position: progress.position,
      eventsRead: progress.read,
      eventsHandled: progress.handled,
      durationMs,
      eventsPerSecond: Math.round((progress.read * 1000) / Math.max(durationMs, 1)),
      pausedMs,
    };
    logger.info(`Rebuilt ${name} v${version} and swapped it in`, { ...report, position: report.position.toString() });
    return report;
  } finally {
    await rebuildLock.release();
  }
}

/**
 * Finishes or undoes a swap a crash interrupted; the caller holds the runner lock. RENAME TABLE is
 * all or nothing, so one shadow table still present means it never ran; none means it did.
 */
export async function completeInterruptedSwap(
  checkpoints: CheckpointStore,
  projection: Projection,
  logger: ProjectionLogger,
): Promise<void> {
  const { name } = projection;
  const shadow = await checkpoints.read(name, 'shadow');
  if (!shadow?.swapTables || shadow.swapTables.length === 0) return;
  if (await tableExists(checkpoints.pool, checkpoints.database, shadow.swapTables[0].shadow)) {
    logger.warn(`A swap of ${name} was interrupted before its rename; the shadow tables stay for the next rebuild`);
    await checkpoints.recordSwap(name, null);
    return;
  }
  logger.warn(`A swap of ${name} was interrupted after its rename; finishing it`);
  await finishSwap(checkpoints, projection, shadow.swapTables);
}

/**
 * After the rename: drop the retired tables; then, in one transaction, merge the shared tables'
 * shadow rows into the live ones and move the shadow checkpoint into the live row; then drop the
 * merged shadow copies. Finishing again after a crash merges again what is still there.
 */
async function finishSwap(checkpoints: CheckpointStore, projection: Projection, renames: SwapRename[]): Promise<void> {
  const { name } = projection;
  await dropTables(checkpoints, retiredTables(renames));
  const merging = await sharedTablesToMerge(checkpoints, projection);
  const connection = await checkpoints.pool.getConnection();
  // A session whose sql_mode the merge changed does not go back to the pool.
  let reusable = true;
  try {
    if (merging.length > 0 && projection.sqlMode !== undefined) {
      reusable = false;
      await connection.query('SET SESSION sql_mode = ?', [projection.sqlMode]);
    }
    await connection.query(MARK_PROJECTION_WRITE.sql);
    await connection.query('START TRANSACTION');
    const shadow = await checkpoints.read(name, 'shadow', connection);
    if (!shadow) throw new RebuildError(`${name}: the shadow checkpoint vanished during the swap`);
    if (merging.length > 0) await projection.mergeShadow?.(shadowMerge(checkpoints, projection, connection, merging));
    await checkpoints.promoteShadow(connection, shadow);
    await connection.query('COMMIT');
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    if (reusable) connection.release();
    else connection.destroy();
  }
  await dropTables(
    checkpoints,
    merging.map((logical) => tableName(logical, 'shadow', projection.version)),
  );
}

/** Shared tables that exist both live and as a shadow: merged, not renamed. */
async function sharedTablesToMerge(checkpoints: CheckpointStore, projection: Projection): Promise<string[]> {
  const shared = projection.sharedTables ?? [];
  if (shared.length === 0) return [];
  const shadowOf = (logical: string) => tableName(logical, 'shadow', projection.version);
  const existing = await existingTables(checkpoints.pool, checkpoints.database, [...shared, ...shared.map(shadowOf)]);
  return shared.filter((logical) => existing.has(logical) && existing.has(shadowOf(logical)));
}

function shadowMerge(
  checkpoints: CheckpointStore,
  projection: Projection,
  connection: PoolConnection,
  tables: readonly string[],
): ShadowMerge {
  const live = physicalTables(checkpoints.database, projection, 'live');
  const shadow = physicalTables(checkpoints.database, projection, 'shadow');
  const named = (names: ReadonlyMap<string, string>, logical: string, ok: boolean) => {
    const name = names.get(logical);
    if (!name || !ok) throw new Error(`Projection ${projection.name}: no ${logical} to merge`);
    return name;
  };
  return {
    tables,
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<R> {
      const [result] = await connection.query(sql, params as unknown[]);
      return result as R;
    },
    live: (logical) => named(live, logical, true),
    shadow: (logical) => named(shadow, logical, tables.includes(logical)),
  };
}

/** Applies `$all` to the shadow tables until nothing is left to read. */
async function catchUpShadow(
  settings: RebuildSettings,
  writer: BatchWriter,
  progress: Progress,
  lost: AbortSignal,
  /** The first batch's events, when their read has begun (from `progress.position`). */
  firstRead: Promise<RecordedEvent[]> | null = null,
): Promise<void> {
  const { checkpoints, projection } = settings;
  const handles = eventMatcher(projection);
  const read = (after: Position) => readBatch(settings, after);
  let attempt = 0;
  /** The next batch's events, read while the current one is applied. */
  let ahead: Promise<RecordedEvent[]> | null = firstRead;
  for (;;) {
    if (lost.aborted) throw new RebuildError(`${projection.name}: the rebuild lost its lock or was stopped`);
    const events: RecordedEvent[] = await (ahead ?? read(progress.position));
    ahead = null;
    if (events.length === 0) return;
    const batch = { events: events.filter(handles), position: events[events.length - 1].position, live: false };
    const following = read(batch.position);
    following.catch(() => undefined);
    let outcome;
    try {
      outcome = await applyBatch(writer, progress.position, batch, 'rebuild');
      attempt = 0;
    } catch (error) {
      if (!isTransientDatabaseError(error) || ++attempt > TRANSIENT_RETRIES) throw error;
      settings.logger.warn(`Rebuild of ${projection.name}: retrying a batch`, { error: describeError(error) });
      await abortableSleep(100 * 2 ** attempt, lost);
      ahead = Promise.resolve(events);
      continue;
    }
    if (outcome.kind === 'committed') ahead = following;
    if (outcome.kind === 'failed') {
      const { event, error } = outcome;
      const message = describeError(error);
      // A handler may fail before anything was sent: the row it marks must exist.
      await writer.ready;
      await checkpoints.markFailed(projection.name, 'shadow', progress.position, {
        position: event.position,
        eventId: event.metadata.eventId,
        eventType: event.type,
        message,
      });
      throw new RebuildError(
        `Rebuild of ${projection.name} v${projection.version} stopped at ${event.position} ` +
          `(${event.type} ${event.metadata.eventId}): ${message}`,
      );
    }
    progress.position = outcome.position;
    progress.read += events.length;
    progress.handled += outcome.handled;
  }
}

/** The `$all` events of the batch after this position. */
function readBatch(settings: RebuildSettings, after: Position): Promise<RecordedEvent[]> {
  return settings.eventStore.readAll({
    fromPosition: after.isStart() ? undefined : after,
    maxCount: settings.batchEvents,
  });
}

/** Asks the live runner to hand over, holds the runner lock for `work`, and always withdraws the request. */
async function withRunnerLock(
  settings: RebuildSettings,
  rebuildLock: ProjectionLock,
  work: () => Promise<void>,
): Promise<void> {
  const { checkpoints, projection } = settings;
  const lockName = runnerLockName(checkpoints.database, projection.name);
  await checkpoints.requestHandover(projection.name, true);
  let lock: ProjectionLock | null = null;
  try {
    const deadline = Date.now() + settings.handoverTimeoutMs;
    while (!(lock = await ProjectionLock.tryAcquire(checkpoints.pool, lockName, settings.keepAliveMs))) {
      if (rebuildLock.lost.aborted) throw new RebuildError(`${projection.name}: lost the rebuild lock`);
      if (Date.now() > deadline) {
        throw new RebuildError(
          `${projection.name}: the live runner did not hand over its lock within ${settings.handoverTimeoutMs} ms`,
        );
      }
      await abortableSleep(25);
    }
    await work();
  } finally {
    // Withdrawn before the lock goes, so the live runner never waits on a request already served.
    await checkpoints.requestHandover(projection.name, false).catch(() => undefined);
    await lock?.release();
  }
}

/** Every table is renamed, but shared tables that exist live: those are merged (`finishSwap`). */
async function plannedRenames(settings: RebuildSettings, liveVersion: number | null): Promise<SwapRename[]> {
  const { checkpoints, projection } = settings;
  const logicalNames = Object.keys(projection.tables);
  const shared = new Set(projection.sharedTables ?? []);
  const live = await existingTables(checkpoints.pool, checkpoints.database, logicalNames);
  const renames = logicalNames
    .filter((logical) => !(shared.has(logical) && live.has(logical)))
    .map((logical) => ({
      live: logical,
      shadow: tableName(logical, 'shadow', projection.version),
      old: live.has(logical) ? tableName(logical, 'old', liveVersion ?? projection.version) : null,
    }));
  // A leftover from an earlier crash would make the rename fail.
  await dropTables(checkpoints, retiredTables(renames));
  return renames;
}

const retiredTables = (renames: readonly SwapRename[]): string[] => renames.flatMap(({ old }) => (old ? [old] : []));

/** One statement for all of them. */
async function dropTables(checkpoints: CheckpointStore, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  const names = tables.map((table) => qualifiedName(checkpoints.database, table));
  await checkpoints.pool.query(`DROP TABLE IF EXISTS ${names.join(', ')}`);
}

/** One statement for every table: readers see all the old tables or all the new ones. */
async function renameTables(settings: RebuildSettings, renames: SwapRename[]): Promise<void> {
  const { checkpoints, projection } = settings;
  if (renames.length === 0) return;
  const q = (table: string) => qualifiedName(checkpoints.database, table);
  const pairs = renames.flatMap(({ live, shadow, old }) => [
    ...(old ? [`${q(live)} TO ${q(old)}`] : []),
    `${q(shadow)} TO ${q(live)}`,
  ]);
  const connection = await checkpoints.pool.getConnection();
  try {
    // A long-running reader must not stall the swap, and every reader queued behind it, for long.
    await connection.query('SET SESSION lock_wait_timeout = ?', [SWAP_LOCK_WAIT_SECONDS]);
    await connection.query(`RENAME TABLE ${pairs.join(', ')}`);
  } catch (error) {
    // The error may have come after the server renamed (a lost connection): the tables tell.
    if (!(await tableExists(checkpoints.pool, checkpoints.database, renames[0].shadow))) return;
    await checkpoints.recordSwap(projection.name, null);
    throw new RebuildError(`${projection.name}: the swap's RENAME TABLE failed: ${describeError(error)}`);
  } finally {
    // The session's lock_wait_timeout must not follow it back into the pool.
    connection.destroy();
  }
}

async function swapPreparation(settings: RebuildSettings): Promise<SwapPreparation> {
  const { checkpoints, projection } = settings;
  const logicalNames = Object.keys(projection.tables);
  const existing = await existingTables(checkpoints.pool, checkpoints.database, logicalNames);
  const live = new Map<string, string | null>(
    logicalNames.map((logical) => [
      logical,
      existing.has(logical) ? qualifiedName(checkpoints.database, logical) : null,
    ]),
  );
  const shadow = physicalTables(checkpoints.database, projection, 'shadow');
  const checked = (logical: string): string => {
    const name = shadow.get(logical);
    if (!name) throw new Error(`Projection ${projection.name} declares no table ${logical}`);
    return name;
  };
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<R> {
      const [result] = await checkpoints.pool.query(sql, params as unknown[]);
      return result as R;
    },
    live: (logical) => {
      checked(logical);
      return live.get(logical) ?? null;
    },
    shadow: checked,
  };
}
