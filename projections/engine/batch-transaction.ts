import type { Position, RecordedEvent } from '@tracershop/event-store';
import type { PoolConnection } from 'mysql2/promise';
import type { CheckpointSlot, CheckpointStore, SqlStatement } from './checkpoint-store';
import { inCurrentShape, type ApplyMode, type Projection, type ProjectionTransaction } from './projection';
import { CheckpointMovedError, RebuildError } from './projection-errors';
import { describeError } from './projection-logger';
import { createShadowTables } from './projection-tables';
import { loadRows, MIN_LOAD_ROWS, smallInsertOf, type LoadOptions, type RowLoad } from './row-load';
import type { EventBatch } from './subscription-batches';

/** Who writes: which row of the checkpoint table, which tables, under which lock. */
export interface BatchWriter {
  checkpoints: CheckpointStore;
  projection: Projection;
  slot: CheckpointSlot;
  /** The version being written; the row must carry it. */
  version: number;
  /** Logical → quoted physical name of the tables this writer fills (live or shadow). */
  tables: ReadonlyMap<string, string>;
  /** The named lock the writer must hold, and the session that holds it. */
  lock: { name: string; sessionId: number };
  /**
   * Resolves once the tables and the checkpoint row exist: a rebuild from the start makes them
   * while its first batch's handlers run, and nothing goes to the server before. Absent: they exist.
   */
  ready?: Promise<void>;
}

/** The writer's tables and checkpoint row exist; a failure to make them is the rebuild's, never an event's. */
async function tablesReady(writer: BatchWriter): Promise<void> {
  if (!writer.ready) return;
  await writer.ready.catch((error: unknown) => {
    throw new RebuildError(`${writer.projection.name}: its shadow tables were not made: ${describeError(error)}`);
  });
}

export type BatchOutcome =
  | { kind: 'committed'; position: Position; handled: number; durationMs: number }
  /** A handler threw: nothing of the batch was kept. */
  | { kind: 'failed'; event: RecordedEvent; error: unknown };

const CONNECTION_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

const TRANSIENT_CODES = new Set([
  ...CONNECTION_CODES,
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
]);

/**
 * A failure of the database or the connection, not of the event: the batch is rolled back and
 * tried again later. Anything else a handler throws stops the projection at that event.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const { fatal, code } = (error ?? {}) as { fatal?: unknown; code?: unknown };
  return fatal === true || (typeof code === 'string' && TRANSIENT_CODES.has(code));
}

/** The session is gone or unusable: destroy it rather than hand it back to the pool. */
function isBrokenConnection(error: unknown): boolean {
  const { fatal, code } = (error ?? {}) as { fatal?: unknown; code?: unknown };
  return fatal === true || (typeof code === 'string' && CONNECTION_CODES.has(code));
}

/**
 * Applies one batch in one transaction with its checkpoint. The transaction first locks the
 * checkpoint row and checks that it is still where this writer left it (`expected`), at the
 * writer's version, and that the writer's session still holds the lock; so a writer that lost its
 * lock, or raced a new holder, rolls back instead of applying anything twice.
 */
export async function applyBatch(
  writer: BatchWriter,
  expected: Position,
  stored: EventBatch,
  mode: ApplyMode,
): Promise<BatchOutcome> {
  const started = Date.now();
  const { projection } = writer;
  const batch = { ...stored, events: stored.events.map((event) => inCurrentShape(projection, event)) };
  // Events the projection does not handle only move its checkpoint: one statement, no transaction.
  if (batch.events.length === 0 && (await skipped(writer, expected, batch))) {
    return { kind: 'committed', position: batch.position, handled: 0, durationMs: Date.now() - started };
  }
  // With a batch flush, a failure is first met on the batch as a whole; the batch is then applied
  // again flushing after every event, which finds the event that caused it.
  const batched = projection.flushBatch ? await applyOnce(writer, expected, batch, mode, false) : null;
  if (batched && batched.kind === 'committed') return { ...batched, durationMs: Date.now() - started };
  const outcome = await applyOnce(writer, expected, batch, mode, true);
  return outcome.kind === 'committed' ? { ...outcome, durationMs: Date.now() - started } : outcome;
}

async function skipped(writer: BatchWriter, expected: Position, batch: EventBatch): Promise<boolean> {
  const { projection, slot, version, lock } = writer;
  await tablesReady(writer);
  return writer.checkpoints.skipTo(
    { name: projection.name, slot, version, lockName: lock.name, sessionId: lock.sessionId },
    expected,
    batch.position,
    slot === 'live' ? 'running' : 'rebuilding',
  );
}

/**
 * Marks the session as a projection's: the capture triggers on the old system's tables skip its
 * writes (migrations/record, legacy capture), so projected rows never come back as its changes.
 */
export const MARK_PROJECTION_WRITE: SqlStatement = { sql: 'SET @tracershop_projection_write = 1', params: [] };
const RESTORE_SQL_MODE: SqlStatement = { sql: 'SET SESSION sql_mode = @tracershop_saved_sql_mode', params: [] };

/** What a session writing for the projection sets after its begin: its sql_mode (kept to restore) and the mark. */
function projectionSession(projection: Projection): SqlStatement[] {
  const sqlMode: SqlStatement[] =
    projection.sqlMode === undefined
      ? []
      : [
          {
            sql: 'SET @tracershop_saved_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = ?',
            params: [projection.sqlMode],
          },
        ];
  return [...sqlMode, MARK_PROJECTION_WRITE];
}

/**
 * Whether the connection's pool was opened with `multipleStatements` (the projector's pools are):
 * then the statements of one step go to the server in one round trip.
 */
function acceptsMultipleStatements(connection: PoolConnection): boolean {
  const core = (connection as unknown as { connection?: { config?: { multipleStatements?: unknown } } }).connection;
  return core?.config?.multipleStatements === true;
}

/** A write the engine sends for the batch: a statement, or rows to insert in bulk. */
export type DeferredWrite = SqlStatement | (RowLoad & { options: LoadOptions });

const isLoad = (write: DeferredWrite): write is RowLoad & { options: LoadOptions } => 'rows' in write;

/**
 * Runs writes in order and returns each write's result (a bulk load's is undefined): consecutive
 * statements go in one round trip when the connection accepts several, else one at a time. A load
 * of a few rows is its INSERT, one statement among the others (a live batch's writes then take one
 * round trip, and every round trip costs both processes system calls); a bulk load goes on its own.
 * The server stops at the first failing statement.
 */
async function runStatements(connection: PoolConnection, writes: readonly DeferredWrite[]): Promise<unknown[]> {
  const results: unknown[] = [];
  let statements: SqlStatement[] = [];
  const sendStatements = async () => {
    const sending = statements;
    statements = [];
    if (sending.length > 1 && acceptsMultipleStatements(connection)) {
      const [answers] = await connection.query(
        sending.map((statement) => statement.sql).join(';\n'),
        sending.flatMap((statement) => statement.params),
      );
      results.push(...(answers as unknown as unknown[]));
      return;
    }
    for (const statement of sending) {
      const [result] = await connection.query(statement.sql, statement.params);
      results.push(result);
    }
  };
  for (const write of writes) {
    if (!isLoad(write)) {
      statements.push(write);
      continue;
    }
    const insert = smallInsertOf(write);
    if (insert !== null) {
      statements.push(insert);
      continue;
    }
    await sendStatements();
    await loadRows(connection, write, write.options);
    results.push(undefined);
  }
  await sendStatements();
  return results;
}

async function applyOnce(
  writer: BatchWriter,
  expected: Position,
  batch: EventBatch,
  mode: ApplyMode,
  exact: boolean,
): Promise<BatchOutcome> {
  const { projection } = writer;
  const connection = await writer.checkpoints.pool.getConnection();
  let broken = false;
  let sqlModeSet = false;
  const restoreSqlMode = async () => {
    if (!sqlModeSet) return;
    await connection.query(RESTORE_SQL_MODE.sql);
    sqlModeSet = false;
  };
  try {
    // Begin, lock the checkpoint row and (for projections that ask) set the sql_mode: sent with the
    // batch's first statement, or alone.
    const statements: SqlStatement[] = [
      { sql: 'START TRANSACTION', params: [] },
      writer.checkpoints.lockRowStatement(projection.name, writer.slot, writer.lock.name),
      ...projectionSession(projection),
    ];
    const check = async (lockRows: unknown) => {
      const { checkpoint, lockHolder } = await writer.checkpoints.lockedRow(
        connection,
        lockRows as Array<Record<string, unknown>>,
        writer.lock.name,
      );
      if (lockHolder !== writer.lock.sessionId) {
        throw new CheckpointMovedError(`${projection.name}: this writer no longer holds ${writer.lock.name}`, true);
      }
      if (!checkpoint || checkpoint.version !== writer.version || !checkpoint.position.equals(expected)) {
        throw new CheckpointMovedError(
          `${projection.name} (${writer.slot}) is at ${checkpoint?.position ?? 'no row'} version ` +
            `${checkpoint?.version ?? '-'}, this writer expected ${expected} version ${writer.version}`,
          false,
        );
      }
    };
    const opening = new BatchOpening(connection, statements, check, async () => {
      await tablesReady(writer);
      sqlModeSet = projection.sqlMode !== undefined;
    });
    const deferred: DeferredWrite[] = [];
    const tx = projectionTransactionOn(
      opening.connection,
      projection.name,
      writer.tables,
      mode,
      deferred,
      { warningsAllowed: projection.sqlMode !== undefined && !/STRICT_(ALL|TRANS)_TABLES/.test(projection.sqlMode) },
      // A rebuild's first batch: its shadow tables were made empty for it, or made again after a
      // first batch that stopped half way (`startShadowOver`; the checkpoint still says the start).
      writer.slot === 'shadow' && expected.isStart(),
    );
    const failed = async (event: RecordedEvent, error: unknown): Promise<BatchOutcome> => {
      // The checkpoint's check travels with the batch's first statement: its failure is not the
      // event's, nor is a failure to make the shadow tables it waited for.
      if (isTransientDatabaseError(error) || error instanceof CheckpointMovedError || error instanceof RebuildError) {
        throw error;
      }
      await connection.query('ROLLBACK');
      await restoreSqlMode();
      return { kind: 'failed', event, error };
    };
    // The batch applied again one event at a time, after it failed as a whole (`applyBatch`): each
    // event's preload goes with it, so a failing preload is blamed on the event it read for.
    const preloadEach = exact && projection.flushBatch !== undefined;
    if (!preloadEach && projection.prepareBatch && batch.events.length > 0) {
      try {
        await projection.prepareBatch(batch.events, tx);
      } catch (error) {
        return await failed(batch.events[0], error);
      }
    }
    for (const event of batch.events) {
      try {
        if (preloadEach) await projection.prepareBatch?.([event], tx);
        await projection.handle(event, tx);
        if (exact) {
          await projection.flushBatch?.(tx);
          await opening.alone();
          await runStatements(connection, deferred.splice(0));
        }
      } catch (error) {
        return await failed(event, error);
      }
    }
    if (!exact && projection.flushBatch) {
      try {
        await projection.flushBatch(tx);
      } catch (error) {
        const last = batch.events[batch.events.length - 1];
        if (!last) throw error;
        return await failed(last, error);
      }
    }
    // The deferred writes, the sql_mode restored, the checkpoint and the commit: one round trip,
    // after the opening (alone when the batch sent nothing before: a commit must follow its check).
    await opening.alone();
    let closing = deferred.splice(0);
    const deferredCount = closing.length;
    const parallel =
      !exact && writer.slot === 'shadow' && expected.isStart()
        ? detachableWrites(closing, [...writer.tables.values()])
        : null;
    if (parallel) {
      closing = parallel.inOrder;
      if (sqlModeSet) closing.push(RESTORE_SQL_MODE);
      closing.push({ sql: 'COMMIT', params: [] });
      return await finishFreshShadow(writer, connection, batch, closing, parallel.byTable, () => {
        sqlModeSet = false;
      });
    }
    if (sqlModeSet) closing.push(RESTORE_SQL_MODE);
    const status = writer.slot === 'live' ? 'running' : 'rebuilding';
    closing.push(
      writer.checkpoints.advanceStatement(projection.name, writer.slot, batch.position, batch.events.length, status),
      { sql: 'COMMIT', params: [] },
    );
    try {
      await runStatements(connection, closing);
    } catch (error) {
      const last = batch.events[batch.events.length - 1];
      // A deferred write of the batch failed: applied again one event at a time, it is found.
      if (deferredCount > 0 && last && !isTransientDatabaseError(error)) return await failed(last, error);
      throw error;
    }
    sqlModeSet = false;
    return { kind: 'committed', position: batch.position, handled: batch.events.length, durationMs: 0 };
  } catch (error) {
    broken = isBrokenConnection(error);
    if (broken) connection.destroy();
    else {
      await connection.query('ROLLBACK').catch(() => undefined);
      await restoreSqlMode().catch(() => {
        broken = true;
        connection.destroy();
      });
    }
    throw error;
  } finally {
    if (!broken) connection.release();
  }
}

type QueryOptions = Parameters<PoolConnection['query']>[0];

/** Query options a batch's opening can travel with: plain SQL, or SQL with a type cast. */
function canCarry(options: unknown): options is string | { sql: string; typeCast?: unknown } {
  if (typeof options === 'string') return true;
  if (typeof options !== 'object' || options === null) return false;
  return Object.keys(options).every((key) => key === 'sql' || key === 'typeCast');
}

/**
 * A batch's opening (begin, lock and check the checkpoint row, sql_mode, the projection's mark).
 * It travels in front of the batch's first statement, in one round trip, when the connection takes
 * several statements at once (usually the preload's SELECT: one round trip a batch less, and every
 * round trip costs both processes system calls); else, or when the batch sends nothing before its
 * closing, it goes alone first. The statement it travels with runs inside the new transaction,
 * after the checkpoint row is locked; when the check fails, that statement fails with it and the
 * batch rolls back, so nothing is kept of a batch whose checkpoint moved.
 */
class BatchOpening {
  /** The batch's connection as handlers use it: its first query carries the opening. */
  readonly connection: PoolConnection;
  private sent: Promise<void> | null = null;

  constructor(
    private readonly target: PoolConnection,
    private readonly statements: readonly SqlStatement[],
    private readonly check: (lockRows: unknown) => Promise<void>,
    /** Called before the opening goes (it may wait, e.g. for the tables to exist). */
    private readonly beforeSending: () => Promise<void>,
  ) {
    // Everything else of the connection (its settings, for the bulk loads) as it is.
    const wrapped = Object.create(target) as PoolConnection;
    wrapped.query = ((options: QueryOptions, params?: unknown) =>
      this.query(options, params)) as PoolConnection['query'];
    this.connection = wrapped;
  }

  /** Sends the opening alone unless it went already; resolves once its check passed. */
  alone(): Promise<void> {
    this.sent ??= (async () => {
      await this.beforeSending();
      const results = await runStatements(this.target, this.statements);
      await this.check(results[1]);
    })();
    return this.sent;
  }

  private async query(options: QueryOptions, params?: unknown): Promise<unknown> {
    if (this.sent !== null || !canCarry(options) || !acceptsMultipleStatements(this.target)) {
      await this.alone();
      return (this.target.query as (options: unknown, params: unknown) => Promise<unknown>).call(
        this.target,
        options,
        params,
      );
    }
    let answer: unknown[] = [];
    this.sent = (async () => {
      await this.beforeSending();
      const own = typeof options === 'string' ? { sql: options } : options;
      const [results, fields] = (await this.target.query(
        { ...own, sql: [...this.statements.map((statement) => statement.sql), own.sql].join(';\n') },
        [...this.statements.flatMap((statement) => statement.params), ...((params as unknown[] | undefined) ?? [])],
      )) as unknown as [unknown[], unknown[]];
      await this.check(results[1]);
      const ownResults = results.slice(this.statements.length);
      const ownFields = fields.slice(this.statements.length);
      answer = ownResults.length === 1 ? [ownResults[0], ownFields[0]] : [ownResults, ownFields];
    })();
    await this.sent;
    return answer;
  }
}

/** Rows the loads must carry, in all, before a batch's closing writes are worth sessions of their own. */
const MIN_PARALLEL_ROWS = 2 * MIN_LOAD_ROWS;

/**
 * The closing writes that may go on sessions of their own, by table: those of each table whose
 * writes name no other of the batch's tables (a load names its own; a statement, those whose names
 * it holds). The others stay in order in the batch's transaction. Null when there is not enough
 * to load to pay for the extra sessions.
 */
function detachableWrites(
  closing: readonly DeferredWrite[],
  tables: readonly string[],
): { inOrder: DeferredWrite[]; byTable: Map<string, DeferredWrite[]> } | null {
  const named = closing.map((write) =>
    isLoad(write) ? [write.table] : tables.filter((table) => write.sql.includes(table)),
  );
  // A table any write names beside another, or a write that names none, keeps its writes in order.
  const entangled = new Set(named.flatMap((names) => (names.length > 1 ? names : [])));
  const inOrder: DeferredWrite[] = [];
  const byTable = new Map<string, DeferredWrite[]>();
  let loadedRows = 0;
  closing.forEach((write, index) => {
    const names = named[index];
    if (names.length !== 1 || entangled.has(names[0])) {
      inOrder.push(write);
      return;
    }
    const writes = byTable.get(names[0]);
    if (writes) writes.push(write);
    else byTable.set(names[0], [write]);
    if (isLoad(write)) loadedRows += write.rows.length;
  });
  return loadedRows >= MIN_PARALLEL_ROWS && byTable.size > 1 ? { inOrder, byTable } : null;
}

/**
 * The end of a rebuild's first batch, whose shadow tables started empty: the batch's own
 * transaction commits without its checkpoint; the writes of each table that stands alone then go
 * on a session of their own, all at once (the server loads each on one core, and this process
 * waits meanwhile), and the checkpoint follows when they all committed. Until then the checkpoint
 * still says the start, so whatever stops this half way leaves shadow tables that are built again
 * from nothing: here, for a failure while this writer still holds its lock (a write that fails for
 * an event's sake is then found by the batch applied again, one event at a time, in one
 * transaction); after a crash, by the next rebuild, which never resumes from the start.
 */
async function finishFreshShadow(
  writer: BatchWriter,
  connection: PoolConnection,
  batch: EventBatch,
  closing: readonly DeferredWrite[],
  byTable: ReadonlyMap<string, DeferredWrite[]>,
  committed: () => void,
): Promise<BatchOutcome> {
  const { projection, checkpoints } = writer;
  const opening: SqlStatement[] = [{ sql: 'START TRANSACTION', params: [] }, ...projectionSession(projection)];
  const ending: SqlStatement[] = projection.sqlMode !== undefined ? [RESTORE_SQL_MODE] : [];
  ending.push({ sql: 'COMMIT', params: [] });
  const writeTable = async (writes: DeferredWrite[]) => {
    const session = await checkpoints.pool.getConnection();
    try {
      await runStatements(session, [...opening, ...writes, ...ending]);
      session.release();
    } catch (error) {
      // Rolled back with the session: it does not go back to the pool half way through.
      session.destroy();
      throw error;
    }
  };
  try {
    await runStatements(connection, closing);
    committed();
    const writes = await Promise.allSettled([...byTable.values()].map(writeTable));
    const failure = writes.find((write): write is PromiseRejectedResult => write.status === 'rejected');
    if (failure) throw failure.reason;
    const locked = await runStatements(connection, [
      { sql: 'START TRANSACTION', params: [] },
      checkpoints.lockRowStatement(projection.name, writer.slot, writer.lock.name),
    ]);
    const { checkpoint, lockHolder } = await checkpoints.lockedRow(
      connection,
      locked[1] as Array<Record<string, unknown>>,
      writer.lock.name,
    );
    if (lockHolder !== writer.lock.sessionId || !checkpoint?.position.isStart()) {
      throw new CheckpointMovedError(`${projection.name}: the shadow checkpoint moved during its first batch`, true);
    }
    await runStatements(connection, [
      checkpoints.advanceStatement(projection.name, writer.slot, batch.position, batch.events.length, 'rebuilding'),
      { sql: 'COMMIT', params: [] },
    ]);
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    if (error instanceof CheckpointMovedError) throw error;
    await startShadowOver(writer, error);
    const last = batch.events[batch.events.length - 1];
    if (isTransientDatabaseError(error) || !last) throw error;
    return { kind: 'failed', event: last, error };
  }
  return { kind: 'committed', position: batch.position, handled: batch.events.length, durationMs: 0 };
}

/**
 * Builds the shadow tables again after a first batch that stopped half way, while the checkpoint
 * still says the start and this writer still holds its lock (else the tables may be another
 * rebuild's now). When that cannot be told, the rebuild stops: the next one builds them again.
 */
async function startShadowOver(writer: BatchWriter, cause: unknown): Promise<void> {
  const { projection, checkpoints } = writer;
  let mine: boolean;
  // A session of its own: the batch's may be the one that broke.
  const connection = await checkpoints.pool.getConnection().catch(() => null);
  try {
    if (!connection) throw new Error('no session');
    // Outside a transaction: the row's lock ends with the statement.
    const [found] = await runStatements(connection, [
      checkpoints.lockRowStatement(projection.name, writer.slot, writer.lock.name),
    ]);
    const { checkpoint, lockHolder } = await checkpoints.lockedRow(
      connection,
      found as Array<Record<string, unknown>>,
      writer.lock.name,
    );
    mine = lockHolder === writer.lock.sessionId && checkpoint?.position.isStart() === true;
  } catch {
    mine = false;
  } finally {
    connection?.release();
  }
  const cannotStartOver = (why: unknown) =>
    new RebuildError(
      `${projection.name}: its first rebuild batch stopped half way (${describeError(why)}) and the shadow ` +
        'tables could not be built again here; the next rebuild builds them from the start',
    );
  if (!mine) throw cannotStartOver(cause);
  // Not retried here: the batch would go again onto tables that may still hold its first rows, as
  // if they were empty (`startedEmpty`).
  await createShadowTables(checkpoints.pool, checkpoints.database, projection).catch((error: unknown) => {
    throw cannotStartOver(error);
  });
}

/**
 * What handlers see of a connection inside a transaction: parameterised queries and their tables'
 * names. With `deferred`, `deferWrite` queues there for the engine to send; without, it runs at once.
 */
export function projectionTransactionOn(
  connection: Pick<PoolConnection, 'query'>,
  projectionName: string,
  tables: ReadonlyMap<string, string>,
  mode: ApplyMode,
  deferred?: DeferredWrite[],
  loadOptions: LoadOptions = {},
  startedEmpty = false,
): ProjectionTransaction {
  const table = (logicalName: string): string => {
    const name = tables.get(logicalName);
    if (!name) throw new Error(`Projection ${projectionName} declares no table ${logicalName}`);
    return name;
  };
  return {
    mode,
    startedEmpty,
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<R> {
      const [result] = await connection.query(sql, params as unknown[]);
      return result as R;
    },
    async deferWrite(sql: string, params: readonly unknown[] = []): Promise<void> {
      if (deferred) deferred.push({ sql, params: [...params] });
      else await connection.query(sql, params as unknown[]);
    },
    async queryText(sql: string, params: readonly unknown[] = []) {
      const [rows] = await connection.query({ sql, typeCast: (field) => field.string() }, params as unknown[]);
      return rows as Record<string, string | null>[];
    },
    async insertRows(logicalTable, columns, rows, options = {}) {
      if (rows.length === 0) return;
      const load: RowLoad = { table: table(logicalTable), columns, rows };
      if (options.deferred && deferred) deferred.push({ ...load, options: loadOptions });
      else await loadRows(connection, load, loadOptions);
    },
    table,
  };
}
