import { createHash } from 'node:crypto';
import type { Pool, PoolConnection } from 'mysql2/promise';
import type { MessageKey } from '@tracershop/realtime';
import { liveTables, utcDatetimeOf } from './live-tables';

export interface LiveLogPrunerOptions {
  /** A pool on the record database; the pruner takes one connection of its own per run. */
  pool: Pool;
  database: string;
  /** Messages of events recorded longer ago than this are pruned. */
  retentionHours: number;
  /** Most rows per DELETE (one short transaction each). Default 1,000. */
  chunkRows?: number;
  /** Pause between chunks, so the projection's batches are never queued behind a run. Default 20 ms. */
  pauseMs?: number;
}

export interface PruneReport {
  /** `done`, or why nothing was pruned: another process prunes, or the tables do not hold `recorded_at` yet. */
  outcome: 'done' | 'busy' | 'no_log' | 'stopped';
  deleted: number;
  /** Where this run moved the horizon (every message up to it is gone); null when it pruned nothing. */
  prunedThrough: MessageKey | null;
  /** Messages recorded before this (UTC) are past the retention. */
  cutoff: string;
}

const NO_SUCH_TABLE = 1146;
const BAD_FIELD = 1054;
const errnoOf = (error: unknown) => (error as { errno?: number }).errno;

const quoted = (database: string, table: string) => `\`${database.replace(/`/g, '``')}\`.\`${table}\``;

interface KeyRow {
  commit_text: string;
  prepare_text: string;
  seq: number | string;
  expired: number | string;
}

const keyOf = (row: Pick<KeyRow, 'commit_text' | 'prepare_text' | 'seq'>): MessageKey => ({
  commit: BigInt(row.commit_text),
  prepare: BigInt(row.prepare_text),
  seq: Number(row.seq),
});

/** At or before the key (written out, as MariaDB ranges row comparisons poorly). */
const UP_TO_KEY = `(pos_commit < ? OR (pos_commit = ? AND (pos_prepare < ? OR (pos_prepare = ? AND seq <= ?))))`;
const upToKeyParams = (key: MessageKey) => {
  const commit = key.commit.toString();
  const prepare = key.prepare.toString();
  return [commit, commit, prepare, prepare, key.seq];
};

/** The named lock a pruning run holds, so one process prunes at a time (MySQL caps names at 64 characters). */
export function liveLogPrunerLockName(database: string): string {
  const name = `${database}.live.log-pruner`;
  return name.length <= 64 ? name : `live.log-pruner.${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

/**
 * Retention of the live message log (`live_messages`). Only a prefix of the log, in key order, is
 * ever deleted: the rows before the first one recorded within the retention. So no message newer
 * than the retention goes (not even when `recordedAt` is slightly out of order across api
 * instances), and what is left is exactly the log after one key, which `live_messages_horizon`
 * records in the same transaction: a resume from before it is refused rather than given a gap
 * (`LiveReadModel.topicPage`).
 *
 * It never runs in the projection's batch transaction and never holds locks for long: its own
 * connection, a named lock so one process prunes at a time, READ COMMITTED (no gap locks near the
 * tail the projection appends to) and short transactions of at most `chunkRows` rows each.
 */
export class LiveLogPruner {
  private readonly chunkRows: number;
  private readonly pauseMs: number;

  constructor(private readonly options: LiveLogPrunerOptions) {
    this.chunkRows = Math.max(1, Math.floor(options.chunkRows ?? 1_000));
    this.pauseMs = Math.max(0, options.pauseMs ?? 20);
  }

  private table(name: string): string {
    return quoted(this.options.database, name);
  }

  /** Prunes everything past the retention as of `now`; `stop` ends the run between two chunks. */
  async prune(now: Date = new Date(), stop: () => boolean = () => false): Promise<PruneReport> {
    const cutoff = utcDatetimeOf(new Date(now.getTime() - this.options.retentionHours * 3_600_000));
    const report: PruneReport = { outcome: 'done', deleted: 0, prunedThrough: null, cutoff };
    const connection = await this.options.pool.getConnection();
    const lock = liveLogPrunerLockName(this.options.database);
    let locked = false;
    let broken = false;
    try {
      const [granted] = await connection.query('SELECT GET_LOCK(?, 0) AS granted', [lock]);
      locked = Number((granted as Array<{ granted: unknown }>)[0]?.granted) === 1;
      if (!locked) return { ...report, outcome: 'busy' };
      for (;;) {
        if (stop()) return { ...report, outcome: 'stopped' };
        const chunk = await this.pruneChunk(connection, cutoff);
        if (chunk === null) return { ...report, outcome: 'no_log' };
        report.deleted += chunk.deleted;
        if (chunk.prunedThrough) report.prunedThrough = chunk.prunedThrough;
        if (!chunk.more) return report;
        if (this.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
      }
    } catch (error) {
      broken = true;
      throw error;
    } finally {
      // A session that failed may be mid-transaction or dead: closing it also frees the lock.
      if (broken) connection.destroy();
      else {
        if (locked) await connection.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
        connection.release();
      }
    }
  }

  /**
   * One transaction: the first `chunkRows` keys of the log, the longest run of them recorded before
   * the cutoff, deleted, and the horizon moved to the last of them. Null when there is no log with
   * `recorded_at` (no tables yet, or tables of a version before retention).
   */
  private async pruneChunk(
    connection: PoolConnection,
    cutoff: string,
  ): Promise<{ deleted: number; prunedThrough: MessageKey | null; more: boolean } | null> {
    await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await connection.query('START TRANSACTION');
    try {
      let rows: KeyRow[];
      try {
        const [selected] = await connection.query(
          `SELECT CAST(pos_commit AS CHAR) AS commit_text, CAST(pos_prepare AS CHAR) AS prepare_text, seq,
             recorded_at < ? AS expired
           FROM ${this.table(liveTables.messages)}
           ORDER BY pos_commit, pos_prepare, seq LIMIT ${this.chunkRows}`,
          [cutoff],
        );
        rows = selected as KeyRow[];
      } catch (error) {
        if (errnoOf(error) === NO_SUCH_TABLE || errnoOf(error) === BAD_FIELD) {
          await connection.query('ROLLBACK');
          return null;
        }
        throw error;
      }
      const kept = rows.findIndex((row) => Number(row.expired) !== 1);
      const expired = kept < 0 ? rows.length : kept;
      if (expired === 0) {
        await connection.query('COMMIT');
        return { deleted: 0, prunedThrough: null, more: false };
      }
      const last = keyOf(rows[expired - 1]);
      const [result] = await connection.query(
        `DELETE FROM ${this.table(liveTables.messages)} WHERE ${UP_TO_KEY}
         ORDER BY pos_commit, pos_prepare, seq LIMIT ${this.chunkRows}`,
        upToKeyParams(last),
      );
      await connection.query(
        `INSERT INTO ${this.table(liveTables.horizon)} (id, pos_commit, pos_prepare, seq, pruned_at)
         VALUES (1, ?, ?, ?, UTC_TIMESTAMP(3))
         ON DUPLICATE KEY UPDATE pos_commit = VALUES(pos_commit), pos_prepare = VALUES(pos_prepare),
           seq = VALUES(seq), pruned_at = VALUES(pruned_at)`,
        [last.commit.toString(), last.prepare.toString(), last.seq],
      );
      await connection.query('COMMIT');
      const deleted = Number((result as { affectedRows?: number }).affectedRows ?? 0);
      // A full chunk of expired rows: the next chunk may hold more.
      return { deleted, prunedThrough: last, more: expired === rows.length && rows.length === this.chunkRows };
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
