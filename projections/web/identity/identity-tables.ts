import { identityRoles } from './identity-events';

/**
 * The identity read models in the web database (DESIGN.md, "Databases"): users with their roles
 * and release rights, login sessions and failures, API clients and their tokens, service
 * endpoints. Only web projections write this database, so the tables keep plain names.
 *
 * Secrets are stored as the domain hands them over: password hashes and SHA-256 hashes of session
 * and API tokens, never a token. Times are UTC `DATETIME(3)`; `*_at` columns of an event's own
 * moment take its `occurredAt` (business time).
 *
 * Collations: ids, usernames and hashes compare byte for byte (`utf8mb4_bin`), as the event store
 * compares stream names; the domain's username claim decides which names may coexist, and any two
 * it lets coexist differ in bytes, so the unique keys never reject legitimate history.
 */
export const identityTables = {
  users: 'users',
  userRoles: 'user_roles',
  releaseRights: 'release_rights',
  loginSessions: 'login_sessions',
  loginFailures: 'login_failures',
  apiClients: 'api_clients',
  apiTokens: 'api_tokens',
  serviceEndpoints: 'service_endpoints',
  signatureFailures: 'signature_failures',
} as const;

export type IdentityTable = (typeof identityTables)[keyof typeof identityTables];

export const identityColumnLengths = {
  id: 128,
  username: 128,
  name: 255,
  /** The domain refuses longer hashes (`requireHash`). */
  passwordHash: 1024,
  /** Hex SHA-256. */
  tokenHash: 64,
  remoteAddress: 255,
  host: 255,
  protocol: 32,
  meaning: 32,
  reason: 1000,
  verificationMethod: 64,
  /** The domain refuses longer references (`IDENTITY_VERIFICATION_REFERENCE_MAX`). */
  verificationReference: 255,
} as const;

const L = identityColumnLengths;
const ID = `VARCHAR(${L.id}) COLLATE utf8mb4_bin`;
const TOKEN_HASH = `CHAR(${L.tokenHash}) COLLATE utf8mb4_bin`;
const REASON = `VARCHAR(${L.reason})`;
const REMOTE_ADDRESS = `VARCHAR(${L.remoteAddress}) COLLATE utf8mb4_bin`;
/** A serialised `Position`: `<commit>` or `<commit>/<prepare>`, as in `projection_checkpoints`. */
const POSITION = 'VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin';
const ROLE = `ENUM(${identityRoles.map((role) => `'${role}'`).join(', ')})`;
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** Where an aggregate's row stands in its stream: every event of the stream moves them. */
const HISTORY_COLUMNS = `
  created_at DATETIME(3) NOT NULL COMMENT 'UTC; occurredAt of the registering event',
  updated_at DATETIME(3) NOT NULL COMMENT 'UTC; occurredAt of the latest event of the stream',
  revision BIGINT UNSIGNED NOT NULL COMMENT 'stream revision of the latest event: the expected revision of the next command',
  updated_position ${POSITION} NOT NULL COMMENT 'global position of the latest event of the stream'`;

/** Logical table name → DDL of the quoted physical name (live or shadow), as the engine wants it. */
export const identityTableDefinitions: Readonly<Record<IdentityTable, (table: string) => string>> = {
  users: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      username VARCHAR(${L.username}) COLLATE utf8mb4_bin NOT NULL,
      printed_name VARCHAR(${L.name}) NOT NULL COMMENT 'the name signatures show',
      emails JSON NOT NULL COMMENT 'array of addresses',
      active BOOLEAN NOT NULL COMMENT 'false once deactivated',
      password_hash VARCHAR(${L.passwordHash}) COLLATE utf8mb4_bin NULL COMMENT 'the domain''s hash; null until set',
      password_set_at DATETIME(3) NULL,
      password_set_by ${ID} NULL COMMENT 'user id that chose it (the user, or whoever requested the reset)',
      password_confirmed_by ${ID} NULL COMMENT 'the second person who confirmed the reset that set it; null for one''s own',
      must_change_password BOOLEAN NOT NULL,
      password_reset_request_id ${ID} NULL COMMENT 'a reset waiting for a second person; null for none',
      password_reset_requested_by ${ID} NULL,
      password_reset_requested_at DATETIME(3) NULL,
      password_reset_expires_at DATETIME(3) NULL COMMENT 'UTC; the reader compares it with now',
      password_reset_reason ${REASON} NULL COMMENT 'the request''s reason, from its envelope',
      identity_verification_method VARCHAR(${L.verificationMethod}) NULL COMMENT 'how the identity was verified at registration; null: registered before it was recorded',
      identity_verification_reference VARCHAR(${L.verificationReference}) NULL,
      identity_verified_by ${ID} NULL COMMENT 'actor id that verified it',
      locked_until DATETIME(3) NULL COMMENT 'UTC; of the latest lockout, the reader compares it with now',
      failed_logins_in_window INT UNSIGNED NOT NULL COMMENT 'as the latest LoginFailed counted them',
      last_login_failure_at DATETIME(3) NULL,
      deactivated_at DATETIME(3) NULL,${HISTORY_COLUMNS},
      PRIMARY KEY (id),
      UNIQUE KEY user_username (username),
      KEY user_active (active, username)
    ) ${TABLE_OPTIONS}`,

  user_roles: (table) => `
    CREATE TABLE ${table} (
      user_id ${ID} NOT NULL,
      role ${ROLE} NOT NULL,
      customer_ids JSON NOT NULL COMMENT 'scope: array of customer ids',
      location_ids JSON NOT NULL COMMENT 'scope: array of location ids',
      granted_at DATETIME(3) NOT NULL COMMENT 'UTC; of the latest grant, which replaced the scope',
      granted_by ${ID} NOT NULL COMMENT 'actor id of the latest grant',
      PRIMARY KEY (user_id, role)
    ) ${TABLE_OPTIONS}`,

  release_rights: (table) => `
    CREATE TABLE ${table} (
      user_id ${ID} NOT NULL,
      tracer_id ${ID} NOT NULL,
      expires_on DATE NULL COMMENT 'null: no end; the reader compares it with today',
      granted_by ${ID} NOT NULL,
      granted_at DATETIME(3) NOT NULL COMMENT 'UTC; of the latest grant, which replaced the right',
      PRIMARY KEY (user_id, tracer_id),
      KEY release_right_tracer (tracer_id, user_id)
    ) ${TABLE_OPTIONS} COMMENT 'current rights only: a revoke deletes the row'`,

  login_sessions: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      user_id ${ID} NOT NULL,
      token_hash ${TOKEN_HASH} NOT NULL COMMENT 'hash of the session token',
      started_at DATETIME(3) NOT NULL,
      expires_at DATETIME(3) NOT NULL COMMENT 'UTC; absolute end, the reader compares it with now',
      idle_timeout_seconds INT UNSIGNED NOT NULL,
      remote_address ${REMOTE_ADDRESS} NULL,
      ended_at DATETIME(3) NULL COMMENT 'null while open',
      end_reason ${REASON} NULL,
      PRIMARY KEY (user_id, id),
      UNIQUE KEY login_session_token_hash (token_hash),
      KEY login_session_open (user_id, ended_at)
    ) ${TABLE_OPTIONS}`,

  login_failures: (table) => `
    CREATE TABLE ${table} (
      user_id ${ID} NOT NULL,
      revision BIGINT UNSIGNED NOT NULL COMMENT 'of the LoginFailed event in the user stream: orders a user''s failures',
      at DATETIME(3) NOT NULL,
      reason ${REASON} NOT NULL,
      remote_address ${REMOTE_ADDRESS} NULL,
      failures_in_window INT UNSIGNED NOT NULL,
      PRIMARY KEY (user_id, revision),
      KEY login_failure_at (at)
    ) ${TABLE_OPTIONS}`,

  api_clients: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      name VARCHAR(${L.name}) NOT NULL,
      active BOOLEAN NOT NULL COMMENT 'false once deactivated',
      customer_ids JSON NOT NULL COMMENT 'array of the customer ids it acts for',
      scopes JSON NULL COMMENT 'array of what its tokens may do; null: registered before scopes, every scope',
      deactivated_at DATETIME(3) NULL,${HISTORY_COLUMNS},
      PRIMARY KEY (id),
      KEY api_client_name (name, id)
    ) ${TABLE_OPTIONS}`,

  api_tokens: (table) => `
    CREATE TABLE ${table} (
      client_id ${ID} NOT NULL,
      id ${ID} NOT NULL,
      name VARCHAR(${L.name}) NOT NULL,
      token_hash ${TOKEN_HASH} NOT NULL COMMENT 'hash of the token, never the token',
      issued_at DATETIME(3) NOT NULL,
      revoked_at DATETIME(3) NULL COMMENT 'null while valid',
      PRIMARY KEY (client_id, id),
      UNIQUE KEY api_token_hash (token_hash)
    ) ${TABLE_OPTIONS}`,

  // Not unique by name: the identity domain claims usernames only, so two endpoints may share a name
  // (a replacement registered before the old one is archived), and a unique key would stop the projection.
  service_endpoints: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      name VARCHAR(${L.name}) COLLATE utf8mb4_bin NOT NULL,
      host VARCHAR(${L.host}) NOT NULL,
      port SMALLINT UNSIGNED NOT NULL,
      protocol VARCHAR(${L.protocol}) NOT NULL,
      status ENUM('active', 'archived') NOT NULL,
      archived_at DATETIME(3) NULL,${HISTORY_COLUMNS},
      PRIMARY KEY (id),
      KEY service_endpoint_name (name, id),
      KEY service_endpoint_status (status, name, id)
    ) ${TABLE_OPTIONS}`,

  signature_failures: (table) => `
    CREATE TABLE ${table} (
      user_id ${ID} NOT NULL,
      revision BIGINT UNSIGNED NOT NULL COMMENT 'of the SignatureAttemptFailed event in the user stream',
      at DATETIME(3) NOT NULL,
      meaning VARCHAR(${L.meaning}) NOT NULL,
      reason ${REASON} NOT NULL,
      PRIMARY KEY (user_id, revision),
      KEY signature_failure_at (at)
    ) ${TABLE_OPTIONS}`,
};
