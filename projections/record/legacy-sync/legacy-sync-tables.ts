import { maxLength } from '@tracershop/domain/catalog';

/** The reconciliation of the old system's captured changes, in the record database beside `legacy_capture`. */
export const legacySyncTables = {
  reconciliations: 'legacy_sync_reconciliations',
} as const;

export type LegacySyncTable = (typeof legacySyncTables)[keyof typeof legacySyncTables];

const ASCII = 'CHARACTER SET ascii COLLATE ascii_bin';

/** Logical table name → DDL of the quoted physical name (live or shadow), as the engine wants it. */
export const legacySyncTableDefinitions: Readonly<Record<LegacySyncTable, (table: string) => string>> = {
  legacy_sync_reconciliations: (table) => `
    CREATE TABLE ${table} (
      capture_id BIGINT UNSIGNED NOT NULL COMMENT 'legacy_capture.id',
      captured_at DATETIME(6) NOT NULL COMMENT 'UTC; legacy_capture.captured_at',
      table_name VARCHAR(64) ${ASCII} NOT NULL,
      row_key VARCHAR(64) ${ASCII} NOT NULL,
      outcome ENUM('rejected', 'unsupported') NOT NULL COMMENT 'what the sync had made of the change',
      reason VARCHAR(${maxLength.reason}) NOT NULL,
      reconciled_by_id VARCHAR(255) COLLATE utf8mb4_bin NOT NULL,
      reconciled_by_name VARCHAR(256) NOT NULL,
      reconciled_at DATETIME(3) NOT NULL COMMENT 'UTC',
      position VARCHAR(64) ${ASCII} NOT NULL COMMENT 'global position of the event',
      PRIMARY KEY (capture_id, captured_at)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
};
