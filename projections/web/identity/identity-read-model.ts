import type { Pool, PoolConnection } from 'mysql2/promise';
import { assertValidDatabaseName, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import type { Page, PageOptions } from '@tracershop/projections/record';
import {
  decodeCursor,
  encodeCursor,
  InvalidReadQueryError,
  requirePageSize,
  type Condition,
  type SortKey,
  type SortValue,
} from '@tracershop/projections/record/catalog/keyset-paging';
import type { IdentityRole } from './identity-events';
import { identityTables, type IdentityTable } from './identity-tables';

// What the API and the auth guards read. Instants are ISO strings (UTC), dates `YYYY-MM-DD`.

export interface RoleView {
  role: IdentityRole;
  customerIds: string[];
  locationIds: string[];
}

/** A release right the user holds now (not revoked); the reader compares `expiresOn` with today. */
export interface ReleaseRightView {
  tracerId: string;
  /** `YYYY-MM-DD`; null: no end. */
  expiresOn: string | null;
}

/** How the person's identity was checked when they were registered (Part 11 §11.100). */
export interface IdentityVerificationView {
  /** From the controlled list in libs/domain/identity/identity-verification.ts. */
  method: string;
  reference: string;
  /** Actor id of whoever registered and verified the person. */
  verifiedBy: string;
  /** When the person was registered. */
  verifiedAt: string;
}

/** A password someone chose for the user, waiting for a second person to confirm it; the hash is never shown. */
export interface PendingPasswordResetView {
  requestId: string;
  requestedBy: string;
  requestedAt: string;
  /** The reader compares it with now: past it, the request can no longer be confirmed. */
  expiresAt: string;
  reason: string | null;
}

/** A user as login, guards and signatures need it: with the password hash. Never hand it to a client. */
export interface UserCredentialsView {
  id: string;
  username: string;
  printedName: string;
  emails: string[];
  active: boolean;
  /** Null until a password was set. */
  passwordHash: string | null;
  mustChangePassword: boolean;
  /** Who chose the password in force: the user, or whoever requested the reset; null until one is set. */
  passwordSetBy: string | null;
  /** The second person who confirmed the reset that set it; null for the user's own. */
  passwordConfirmedBy: string | null;
  pendingPasswordReset: PendingPasswordResetView | null;
  /** Null for users registered before it was recorded. */
  identityVerification: IdentityVerificationView | null;
  /** The latest lockout's end; the reader compares it with now. */
  lockedUntil: string | null;
  /** As the latest failed login counted them. */
  failedLoginsInWindow: number;
  deactivatedAt: string | null;
  /** Stream revision of the user's latest event. */
  revision: string;
  roles: RoleView[];
  releaseRights: ReleaseRightView[];
}

/** A login session's row; the reader checks `expiresAt`, the idle timeout and `endedAt`. */
export interface LoginSessionView {
  id: string;
  userId: string;
  startedAt: string;
  expiresAt: string;
  idleTimeoutSeconds: number;
  /** Null while open. */
  endedAt: string | null;
}

/** An API token with its client, as a bearer-token guard needs it. */
export interface ApiTokenView {
  tokenId: string;
  tokenName: string;
  clientId: string;
  clientName: string;
  clientActive: boolean;
  customerIds: string[];
  /** What the client's tokens may do; null: registered before scopes, every scope. */
  scopes: string[] | null;
  /** Null while valid. */
  revokedAt: string | null;
}

interface AggregateHistory {
  createdAt: string;
  updatedAt: string;
  revision: string;
}

/** A user in a list: no secrets. */
/** A person with access to a customer through a customer-scoped role. */
export interface CustomerAccessView {
  userId: string;
  username: string;
  printedName: string;
  role: 'shop' | 'shop-admin';
}

export interface UserSummaryView extends AggregateHistory {
  id: string;
  username: string;
  printedName: string;
  emails: string[];
  active: boolean;
  /** Whether a password was ever set; the hash itself is never listed. */
  hasPassword: boolean;
  mustChangePassword: boolean;
  /** A reset waiting for a second person, so an administrator sees what awaits their confirmation. */
  pendingPasswordReset: PendingPasswordResetView | null;
  lockedUntil: string | null;
  lastLoginFailureAt: string | null;
  deactivatedAt: string | null;
  roles: RoleView[];
}

export type ServiceEndpointStatus = 'active' | 'archived';

export interface ServiceEndpointView extends AggregateHistory {
  id: string;
  name: string;
  host: string;
  port: number;
  protocol: string;
  status: ServiceEndpointStatus;
  archivedAt: string | null;
}

/** A token in a list: no hash. */
export interface ApiTokenSummaryView {
  tokenId: string;
  name: string;
  issuedAt: string;
  revokedAt: string | null;
}

export interface ApiClientView extends AggregateHistory {
  id: string;
  name: string;
  active: boolean;
  customerIds: string[];
  /** What its tokens may do; null: registered before scopes, every scope. */
  scopes: string[] | null;
  deactivatedAt: string | null;
  /** Every token issued, revoked ones too, in issue order. */
  tokens: ApiTokenSummaryView[];
}

export interface LoginFailureView {
  userId: string;
  /** Revision of the LoginFailed event in the user's stream. */
  revision: string;
  at: string;
  reason: string;
  remoteAddress: string | null;
  failuresInWindow: number;
}

export interface SignatureFailureView {
  userId: string;
  revision: string;
  at: string;
  meaning: string;
  reason: string;
}

export type ActiveFilter = 'active' | 'deactivated' | 'all';

export interface UserListOptions extends PageOptions {
  /** Default `active`. */
  status?: ActiveFilter;
}

export interface ApiClientListOptions extends PageOptions {
  /** Default `active`. */
  status?: ActiveFilter;
}

export interface ServiceEndpointListOptions extends PageOptions {
  /** Default `active`. */
  status?: ServiceEndpointStatus | 'all';
}

// Rows → views. Times and dates are formatted in SQL, so the pool's date and time-zone options never matter.

type Row = Record<string, unknown>;

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
const flag = (value: unknown) => Boolean(Number(value));
/** MariaDB's JSON is LONGTEXT and arrives as text; MySQL 8's arrives parsed. */
const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : (value ?? null));
const ids = (value: unknown) => (json(value) ?? []) as string[];
/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) → `YYYY-MM-DDTHH:MM:SS.fffZ`. */
const instant = (value: unknown) => `${String(value).slice(0, 10)}T${String(value).slice(11, 23)}Z`;
const optionalInstant = (value: unknown) => (value === null || value === undefined ? null : instant(value));

const INSTANT_FORMAT = `'%Y-%m-%d %H:%i:%s.%f'`;
const at = (column: string, alias: string) => `DATE_FORMAT(${column}, ${INSTANT_FORMAT}) AS ${alias}`;
const HISTORY_SELECT = `${at('created_at', 'createdAt')}, ${at('updated_at', 'updatedAt')},
  CAST(revision AS CHAR) AS revision`;

function historyOf(row: Row): AggregateHistory {
  return { createdAt: instant(row.createdAt), updatedAt: instant(row.updatedAt), revision: String(row.revision) };
}

function roleOf(row: Row): RoleView {
  return { role: row.role as IdentityRole, customerIds: ids(row.customerIds), locationIds: ids(row.locationIds) };
}

/** One list: its table, columns, order and row mapping. */
interface ListDefinition<V> {
  name: string;
  table: IdentityTable;
  select: string;
  sortKeys: readonly SortKey<V>[];
  /** Default ascending. */
  descending?: boolean;
  toView(row: Row): V;
}

const PENDING_PASSWORD_RESET_SELECT = `password_reset_request_id AS resetRequestId,
  password_reset_requested_by AS resetRequestedBy, ${at('password_reset_requested_at', 'resetRequestedAt')},
  ${at('password_reset_expires_at', 'resetExpiresAt')}, password_reset_reason AS resetReason`;

function pendingPasswordResetOf(row: Row): PendingPasswordResetView | null {
  if (row.resetRequestId === null || row.resetRequestId === undefined) return null;
  return {
    requestId: String(row.resetRequestId),
    requestedBy: String(row.resetRequestedBy),
    requestedAt: instant(row.resetRequestedAt),
    expiresAt: instant(row.resetExpiresAt),
    reason: text(row.resetReason),
  };
}

function identityVerificationOf(row: Row): IdentityVerificationView | null {
  if (row.verificationMethod === null || row.verificationMethod === undefined) return null;
  return {
    method: String(row.verificationMethod),
    reference: String(row.verificationReference),
    verifiedBy: String(row.verifiedBy),
    verifiedAt: instant(row.createdAt),
  };
}

const USER_SUMMARY_SELECT = `id, username, printed_name AS printedName, emails, active,
  password_hash IS NOT NULL AS hasPassword, must_change_password AS mustChangePassword,
  ${PENDING_PASSWORD_RESET_SELECT},
  ${at('locked_until', 'lockedUntil')}, ${at('last_login_failure_at', 'lastLoginFailureAt')},
  ${at('deactivated_at', 'deactivatedAt')}, ${HISTORY_SELECT}`;

const userList: ListDefinition<UserSummaryView> = {
  name: 'users',
  table: identityTables.users,
  select: USER_SUMMARY_SELECT,
  sortKeys: [
    { column: 'username', type: 'string', valueOf: (user) => user.username },
    { column: 'id', type: 'string', valueOf: (user) => user.id },
  ],
  toView: (row) => ({
    id: String(row.id),
    username: String(row.username),
    printedName: String(row.printedName),
    emails: ids(row.emails),
    active: flag(row.active),
    hasPassword: flag(row.hasPassword),
    mustChangePassword: flag(row.mustChangePassword),
    pendingPasswordReset: pendingPasswordResetOf(row),
    lockedUntil: optionalInstant(row.lockedUntil),
    lastLoginFailureAt: optionalInstant(row.lastLoginFailureAt),
    deactivatedAt: optionalInstant(row.deactivatedAt),
    roles: [],
    ...historyOf(row),
  }),
};

const serviceEndpointList: ListDefinition<ServiceEndpointView> = {
  name: 'serviceEndpoints',
  table: identityTables.serviceEndpoints,
  select: `id, name, host, port, protocol, status, ${at('archived_at', 'archivedAt')}, ${HISTORY_SELECT}`,
  sortKeys: [
    { column: 'name', type: 'string', valueOf: (endpoint) => endpoint.name },
    { column: 'id', type: 'string', valueOf: (endpoint) => endpoint.id },
  ],
  toView: (row) => ({
    id: String(row.id),
    name: String(row.name),
    host: String(row.host),
    port: Number(row.port),
    protocol: String(row.protocol),
    status: row.status as ServiceEndpointStatus,
    archivedAt: optionalInstant(row.archivedAt),
    ...historyOf(row),
  }),
};

/** A client's scopes as stored; null: registered before scopes (every scope). */
const scopesOf = (value: unknown): string[] | null => (value === null || value === undefined ? null : ids(value));

const apiClientList: ListDefinition<ApiClientView> = {
  name: 'apiClients',
  table: identityTables.apiClients,
  select: `id, name, active, customer_ids AS customerIds, scopes, ${at('deactivated_at', 'deactivatedAt')}, ${HISTORY_SELECT}`,
  sortKeys: [
    { column: 'name', type: 'string', valueOf: (client) => client.name },
    { column: 'id', type: 'string', valueOf: (client) => client.id },
  ],
  toView: (row) => ({
    id: String(row.id),
    name: String(row.name),
    active: flag(row.active),
    customerIds: ids(row.customerIds),
    scopes: scopesOf(row.scopes),
    deactivatedAt: optionalInstant(row.deactivatedAt),
    tokens: [],
    ...historyOf(row),
  }),
};

/** A user's failures, newest first; the stream revision orders them. */
const loginFailureList: ListDefinition<LoginFailureView> = {
  name: 'loginFailures',
  table: identityTables.loginFailures,
  select: `user_id AS userId, CAST(revision AS CHAR) AS revision, ${at('at', 'at')}, reason,
    remote_address AS remoteAddress, failures_in_window AS failuresInWindow`,
  sortKeys: [{ column: 'revision', type: 'number', valueOf: (failure) => Number(failure.revision) }],
  descending: true,
  toView: (row) => ({
    userId: String(row.userId),
    revision: String(row.revision),
    at: instant(row.at),
    reason: String(row.reason),
    remoteAddress: text(row.remoteAddress),
    failuresInWindow: Number(row.failuresInWindow),
  }),
};

const signatureFailureList: ListDefinition<SignatureFailureView> = {
  name: 'signatureFailures',
  table: identityTables.signatureFailures,
  select: `user_id AS userId, CAST(revision AS CHAR) AS revision, ${at('at', 'at')}, meaning, reason`,
  sortKeys: [{ column: 'revision', type: 'number', valueOf: (failure) => Number(failure.revision) }],
  descending: true,
  toView: (row) => ({
    userId: String(row.userId),
    revision: String(row.revision),
    at: instant(row.at),
    meaning: String(row.meaning),
    reason: String(row.reason),
  }),
};

/**
 * Rows strictly beyond `values` in the order of `keys` (after them ascending, before them
 * descending): `k1 >= ? AND (k1 > ? OR (k1 = ? AND …))`, the leading term for an index range scan.
 */
function beyondKey<V>(keys: readonly SortKey<V>[], values: readonly SortValue[], descending: boolean): Condition {
  const beyond = descending ? '<' : '>';
  const chain = (index: number): Condition => {
    const { column } = keys[index];
    if (index === keys.length - 1) return { sql: `${column} ${beyond} ?`, params: [values[index]] };
    const rest = chain(index + 1);
    return {
      sql: `(${column} ${beyond} ? OR (${column} = ? AND ${rest.sql}))`,
      params: [values[index], values[index], ...rest.params],
    };
  };
  const ordered = chain(0);
  return { sql: `${keys[0].column} ${beyond}= ? AND ${ordered.sql}`, params: [values[0], ...ordered.params] };
}

// Filter validation: a bad filter is the client's mistake (400), never an empty page.

function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    throw new InvalidReadQueryError(`${field} must be one of ${allowed.join(', ')}`, { field, value });
  }
  return value as T;
}

function activeCondition(value: unknown): Condition | null {
  const status = requireOneOf(value ?? 'active', ['active', 'deactivated', 'all'] as const, 'status');
  return status === 'all' ? null : { sql: 'active = ?', params: [status === 'active'] };
}

function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidReadQueryError(`${field} must be an id`, { field, value });
  }
  return value;
}

/**
 * Queries over the tables `web.identity` writes. Answers are as fresh as the projection; to read a
 * command's own write, wait for its position first
 * (`ProjectionEngine.waitForPosition('web.identity', position)`). List views never carry a
 * password or token hash.
 */
export class IdentityReadModel {
  private readonly tables: Readonly<Record<IdentityTable, string>>;

  constructor(
    private readonly pool: Pool,
    database: string,
  ) {
    assertValidDatabaseName(database);
    this.tables = Object.fromEntries(
      Object.values(identityTables).map((table) => [table, `${quoteIdentifier(database)}.${quoteIdentifier(table)}`]),
    ) as Record<IdentityTable, string>;
  }

  /** Exact (byte for byte) match on the username as registered; null for none. */
  async userByUsername(username: string): Promise<UserCredentialsView | null> {
    return this.user({ sql: 'username = ?', params: [username] });
  }

  async userById(id: string): Promise<UserCredentialsView | null> {
    return this.user({ sql: 'id = ?', params: [id] });
  }

  /** The session with this token hash, open or ended; null for none. The caller checks expiry and idle time. */
  async sessionByTokenHash(tokenHash: string): Promise<LoginSessionView | null> {
    const [row] = await this.rows(
      `SELECT id, user_id AS userId, ${at('started_at', 'startedAt')}, ${at('expires_at', 'expiresAt')},
         idle_timeout_seconds AS idleTimeoutSeconds, ${at('ended_at', 'endedAt')}
       FROM ${this.tables.login_sessions} WHERE token_hash = ?`,
      [tokenHash],
    );
    if (!row) return null;
    return {
      id: String(row.id),
      userId: String(row.userId),
      startedAt: instant(row.startedAt),
      expiresAt: instant(row.expiresAt),
      idleTimeoutSeconds: Number(row.idleTimeoutSeconds),
      endedAt: optionalInstant(row.endedAt),
    };
  }

  /** The token with this hash and its client, revoked or not; null for none. */
  async apiTokenByHash(tokenHash: string): Promise<ApiTokenView | null> {
    const [row] = await this.rows(
      `SELECT token.id AS tokenId, token.name AS tokenName, client.id AS clientId, client.name AS clientName,
         client.active AS clientActive, client.customer_ids AS customerIds, client.scopes AS scopes,
         ${at('token.revoked_at', 'revokedAt')}
       FROM ${this.tables.api_tokens} token
       JOIN ${this.tables.api_clients} client ON client.id = token.client_id
       WHERE token.token_hash = ?`,
      [tokenHash],
    );
    if (!row) return null;
    return {
      tokenId: String(row.tokenId),
      tokenName: String(row.tokenName),
      clientId: String(row.clientId),
      clientName: String(row.clientName),
      clientActive: flag(row.clientActive),
      customerIds: ids(row.customerIds),
      scopes: scopesOf(row.scopes),
      revokedAt: optionalInstant(row.revokedAt),
    };
  }

  /**
   * The waiting password resets that ran out before `at` (an ISO instant), by user: what the worker
   * records as expired. At most `limit`, oldest expiry first.
   */
  async expiredPasswordResets(at: string, limit = 100): Promise<Array<{ userId: string; requestId: string }>> {
    const [rows] = await this.pool.query(
      `SELECT id AS userId, password_reset_request_id AS requestId FROM ${this.tables.users}
        WHERE password_reset_request_id IS NOT NULL AND password_reset_expires_at <= ?
        ORDER BY password_reset_expires_at, id LIMIT ?`,
      [at.slice(0, 23).replace('T', ' '), limit],
    );
    return (rows as Array<Record<string, unknown>>).map((row) => ({
      userId: String(row.userId),
      requestId: String(row.requestId),
    }));
  }

  /** Users by username, each with its roles. */
  async listUsers(options: UserListOptions): Promise<Page<UserSummaryView>> {
    return this.snapshot(async (connection) => {
      const page = await this.page(connection, userList, options, [activeCondition(options.status)]);
      const roles = await this.rolesOf(
        connection,
        page.items.map((user) => user.id),
      );
      for (const user of page.items) user.roles = roles.get(user.id) ?? [];
      return page;
    });
  }

  /** The active people whose shop or shop-admin role covers the customer, by username. */
  async customerAccess(customerId: string): Promise<CustomerAccessView[]> {
    const rows = await this.rows(
      `SELECT u.id AS userId, u.username, u.printed_name AS printedName, CAST(r.role AS CHAR) AS role
         FROM ${this.tables.user_roles} r JOIN ${this.tables.users} u ON u.id = r.user_id
        WHERE r.role IN ('shop', 'shop-admin') AND JSON_CONTAINS(r.customer_ids, JSON_QUOTE(?)) AND u.active
        ORDER BY u.username, role`,
      [customerId],
    );
    return rows.map((row) => ({
      userId: String(row.userId),
      username: String(row.username),
      printedName: String(row.printedName),
      role: String(row.role) as CustomerAccessView['role'],
    }));
  }

  async listServiceEndpoints(options: ServiceEndpointListOptions): Promise<Page<ServiceEndpointView>> {
    const status = requireOneOf(options.status ?? 'active', ['active', 'archived', 'all'] as const, 'status');
    return this.page(this.pool, serviceEndpointList, options, [
      status === 'all' ? null : { sql: 'status = ?', params: [status] },
    ]);
  }

  /** Active or archived; null for none. */
  async getServiceEndpoint(id: string): Promise<ServiceEndpointView | null> {
    const [row] = await this.rows(
      `SELECT ${serviceEndpointList.select} FROM ${this.tables.service_endpoints} WHERE id = ?`,
      [id],
    );
    return row ? serviceEndpointList.toView(row) : null;
  }

  /** Clients by name, each with its tokens (no hashes). */
  async listApiClients(options: ApiClientListOptions): Promise<Page<ApiClientView>> {
    return this.snapshot(async (connection) => {
      const page = await this.page(connection, apiClientList, options, [activeCondition(options.status)]);
      await this.attachTokens(connection, page.items);
      return page;
    });
  }

  /** Active or deactivated, with its tokens (no hashes); null for none. */
  async getApiClient(id: string): Promise<ApiClientView | null> {
    return this.snapshot(async (connection) => {
      const [row] = await this.rows(
        `SELECT ${apiClientList.select} FROM ${this.tables.api_clients} WHERE id = ?`,
        [id],
        connection,
      );
      if (!row) return null;
      const client = apiClientList.toView(row);
      await this.attachTokens(connection, [client]);
      return client;
    });
  }

  /** A user's failed logins, newest first, for review. */
  async loginFailures(userId: string, options: PageOptions): Promise<Page<LoginFailureView>> {
    return this.page(this.pool, loginFailureList, options, [
      { sql: 'user_id = ?', params: [requireId(userId, 'userId')] },
    ]);
  }

  /** A user's failed signature attempts, newest first, for review. */
  async signatureFailures(userId: string, options: PageOptions): Promise<Page<SignatureFailureView>> {
    return this.page(this.pool, signatureFailureList, options, [
      { sql: 'user_id = ?', params: [requireId(userId, 'userId')] },
    ]);
  }

  /** The user row, its roles and its rights, read from one snapshot. */
  private async user(key: Condition): Promise<UserCredentialsView | null> {
    return this.snapshot(async (connection) => {
      const [row] = await this.rows(
        `SELECT id, username, printed_name AS printedName, emails, active, password_hash AS passwordHash,
           must_change_password AS mustChangePassword, password_set_by AS passwordSetBy,
           password_confirmed_by AS passwordConfirmedBy, ${PENDING_PASSWORD_RESET_SELECT},
           identity_verification_method AS verificationMethod,
           identity_verification_reference AS verificationReference, identity_verified_by AS verifiedBy,
           ${at('created_at', 'createdAt')}, ${at('locked_until', 'lockedUntil')},
           failed_logins_in_window AS failedLoginsInWindow, ${at('deactivated_at', 'deactivatedAt')},
           CAST(revision AS CHAR) AS revision
         FROM ${this.tables.users} WHERE ${key.sql}`,
        key.params,
        connection,
      );
      if (!row) return null;
      const id = String(row.id);
      const roles = await this.rolesOf(connection, [id]);
      const rights = await this.rows(
        `SELECT tracer_id AS tracerId, DATE_FORMAT(expires_on, '%Y-%m-%d') AS expiresOn
         FROM ${this.tables.release_rights} WHERE user_id = ? ORDER BY tracer_id`,
        [id],
        connection,
      );
      return {
        id,
        username: String(row.username),
        printedName: String(row.printedName),
        emails: ids(row.emails),
        active: flag(row.active),
        passwordHash: text(row.passwordHash),
        mustChangePassword: flag(row.mustChangePassword),
        passwordSetBy: text(row.passwordSetBy),
        passwordConfirmedBy: text(row.passwordConfirmedBy),
        pendingPasswordReset: pendingPasswordResetOf(row),
        identityVerification: identityVerificationOf(row),
        lockedUntil: optionalInstant(row.lockedUntil),
        failedLoginsInWindow: Number(row.failedLoginsInWindow),
        deactivatedAt: optionalInstant(row.deactivatedAt),
        revision: String(row.revision),
        roles: roles.get(id) ?? [],
        releaseRights: rights.map((right) => ({ tracerId: String(right.tracerId), expiresOn: text(right.expiresOn) })),
      };
    });
  }

  private async rolesOf(connection: PoolConnection, userIds: string[]): Promise<Map<string, RoleView[]>> {
    const roles = new Map<string, RoleView[]>();
    if (userIds.length === 0) return roles;
    const rows = await this.rows(
      `SELECT user_id AS userId, role, customer_ids AS customerIds, location_ids AS locationIds
       FROM ${this.tables.user_roles} WHERE user_id IN (${userIds.map(() => '?').join(', ')})
       ORDER BY user_id, CAST(role AS CHAR)`,
      userIds,
      connection,
    );
    for (const row of rows) {
      const userId = String(row.userId);
      roles.set(userId, [...(roles.get(userId) ?? []), roleOf(row)]);
    }
    return roles;
  }

  private async attachTokens(connection: PoolConnection, clients: ApiClientView[]): Promise<void> {
    if (clients.length === 0) return;
    const rows = await this.rows(
      `SELECT client_id AS clientId, id AS tokenId, name, ${at('issued_at', 'issuedAt')}, ${at('revoked_at', 'revokedAt')}
       FROM ${this.tables.api_tokens} WHERE client_id IN (${clients.map(() => '?').join(', ')})
       ORDER BY client_id, issued_at, id`,
      clients.map((client) => client.id),
      connection,
    );
    const byClient = new Map(clients.map((client) => [client.id, client]));
    for (const row of rows) {
      byClient.get(String(row.clientId))?.tokens.push({
        tokenId: String(row.tokenId),
        name: String(row.name),
        issuedAt: instant(row.issuedAt),
        revokedAt: optionalInstant(row.revokedAt),
      });
    }
  }

  private async page<V>(
    queryable: Pool | PoolConnection,
    list: ListDefinition<V>,
    options: PageOptions,
    filters: (Condition | null)[],
  ): Promise<Page<V>> {
    const limit = requirePageSize(options.limit);
    const descending = list.descending ?? false;
    const conditions = filters.filter((condition): condition is Condition => condition !== null);
    if (options.cursor !== undefined && options.cursor !== null) {
      conditions.push(beyondKey(list.sortKeys, decodeCursor(list.name, list.sortKeys, options.cursor), descending));
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.map((condition) => condition.sql).join(' AND ')}` : '';
    // Qualified: ORDER BY would take a select alias of the same name (`CAST(revision AS CHAR) AS revision`).
    const order = list.sortKeys.map((key) => `listed.${key.column}${descending ? ' DESC' : ''}`).join(', ');
    // One row more than asked says whether another page follows.
    const rows = await this.rows(
      `SELECT ${list.select} FROM ${this.tables[list.table]} AS listed ${where} ORDER BY ${order} LIMIT ?`,
      [...conditions.flatMap((condition) => condition.params), limit + 1],
      queryable,
    );
    const items = rows.slice(0, limit).map((row) => list.toView(row));
    const more = rows.length > limit;
    return { items, nextCursor: more ? encodeCursor(list.name, list.sortKeys, items[items.length - 1]) : null };
  }

  /** Runs reads on one connection in one consistent snapshot, so rows of one answer agree with each other. */
  private async snapshot<T>(read: (connection: PoolConnection) => Promise<T>): Promise<T> {
    const connection = await this.pool.getConnection();
    try {
      await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const result = await read(connection).catch(async (error: unknown) => {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      });
      await connection.query('COMMIT');
      return result;
    } finally {
      connection.release();
    }
  }

  private async rows(sql: string, params: unknown[], queryable: Pool | PoolConnection = this.pool): Promise<Row[]> {
    const [rows] = await queryable.query(sql, params);
    return rows as Row[];
  }
}
