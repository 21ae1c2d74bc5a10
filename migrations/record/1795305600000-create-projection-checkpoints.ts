import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Checkpoints of the projections that write the record database. A projection commits its
 * checkpoint in the same transaction as its writes, so the table lives beside the tables it
 * describes (DESIGN.md, "Databases"). The same table exists in the web database, created by that
 * database's own migration: each database's history stands alone.
 *
 * One row per projection and slot: `live` describes the tables that serve, `shadow` a rebuild of a
 * new version into shadow tables. `position` is a serialised `Position` on the `$all` axis
 * (`start` before the first event); `axis` keeps room for stream-revision checkpoints.
 */
export class CreateRecordProjectionCheckpoints1795305600000 implements MigrationInterface {
  readonly name = 'CreateRecordProjectionCheckpoints1795305600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Explicit charset: the record database keeps the old system's defaults (probably latin1).
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS projection_checkpoints (
        name VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        slot ENUM('live', 'shadow') NOT NULL,
        version INT UNSIGNED NOT NULL,
        axis ENUM('all', 'stream') NOT NULL DEFAULT 'all',
        position VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'last applied; start before the first event',
        status ENUM('running', 'standby', 'failed', 'rebuilding', 'stopped') NOT NULL,
        events_applied BIGINT UNSIGNED NOT NULL DEFAULT 0,
        last_batch_size INT UNSIGNED NULL,
        last_batch_at DATETIME(6) NULL COMMENT 'UTC',
        failed_position VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
        failed_event_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
        failed_event_type VARCHAR(255) NULL,
        failure_message TEXT NULL,
        failed_at DATETIME(6) NULL COMMENT 'UTC',
        active_instance VARCHAR(255) NULL COMMENT 'the process that last became the active runner',
        handover_requested_at DATETIME(6) NULL COMMENT 'UTC; a rebuild asks the live runner to release its lock',
        swap_tables TEXT NULL COMMENT 'shadow row: JSON renames of a swap under way, to finish it after a crash',
        started_at DATETIME(6) NOT NULL COMMENT 'UTC',
        updated_at DATETIME(6) NOT NULL COMMENT 'UTC',
        PRIMARY KEY (name, slot)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS projection_checkpoints');
  }
}
