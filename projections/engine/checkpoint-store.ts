import { Position } from '@tracershop/event-store';
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import { qualifiedName } from './physical-names';

export type CheckpointStatus = 'running' | 'standby' | 'failed' | 'rebuilding' | 'stopped';

/** `live`: the tables that serve. `shadow`: a rebuild of a (new) version into shadow tables. */
export type CheckpointSlot = 'live' | 'shadow';

/** Where and why a projection stopped: the event it could not apply. */
export interface ProjectionFailure {
  position: Position;
  eventId: string;
  eventType: string;
  message: string;
  at: Date;
}

/** One table of a swap under way: live → old, shadow → live. */
export interface SwapRename {
  live: string;
  shadow: string;
  /** Null when there was no live table to retire. */
  old: string | null;
}

export interface Checkpoint {
  name: string;
  slot: CheckpointSlot;
  version: number;
  /** Always `all` for now: positions on `$all`, never a stream revision. */
  axis: 'all' | 'stream';
  position: Position;
  status: CheckpointStatus;
  eventsApplied: number;
  lastBatchSize: number | null;
  lastBatchAt: Date | null;
  failure: ProjectionFailure | null;
  activeInstance: string | null;
  /** A rebuild asked for the runner lock within the last `HANDOVER_TIMEOUT_SECONDS`. */
  handoverPending: boolean;
  /** Shadow row only: the renames of a swap that started and may not have finished. */
  swapTables: SwapRename[] | null;
  startedAt: Date;
  updatedAt: Date;
}

/** A rebuild that asked for the lock and then died must not hold the live runner back for long. */
export const HANDOVER_TIMEOUT_SECONDS = 30;

/** The longest failure message stored; the rest is in the log. */
const MAX_FAILURE_MESSAGE = 4000;

const utc = (column: string) => `DATE_FORMAT(${column}, '%Y-%m-%dT%H:%i:%s.%fZ') AS ${column}`;

const COLUMNS = [
  'name',
  'slot',
  'version',
  'axis',
  'position',
  'status',
  'events_applied',
  'last_batch_size',
  utc('last_batch_at'),
  'failed_position',
  'failed_event_id',
  'failed_event_type',
  'failure_message',
  utc('failed_at'),
  'active_instance',
  `(handover_requested_at IS NOT NULL AND handover_requested_at > UTC_TIMESTAMP(6) - INTERVAL ${HANDOVER_TIMEOUT_SECONDS} SECOND) AS handover_pending`,
  'swap_tables',
  utc('started_at'),
  utc('updated_at'),
].join(', ');

type Row = Record<string, unknown>;

/** One parameterised statement. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/** The mysql2 query surface shared by pools and connections. */
type Queryable = Pick<Pool, 'query'>;

/**
 * The `projection_checkpoints` table of one target database (migrations/record, migrations/web).
 * Methods that take a connection run inside the caller's transaction.
 */
export class CheckpointStore {
  readonly table: string;

  constructor(
    readonly pool: Pool,
    readonly database: string,
  ) {
    this.table = qualifiedName(database, 'projection_checkpoints');
  }

  async read(name: string, slot: CheckpointSlot = 'live', on: Queryable = this.pool): Promise<Checkpoint | null> {
    const rows = await select(on, `SELECT ${COLUMNS} FROM ${this.table} WHERE name = ? AND slot = ?`, [name, slot]);
    return rows.length === 0 ? null : toCheckpoint(rows[0]);
  }

  async readAll(names: readonly string[]): Promise<Checkpoint[]> {
    if (names.length === 0) return [];
    const rows = await select(this.pool, `SELECT ${COLUMNS} FROM ${this.table} WHERE name IN (?)`, [names]);
    return rows.map(toCheckpoint);
  }

  /**
   * Locks the row for the rest of the transaction and says who holds `lockName`. Every writer of a
   * projection's tables starts here, so writers queue on this row: a runner that takes over reads
   * the checkpoint only after the previous holder's last transaction has ended.
   */
  async lockRow(
    connection: PoolConnection,
    name: string,
    slot: CheckpointSlot,
    lockName: string,
  ): Promise<{ checkpoint: Checkpoint | null; lockHolder: number | null }> {
    const { sql, params } = this.lockRowStatement(name, slot, lockName);
    return this.lockedRow(connection, await select(connection, sql, params), lockName);
  }

  /** `lockRow`'s statement, for a caller that sends it with others in one round trip. */
  lockRowStatement(name: string, slot: CheckpointSlot, lockName: string): SqlStatement {
    return {
      sql: `SELECT ${COLUMNS}, IS_USED_LOCK(?) AS lock_holder FROM ${this.table} WHERE name = ? AND slot = ? FOR UPDATE`,
      params: [lockName, name, slot],
    };
  }

  /** What `lockRowStatement`'s rows say (asking the lock's holder separately when there is no row). */
  async lockedRow(
    connection: PoolConnection,
    rows: Row[],
    lockName: string,
  ): Promise<{ checkpoint: Checkpoint | null; lockHolder: number | null }> {
    if (rows.length === 0) {
      const [holder] = await select(connection, 'SELECT IS_USED_LOCK(?) AS lock_holder', [lockName]);
      return { checkpoint: null, lockHolder: toNumberOrNull(holder.lock_holder) };
    }
    return { checkpoint: toCheckpoint(rows[0]), lockHolder: toNumberOrNull(rows[0].lock_holder) };
  }

  async insert(
    connection: Queryable,
    name: string,
    slot: CheckpointSlot,
    version: number,
    status: CheckpointStatus,
  ): Promise<void> {
    await connection.query(
      `INSERT INTO ${this.table} (name, slot, version, axis, position, status, events_applied, started_at, updated_at)
       VALUES (?, ?, ?, 'all', 'start', ?, 0, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))`,
      [name, slot, version, status],
    );
  }

  /** The batch's checkpoint; commits with the batch's writes. */
  async advance(
    connection: PoolConnection,
    name: string,
    slot: CheckpointSlot,
    position: Position,
    handled: number,
    status: CheckpointStatus,
  ): Promise<void> {
    const { sql, params } = this.advanceStatement(name, slot, position, handled, status);
    await connection.query(sql, params);
  }

  /**
   * Moves the row past events the projection does not handle, in one statement of its own: only
   * while the row is where the writer left it (`expected`, at its version) and the writer's session
   * holds its lock, as a batch's transaction checks. False when the row was not moved: the caller
   * then goes the transaction's way, which says why.
   */
  async skipTo(
    writer: { name: string; slot: CheckpointSlot; version: number; lockName: string; sessionId: number },
    expected: Position,
    position: Position,
    status: CheckpointStatus,
  ): Promise<boolean> {
    const [result] = await this.pool.query<ResultSetHeader>(
      `UPDATE ${this.table} SET position = ?, last_batch_size = 0, last_batch_at = UTC_TIMESTAMP(6), status = ?,
         updated_at = UTC_TIMESTAMP(6)
       WHERE name = ? AND slot = ? AND version = ? AND position = ? AND IS_USED_LOCK(?) = ?`,
      [
        position.toString(),
        status,
        writer.name,
        writer.slot,
        writer.version,
        expected.toString(),
        writer.lockName,
        writer.sessionId,
      ],
    );
    return result.affectedRows === 1;
  }

  /** `advance`'s statement, for a caller that sends it with others in one round trip. */
  advanceStatement(
    name: string,
    slot: CheckpointSlot,
    position: Position,
    handled: number,
    status: CheckpointStatus,
  ): SqlStatement {
    return {
      sql: `UPDATE ${this.table} SET position = ?, events_applied = events_applied + ?, last_batch_size = ?,
         last_batch_at = UTC_TIMESTAMP(6), status = ?, updated_at = UTC_TIMESTAMP(6)
       WHERE name = ? AND slot = ?`,
      params: [position.toString(), handled, handled, status, name, slot],
    };
  }

  /** Marks the row failed, unless another runner has moved it on since. */
  async markFailed(
    name: string,
    slot: CheckpointSlot,
    expected: Position,
    failure: Omit<ProjectionFailure, 'at'>,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET status = 'failed', failed_position = ?, failed_event_id = ?, failed_event_type = ?,
         failure_message = ?, failed_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6)
       WHERE name = ? AND slot = ? AND position = ?`,
      [
        failure.position.toString(),
        failure.eventId,
        failure.eventType,
        failure.message.slice(0, MAX_FAILURE_MESSAGE),
        name,
        slot,
        expected.toString(),
      ],
    );
  }

  /** A runner took over (or was told to retry): the last failure is history now. */
  async markRunning(connection: Queryable, name: string, instance: string): Promise<void> {
    await connection.query(
      `UPDATE ${this.table} SET status = 'running', active_instance = ?, failed_position = NULL,
         failed_event_id = NULL, failed_event_type = NULL, failure_message = NULL, failed_at = NULL,
         updated_at = UTC_TIMESTAMP(6)
       WHERE name = ? AND slot = 'live'`,
      [instance, name],
    );
  }

  async setStatus(
    name: string,
    slot: CheckpointSlot,
    status: CheckpointStatus,
    onlyFrom?: CheckpointStatus,
  ): Promise<boolean> {
    const [result] = await this.pool.query(
      `UPDATE ${this.table} SET status = ?, updated_at = UTC_TIMESTAMP(6)
       WHERE name = ? AND slot = ?${onlyFrom ? ' AND status = ?' : ''}`,
      onlyFrom ? [status, name, slot, onlyFrom] : [status, name, slot],
    );
    return (result as { affectedRows: number }).affectedRows > 0;
  }

  async requestHandover(name: string, requested: boolean): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET handover_requested_at = ${requested ? 'UTC_TIMESTAMP(6)' : 'NULL'}
       WHERE name = ? AND slot = 'live'`,
      [name],
    );
  }

  /** Starts a rebuild's checkpoint from scratch, replacing any earlier shadow row. */
  async resetShadow(name: string, version: number): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE name = ? AND slot = 'shadow'`, [name]);
    await this.insert(this.pool, name, 'shadow', version, 'rebuilding');
  }

  async recordSwap(name: string, renames: SwapRename[] | null): Promise<void> {
    await this.pool.query(`UPDATE ${this.table} SET swap_tables = ? WHERE name = ? AND slot = 'shadow'`, [
      renames === null ? null : JSON.stringify(renames),
      name,
    ]);
  }

  /**
   * After the rename: the live row takes the shadow's version, position and count, and the shadow
   * row goes. One transaction, so a crash leaves either the swap to finish or a finished swap.
   */
  async promoteShadow(connection: PoolConnection, shadow: Checkpoint): Promise<void> {
    await connection.query(
      `INSERT INTO ${this.table} (name, slot, version, axis, position, status, events_applied, last_batch_size,
         last_batch_at, started_at, updated_at)
       VALUES (?, 'live', ?, ?, ?, 'standby', ?, NULL, NULL, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
       ON DUPLICATE KEY UPDATE version = VALUES(version), axis = VALUES(axis), position = VALUES(position),
         status = 'standby', events_applied = VALUES(events_applied), failed_position = NULL, failed_event_id = NULL,
         failed_event_type = NULL, failure_message = NULL, failed_at = NULL, handover_requested_at = NULL,
         updated_at = UTC_TIMESTAMP(6)`,
      [shadow.name, shadow.version, shadow.axis, shadow.position.toString(), shadow.eventsApplied],
    );
    await connection.query(`DELETE FROM ${this.table} WHERE name = ? AND slot = 'shadow'`, [shadow.name]);
  }
}

async function select(on: Queryable, sql: string, params: unknown[]): Promise<Row[]> {
  const [rows] = await on.query(sql, params);
  return rows as Row[];
}

function toCheckpoint(row: Row): Checkpoint {
  return {
    name: String(row.name),
    slot: row.slot as CheckpointSlot,
    version: Number(row.version),
    axis: row.axis as 'all' | 'stream',
    position: Position.parse(String(row.position)),
    status: row.status as CheckpointStatus,
    eventsApplied: Number(row.events_applied),
    lastBatchSize: toNumberOrNull(row.last_batch_size),
    lastBatchAt: toDateOrNull(row.last_batch_at),
    failure:
      row.failed_position === null
        ? null
        : {
            position: Position.parse(String(row.failed_position)),
            eventId: String(row.failed_event_id),
            eventType: String(row.failed_event_type),
            message: String(row.failure_message),
            at: toDateOrNull(row.failed_at) ?? new Date(0),
          },
    activeInstance: row.active_instance === null ? null : String(row.active_instance),
    handoverPending: Number(row.handover_pending) === 1,
    swapTables: row.swap_tables === null ? null : (JSON.parse(String(row.swap_tables)) as SwapRename[]),
    startedAt: toDateOrNull(row.started_at) ?? new Date(0),
    updatedAt: toDateOrNull(row.updated_at) ?? new Date(0),
  };
}

function toNumberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(String(value));
}
