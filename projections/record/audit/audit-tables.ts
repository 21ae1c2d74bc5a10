import { maxLength } from '@tracershop/domain/catalog';

/**
 * The audit context's read-model tables in the record database: the reviews of records' audit
 * trails, the failed attempts to sign a record, by record, what the record shows went wrong (an
 * incident to raise), and the incidents raised. Stream names compare byte for byte
 * (`utf8mb4_bin`), as the event store compares them.
 */
export const auditTables = {
  reviews: 'audit_trail_reviews',
  signatureFailures: 'audit_signature_failures',
  incidentSignals: 'audit_incident_signals',
  incidents: 'audit_incidents',
} as const;

export type AuditTable = (typeof auditTables)[keyof typeof auditTables];

const ID = `VARCHAR(${maxLength.id}) COLLATE utf8mb4_bin`;
const STREAM = 'VARCHAR(400) COLLATE utf8mb4_bin';
const POSITION = 'VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin';
const HASH = 'CHAR(64) CHARACTER SET ascii COLLATE ascii_bin';
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** Logical table name → DDL of the quoted physical name (live or shadow), as the engine wants it. */
export const auditTableDefinitions: Readonly<Record<AuditTable, (table: string) => string>> = {
  audit_trail_reviews: (table) => `
    CREATE TABLE ${table} (
      review_id ${ID} NOT NULL,
      record_stream_id ${STREAM} NOT NULL COMMENT 'the reviewed record',
      from_revision BIGINT UNSIGNED NOT NULL,
      through_revision BIGINT UNSIGNED NOT NULL,
      through_hash ${HASH} NOT NULL COMMENT 'hash of the record event at through_revision',
      reviewer_id ${ID} NOT NULL,
      reviewer_name VARCHAR(200) NOT NULL COMMENT 'printed name at the review',
      conclusion ENUM('acceptable', 'not-acceptable') NOT NULL,
      findings TEXT NULL,
      exception_count INT UNSIGNED NOT NULL,
      exceptions JSON NOT NULL COMMENT 'the exceptions the reviewer was shown',
      signature JSON NULL COMMENT 'signer, printed name, meaning, signedAt, recordHash',
      reviewed_at DATETIME(3) NOT NULL COMMENT 'UTC',
      stream_id ${STREAM} NOT NULL COMMENT 'the review''s own stream',
      revision BIGINT UNSIGNED NOT NULL COMMENT 'the review''s revision in its stream',
      position ${POSITION} NOT NULL,
      PRIMARY KEY (review_id),
      KEY review_record (record_stream_id, through_revision),
      KEY review_time (reviewed_at, review_id)
    ) ${TABLE_OPTIONS}`,

  audit_signature_failures: (table) => `
    CREATE TABLE ${table} (
      event_id ${ID} NOT NULL,
      record_stream_id ${STREAM} NOT NULL COMMENT 'the record that was to be signed',
      user_id ${ID} NOT NULL,
      meaning VARCHAR(16) NOT NULL,
      reason VARCHAR(32) NOT NULL,
      failed_at DATETIME(3) NOT NULL COMMENT 'UTC',
      position ${POSITION} NOT NULL,
      PRIMARY KEY (event_id),
      KEY failure_record (record_stream_id, failed_at)
    ) ${TABLE_OPTIONS}`,

  audit_incident_signals: (table) => `
    CREATE TABLE ${table} (
      incident_id ${ID} NOT NULL COMMENT 'the incident the cause raises (incidentIds)',
      kind VARCHAR(32) NOT NULL,
      summary VARCHAR(500) NOT NULL,
      details JSON NOT NULL,
      detected_at DATETIME(3) NOT NULL COMMENT 'UTC; when the causing event was recorded',
      position ${POSITION} NOT NULL COMMENT 'the causing event',
      PRIMARY KEY (incident_id),
      KEY signal_time (detected_at, incident_id)
    ) ${TABLE_OPTIONS}`,

  audit_incidents: (table) => `
    CREATE TABLE ${table} (
      incident_id ${ID} NOT NULL,
      kind VARCHAR(32) NOT NULL,
      summary VARCHAR(500) NOT NULL,
      details JSON NOT NULL,
      status ENUM('open', 'closed') NOT NULL,
      raised_at DATETIME(3) NOT NULL COMMENT 'UTC',
      raised_by VARCHAR(200) NOT NULL COMMENT 'printed name of the raising actor',
      closed_at DATETIME(3) NULL COMMENT 'UTC',
      closed_by_id ${ID} NULL,
      closed_by VARCHAR(200) NULL COMMENT 'printed name at closing',
      root_cause TEXT NULL,
      corrective_action TEXT NULL,
      revision BIGINT UNSIGNED NOT NULL COMMENT 'the incident stream''s latest revision',
      position ${POSITION} NOT NULL COMMENT 'the latest event',
      PRIMARY KEY (incident_id),
      KEY incident_status (status, raised_at, incident_id),
      KEY incident_time (raised_at, incident_id)
    ) ${TABLE_OPTIONS}`,
};
