import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The MySQL event store: one row per event, one row per stream (its head), and a single-row
 * counter of the last global position. Every append transaction locks the counter row before it
 * assigns positions and keeps the lock until commit, so positions are gap-free and become visible
 * in order (failure mode 1: a reader can never pass a position whose transaction is still open).
 *
 * Written to be re-runnable after a half-finished attempt: MySQL commits each DDL statement on its
 * own, so a failed run can leave some tables behind.
 */
export class CreateEventStore1795219200000 implements MigrationInterface {
  readonly name = 'CreateEventStore1795219200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Binary collations: stream ids and types are exact identifiers, never case-folded.
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS events (
        position BIGINT NOT NULL,
        stream_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        revision BIGINT NOT NULL,
        event_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        type VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        data LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        metadata LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        prev_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
        schema_version INT UNSIGNED NOT NULL,
        recorded_at DATETIME(6) NOT NULL COMMENT 'when the store wrote the row (UTC)',
        PRIMARY KEY (position),
        UNIQUE KEY uq_events_event_id (event_id),
        UNIQUE KEY uq_events_stream_revision (stream_id, revision)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
    `);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS streams (
        stream_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        current_revision BIGINT NOT NULL,
        last_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        last_position BIGINT NOT NULL,
        PRIMARY KEY (stream_id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
    `);
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS head (
        id TINYINT UNSIGNED NOT NULL,
        last_position BIGINT NOT NULL COMMENT '-1 while the store is empty',
        PRIMARY KEY (id),
        CONSTRAINT ck_head_single_row CHECK (id = 1)
      ) ENGINE=InnoDB
    `);
    await queryRunner.query('INSERT IGNORE INTO head (id, last_position) VALUES (1, -1)');
    // GMP: stored events are never rewritten or removed. The triggers stop accidents and ordinary
    // application accounts; a privileged DBA can still drop them, which the hash chain then reveals.
    for (const [trigger, action] of [
      ['events_refuse_update', 'UPDATE'],
      ['events_refuse_delete', 'DELETE'],
    ] as const) {
      await queryRunner.query(`DROP TRIGGER IF EXISTS ${trigger}`);
      await queryRunner.query(
        `CREATE TRIGGER ${trigger} BEFORE ${action} ON events FOR EACH ROW ` +
          `SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'events are append-only: ${action} is not allowed'`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TRIGGER IF EXISTS events_refuse_delete');
    await queryRunner.query('DROP TRIGGER IF EXISTS events_refuse_update');
    await queryRunner.query('DROP TABLE IF EXISTS head');
    await queryRunner.query('DROP TABLE IF EXISTS streams');
    await queryRunner.query('DROP TABLE IF EXISTS events');
  }
}
