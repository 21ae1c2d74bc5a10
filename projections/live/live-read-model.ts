import type { Pool, PoolConnection } from 'mysql2/promise';
import {
  compareKeys,
  keyAfterPositionText,
  messageKeyText,
  START_KEY,
  type KeyedMessage,
  type LiveGhost,
  type LiveIncident,
  type LiveOrder,
  type MessageKey,
  type RealtimeMessage,
  type Topic,
} from '@tracershop/realtime';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from './live-dashboards-projection';
import { liveTables } from './live-tables';

/**
 * A page of one topic's log after a key, or, when the log was pruned past that key (messages after
 * it may be gone), the key it was pruned through.
 */
export type TopicPage = { complete: true; messages: KeyedMessage[] } | { complete: false; prunedThrough: MessageKey };

/** Rows at a position: what the snapshot shows and the key its messages were sent up to. */
export interface LiveSnapshot<T> {
  /** The projection's committed checkpoint the rows are consistent with (`start` before any). */
  position: string;
  key: MessageKey;
  rows: T;
}

const NO_SUCH_TABLE = 1146;
const isMissingTable = (error: unknown) => (error as { errno?: number }).errno === NO_SUCH_TABLE;

const quoted = (database: string, table: string) => `\`${database.replace(/`/g, '``')}\`.\`${table}\``;

/** Positions as text (bigints), under other names than the columns: ORDER BY must sort the numbers. */
interface MessageRow {
  commit_text: string;
  prepare_text: string;
  seq: number | string;
  topic: string;
  position: string;
  type: string;
  payload: string;
}

const MESSAGE_COLUMNS =
  'CAST(pos_commit AS CHAR) AS commit_text, CAST(pos_prepare AS CHAR) AS prepare_text, seq, topic, position, type, payload';

function keyed(row: MessageRow): KeyedMessage {
  const key = { commit: BigInt(row.commit_text), prepare: BigInt(row.prepare_text), seq: Number(row.seq) };
  return {
    key,
    message: {
      type: row.type,
      topic: row.topic as Topic,
      position: row.position,
      key: messageKeyText(key),
      payload: JSON.parse(row.payload),
    } as RealtimeMessage,
  };
}

type Queryable = Pick<Pool, 'query'> | PoolConnection;

/** Strictly after the key, in key order (written out: MariaDB ranges row comparisons poorly). */
const AFTER_KEY = `(pos_commit > ? OR (pos_commit = ? AND (pos_prepare > ? OR (pos_prepare = ? AND seq > ?))))`;
const afterKeyParams = (key: MessageKey) => {
  const commit = key.commit.toString();
  const prepare = key.prepare.toString();
  return [commit, commit, prepare, prepare, key.seq];
};

/**
 * Reads of the live projection for the realtime gateway: consistent snapshots (rows and the
 * checkpoint in one transaction), the log of one topic after a key (resume) and the whole log after
 * a key (the publisher's tail). Before the projector has created the tables, everything is empty.
 */
export class LiveReadModel {
  constructor(
    private readonly pool: Pool,
    private readonly database: string,
  ) {}

  private table(name: string): string {
    return quoted(this.database, name);
  }

  /** Every order and ghost of a delivery date, at the projection's checkpoint. */
  productionDay(date: string): Promise<LiveSnapshot<{ orders: LiveOrder[]; ghosts: LiveGhost[] }>> {
    return this.atCheckpoint(
      async (connection) => {
        const [orders] = await connection.query(
          `SELECT row_json FROM ${this.table(liveTables.orders)} WHERE delivery_date = ? ORDER BY order_id`,
          [date],
        );
        const [ghosts] = await connection.query(
          `SELECT row_json FROM ${this.table(liveTables.ghosts)} WHERE delivery_date = ? ORDER BY ghost_id`,
          [date],
        );
        return { orders: parseRows<LiveOrder>(orders), ghosts: parseRows<LiveGhost>(ghosts) };
      },
      { orders: [], ghosts: [] },
    );
  }

  /** A customer's orders delivered on `fromDate` or later, at the projection's checkpoint. */
  customer(customerId: string, fromDate: string): Promise<LiveSnapshot<LiveOrder[]>> {
    return this.atCheckpoint(async (connection) => {
      const [orders] = await connection.query(
        `SELECT row_json FROM ${this.table(liveTables.orders)} WHERE customer_id = ? AND delivery_date >= ?
         ORDER BY delivery_date, order_id`,
        [customerId, fromDate],
      );
      return parseRows<LiveOrder>(orders);
    }, []);
  }

  /** The open incidents, at the projection's checkpoint. */
  openIncidents(): Promise<LiveSnapshot<LiveIncident[]>> {
    return this.atCheckpoint(async (connection) => {
      const [rows] = await connection.query(
        `SELECT row_json FROM ${this.table(liveTables.incidents)} WHERE status = 'open' ORDER BY incident_id`,
      );
      return parseRows<LiveIncident>(rows);
    }, []);
  }

  /** Just the checkpoint, for topics without rows of their own yet (order sessions, jobs). */
  checkpoint(): Promise<LiveSnapshot<null>> {
    return this.atCheckpoint(async () => null, null);
  }

  /** Up to `limit` logged messages of one topic after `key`, in key order. */
  async topicAfter(topic: string, key: MessageKey, limit: number): Promise<KeyedMessage[]> {
    return this.messages(this.pool, `topic = ? AND ${AFTER_KEY}`, [topic, ...afterKeyParams(key)], limit);
  }

  /**
   * A resume's page: up to `limit` messages of one topic after `key`, read in one snapshot with the
   * pruning horizon, so the page is known to have no hole (or is refused). The open transaction also
   * keeps a rebuild's `RENAME TABLE` from swapping the log between the two reads.
   */
  topicPage(topic: string, key: MessageKey, limit: number): Promise<TopicPage> {
    return this.inSnapshot(async (connection): Promise<TopicPage> => {
      const prunedThrough = await this.horizonOf(connection);
      if (compareKeys(prunedThrough, key) > 0) return { complete: false, prunedThrough };
      const messages = await this.messages(
        connection,
        `topic = ? AND ${AFTER_KEY}`,
        [topic, ...afterKeyParams(key)],
        limit,
      );
      return { complete: true, messages };
    });
  }

  /** The key up to which the log was pruned; `START_KEY` when nothing was. */
  prunedThrough(): Promise<MessageKey> {
    return this.horizonOf(this.pool);
  }

  /** Up to `limit` logged messages of every topic after `key`, in key order. */
  async logAfter(key: MessageKey, limit: number): Promise<KeyedMessage[]> {
    return this.messages(this.pool, AFTER_KEY, afterKeyParams(key), limit);
  }

  /** Key of the newest logged message, `START_KEY` when none. */
  async logHead(): Promise<MessageKey> {
    try {
      const [rows] = await this.pool.query(
        `SELECT CAST(pos_commit AS CHAR) AS commit_text, CAST(pos_prepare AS CHAR) AS prepare_text, seq
         FROM ${this.table(liveTables.messages)} ORDER BY pos_commit DESC, pos_prepare DESC, seq DESC LIMIT 1`,
      );
      const row = (rows as MessageRow[])[0];
      return row
        ? { commit: BigInt(row.commit_text), prepare: BigInt(row.prepare_text), seq: Number(row.seq) }
        : START_KEY;
    } catch (error) {
      if (isMissingTable(error)) return START_KEY;
      throw error;
    }
  }

  private async horizonOf(connection: Queryable): Promise<MessageKey> {
    try {
      const [rows] = await connection.query(
        `SELECT CAST(pos_commit AS CHAR) AS commit_text, CAST(pos_prepare AS CHAR) AS prepare_text, seq
         FROM ${this.table(liveTables.horizon)} WHERE id = 1`,
      );
      const row = (rows as MessageRow[])[0];
      return row
        ? { commit: BigInt(row.commit_text), prepare: BigInt(row.prepare_text), seq: Number(row.seq) }
        : START_KEY;
    } catch (error) {
      // Tables of a version before retention: nothing was ever pruned.
      if (isMissingTable(error)) return START_KEY;
      throw error;
    }
  }

  private async messages(
    connection: Queryable,
    where: string,
    params: unknown[],
    limit: number,
  ): Promise<KeyedMessage[]> {
    try {
      const [rows] = await connection.query(
        `SELECT ${MESSAGE_COLUMNS} FROM ${this.table(liveTables.messages)} WHERE ${where}
         ORDER BY pos_commit, pos_prepare, seq LIMIT ${Math.max(1, Math.floor(limit))}`,
        params,
      );
      return (rows as MessageRow[]).map(keyed);
    } catch (error) {
      if (isMissingTable(error)) return [];
      throw error;
    }
  }

  /**
   * Reads rows and the live checkpoint in one consistent-snapshot transaction: the rows are exactly
   * what the events up to that position made, and every message after it is in the log.
   */
  private atCheckpoint<T>(read: (connection: PoolConnection) => Promise<T>, empty: T): Promise<LiveSnapshot<T>> {
    return this.inSnapshot(async (connection) => {
      const [checkpoints] = await connection.query(
        `SELECT position FROM ${this.table('projection_checkpoints')} WHERE name = ? AND slot = 'live'`,
        [LIVE_DASHBOARDS_PROJECTION_NAME],
      );
      const position = String((checkpoints as Array<{ position: string }>)[0]?.position ?? 'start');
      const key = keyAfterPositionText(position);
      if (!key) throw new Error(`${LIVE_DASHBOARDS_PROJECTION_NAME} has an unreadable checkpoint ${position}`);
      let rows: T;
      try {
        rows = await read(connection);
      } catch (error) {
        if (!isMissingTable(error)) throw error;
        rows = empty;
      }
      return { position, key, rows };
    });
  }

  /** Runs the reads in one read-only, consistent-snapshot transaction. */
  private async inSnapshot<T>(read: (connection: PoolConnection) => Promise<T>): Promise<T> {
    const connection = await this.pool.getConnection();
    try {
      await connection.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      try {
        return await read(connection);
      } finally {
        await connection.query('COMMIT');
      }
    } finally {
      connection.release();
    }
  }
}

function parseRows<T>(rows: unknown): T[] {
  return (rows as Array<{ row_json: string }>).map((row) => JSON.parse(row.row_json) as T);
}
