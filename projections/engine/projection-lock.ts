import type { Pool, PoolConnection } from 'mysql2/promise';

/** How often the holder checks that its session still holds the lock. */
const DEFAULT_KEEP_ALIVE_MS = 1_000;

/**
 * A MySQL named lock (`GET_LOCK`) held on a dedicated session taken out of the pool for as long as
 * the lock is held. The server releases the lock when the session ends, so a crashed holder frees
 * it at once. `lost` aborts as soon as the session fails, is killed, or stops holding the lock:
 * whoever relies on the lock stops at that moment.
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
  ) {
    connection.connection.on('error', this.lose);
    connection.connection.on('end', this.lose);
    this.timer = setInterval(() => void this.check(), keepAliveMs);
    this.timer.unref();
  }

  /** Takes the lock if it is free right now; null when another session holds it. */
  static async tryAcquire(
    pool: Pool,
    name: string,
    keepAliveMs = DEFAULT_KEEP_ALIVE_MS,
  ): Promise<ProjectionLock | null> {
    const connection = await pool.getConnection();
    let granted: boolean;
    let sessionId: number;
    try {
      const [rows] = await connection.query('SELECT GET_LOCK(?, 0) AS granted, CONNECTION_ID() AS session_id', [name]);
      const row = (rows as Array<{ granted: unknown; session_id: unknown }>)[0];
      granted = Number(row.granted) === 1;
      sessionId = Number(row.session_id);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    if (!granted) {
      connection.release();
      return null;
    }
    return new ProjectionLock(name, connection, sessionId, keepAliveMs);
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
      await this.connection.query('SELECT RELEASE_LOCK(?)', [this.name]);
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
        timeout: 5_000,
      });
      const holder = (rows as Array<{ holder: unknown }>)[0]?.holder;
      if (Number(holder) !== this.sessionId) this.abort.abort(new Error(`no longer holds the lock ${this.name}`));
    } catch (error) {
      this.abort.abort(error);
    }
  }
}
