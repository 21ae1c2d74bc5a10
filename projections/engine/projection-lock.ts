import type { Pool, PoolConnection } from 'mysql2/promise';

/** How often the holder checks that its session still holds the lock. */
const DEFAULT_KEEP_ALIVE_MS = 1_000;
/** A lock's queries are instant: one that takes longer has lost its server (the session is then given up). */
const QUERY_TIMEOUT_MS = 5_000;

/** Keep-alive intervals a holder may miss before the server ends its session (see `lockIdleTimeoutSeconds`). */
const MISSED_KEEP_ALIVES = 30;
const MIN_IDLE_TIMEOUT_SECONDS = 3;

/**
 * How long the server keeps a lock session that has stopped talking: 30 keep-alive intervals, and
 * at least 3 s (30 s with the default keep-alive). A live holder asks about its lock every
 * keep-alive, so only a holder whose host is gone, cut off, or stalled for that long loses it; a
 * stalled holder that wakes finds its session ended and stops (`lost`), and its batches check the
 * lock before they write, so nothing is applied twice.
 */
export function lockIdleTimeoutSeconds(keepAliveMs: number): number {
  return Math.max(MIN_IDLE_TIMEOUT_SECONDS, Math.ceil((MISSED_KEEP_ALIVES * keepAliveMs) / 1000));
}

/**
 * A MySQL named lock (`GET_LOCK`) held on a dedicated session taken out of the pool for as long as
 * the lock is held. The server releases the lock when the session ends, so a crashed holder frees
 * it at once. `lost` aborts as soon as the session fails, is killed, or stops holding the lock:
 * whoever relies on the lock stops at that moment.
 *
 * A holder whose host crashes or is cut off ends nothing: its session goes silent, and the server
 * would keep it, lock and all, for `wait_timeout` (hours). So the session's `wait_timeout` is
 * bounded while it holds the lock (`lockIdleTimeoutSeconds`), and put back before the session
 * returns to the pool.
 */
export class ProjectionLock {
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private released = false;
  private readonly lose = () => this.abort.abort(new Error(`lost the lock ${this.name}`));

  private constructor(
    readonly name: string,
    private readonly connection: PoolConnection,
    /** The session's CONNECTION_ID(); `IS_USED_LOCK` names it while the lock is held. */
    readonly sessionId: number,
    keepAliveMs: number,
    /** The session's own `wait_timeout`, put back on release. */
    private readonly waitTimeout: number,
  ) {
    connection.connection.on('error', this.lose);
    connection.connection.on('end', this.lose);
    this.timer = setInterval(() => void this.check(), keepAliveMs);
    this.timer.unref();
  }

  /**
   * Takes the lock if it is free right now; null when another session holds it. `idleTimeoutSeconds`
   * bounds how long the server keeps the session once it stops talking (default from the keep-alive).
   */
  static async tryAcquire(
    pool: Pool,
    name: string,
    keepAliveMs = DEFAULT_KEEP_ALIVE_MS,
    idleTimeoutSeconds = lockIdleTimeoutSeconds(keepAliveMs),
  ): Promise<ProjectionLock | null> {
    if (!Number.isInteger(idleTimeoutSeconds) || idleTimeoutSeconds < 1) {
      throw new RangeError(`A lock's idle timeout must be whole seconds from 1, not ${idleTimeoutSeconds}`);
    }
    const connection = await pool.getConnection();
    let granted: boolean;
    let sessionId: number;
    let waitTimeout: number;
    try {
      const take =
        'SELECT GET_LOCK(?, 0) AS granted, CONNECTION_ID() AS session_id, @@SESSION.wait_timeout AS wait_timeout';
      // The bound goes in the same round trip where the session takes several statements at once,
      // so no moment passes with the lock held and the session unbounded; else right after.
      const together = acceptsMultipleStatements(connection);
      const [results] = together
        ? await connection.query({
            sql: `${take};\nSET SESSION wait_timeout = IF(IS_USED_LOCK(?) <=> CONNECTION_ID(), ?, @@SESSION.wait_timeout)`,
            values: [name, name, idleTimeoutSeconds],
            timeout: QUERY_TIMEOUT_MS,
          })
        : await connection.query({ sql: take, values: [name], timeout: QUERY_TIMEOUT_MS });
      const rows = together ? (results as unknown[])[0] : results;
      const row = (rows as Array<{ granted: unknown; session_id: unknown; wait_timeout: unknown }>)[0];
      granted = Number(row.granted) === 1;
      sessionId = Number(row.session_id);
      waitTimeout = Number(row.wait_timeout);
      if (granted && !together) {
        await connection.query({
          sql: 'SET SESSION wait_timeout = ?',
          values: [idleTimeoutSeconds],
          timeout: QUERY_TIMEOUT_MS,
        });
      }
    } catch (error) {
      // Ending the session releases the lock if it was taken.
      connection.destroy();
      throw error;
    }
    if (!granted) {
      connection.release();
      return null;
    }
    return new ProjectionLock(name, connection, sessionId, keepAliveMs, waitTimeout);
  }

  /** Aborts when the lock is gone (or released). */
  get lost(): AbortSignal {
    return this.abort.signal;
  }

  get held(): boolean {
    return !this.abort.signal.aborted;
  }

  /** Releases the lock and hands the session back; a session in doubt is destroyed instead. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    const wasHeld = this.held;
    this.abort.abort(new Error(`released the lock ${this.name}`));
    if (!wasHeld) {
      this.connection.destroy();
      return;
    }
    try {
      await this.connection.query({ sql: 'SELECT RELEASE_LOCK(?)', values: [this.name], timeout: QUERY_TIMEOUT_MS });
      // The bound must not follow the session to its next user.
      await this.connection.query({
        sql: 'SET SESSION wait_timeout = ?',
        values: [this.waitTimeout],
        timeout: QUERY_TIMEOUT_MS,
      });
    } catch {
      // Ending the session releases the lock too.
      this.connection.destroy();
      return;
    }
    // Only now: an error event on a session without listeners would crash the process.
    this.connection.connection.off('error', this.lose);
    this.connection.connection.off('end', this.lose);
    this.connection.release();
  }

  private async check(): Promise<void> {
    if (!this.held) return;
    try {
      const [rows] = await this.connection.query({
        sql: 'SELECT IS_USED_LOCK(?) AS holder',
        values: [this.name],
        timeout: QUERY_TIMEOUT_MS,
      });
      const holder = (rows as Array<{ holder: unknown }>)[0]?.holder;
      if (Number(holder) !== this.sessionId) this.abort.abort(new Error(`no longer holds the lock ${this.name}`));
    } catch (error) {
      this.abort.abort(error);
    }
  }
}

/** Whether the connection's pool was opened with `multipleStatements` (the projector's pools are). */
function acceptsMultipleStatements(connection: PoolConnection): boolean {
  const core = (connection as unknown as { connection?: { config?: { multipleStatements?: unknown } } }).connection;
  return core?.config?.multipleStatements === true;
}
