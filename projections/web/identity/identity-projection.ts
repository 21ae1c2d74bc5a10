import type { RecordedEvent } from '@tracershop/event-store';
import type { Projection, ProjectionTransaction } from '@tracershop/projections/engine';
import {
  identityEventSchemaVersions,
  identityRoles,
  identityWebEventTypes,
  type IdentityRole,
  type IdentityWebEvent,
  type IdentityWebEventType,
  type ServiceEndpointDetails,
} from './identity-events';
import { identityTableDefinitions, identityTables, type IdentityTable } from './identity-tables';

export const IDENTITY_PROJECTION_NAME = 'web.identity';

/** What every write needs to know about the event being applied. */
interface AppliedEvent {
  tx: ProjectionTransaction;
  type: IdentityWebEventType;
  position: string;
  revision: string;
  /** `occurredAt` (business time) as a UTC DATETIME literal. */
  at: string;
  /** `metadata.actor.id`: who granted a role; the server always sets it. */
  actorId: string | undefined;
  /** `metadata.reason`: why, where the command takes one. */
  reason: string | undefined;
}

type SqlValues = Record<string, unknown>;

// Writes. Column names come from this file only; every value is a parameter.

const quoted = (name: string) => `\`${name}\``;
const assignments = (values: SqlValues, separator: string) =>
  Object.keys(values)
    .map((name) => `${quoted(name)} = ?`)
    .join(separator);

async function insert(applied: AppliedEvent, table: IdentityTable, values: SqlValues): Promise<void> {
  await applied.tx.query(
    `INSERT INTO ${applied.tx.table(table)} (${Object.keys(values).map(quoted).join(', ')})
     VALUES (${Object.keys(values)
       .map(() => '?')
       .join(', ')})`,
    Object.values(values),
  );
}

/** Inserts the row, or replaces every non-key column of the row with the same key (a re-grant). */
async function upsert(applied: AppliedEvent, table: IdentityTable, key: SqlValues, values: SqlValues): Promise<void> {
  const row = { ...key, ...values };
  await applied.tx.query(
    `INSERT INTO ${applied.tx.table(table)} (${Object.keys(row).map(quoted).join(', ')})
     VALUES (${Object.keys(row)
       .map(() => '?')
       .join(', ')})
     ON DUPLICATE KEY UPDATE ${assignments(values, ', ')}`,
    [...Object.values(row), ...Object.values(values)],
  );
}

/** Changes an existing row; like `evolve` on an absent aggregate, an unknown key changes nothing. */
async function update(applied: AppliedEvent, table: IdentityTable, key: SqlValues, values: SqlValues): Promise<void> {
  if (Object.keys(values).length === 0) return;
  await applied.tx.query(
    `UPDATE ${applied.tx.table(table)} SET ${assignments(values, ', ')} WHERE ${assignments(key, ' AND ')}`,
    [...Object.values(values), ...Object.values(key)],
  );
}

async function remove(applied: AppliedEvent, table: IdentityTable, key: SqlValues): Promise<void> {
  await applied.tx.query(`DELETE FROM ${applied.tx.table(table)} WHERE ${assignments(key, ' AND ')}`, [
    ...Object.values(key),
  ]);
}

/** Every event of an aggregate's stream moves its row's history, so `revision` is the stream's. */
const history = (applied: AppliedEvent) => ({
  updated_at: applied.at,
  revision: applied.revision,
  updated_position: applied.position,
});

const registered = (applied: AppliedEvent) => ({ created_at: applied.at, ...history(applied) });

/** The user row's columns set by the event, plus its history. */
const updateUser = (applied: AppliedEvent, userId: string, values: SqlValues = {}) =>
  update(applied, identityTables.users, { id: userId }, { ...values, ...history(applied) });

// Values.

/** Lists are stored as JSON text; mysql2 would expand an array into a value list. */
const json = (value: unknown) => JSON.stringify(value);

/** An ISO instant of the event's data as a UTC `DATETIME(3)` literal. */
function instant(value: unknown, field: string, applied: Pick<AppliedEvent, 'type' | 'position'>): string {
  const parsed = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(parsed.getTime())) {
    throw new Error(`${applied.type} at ${applied.position}: ${field} is not an instant: ${JSON.stringify(value)}`);
  }
  return parsed.toISOString().replace('T', ' ').replace('Z', '');
}

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

function calendarDate(value: unknown, field: string, applied: AppliedEvent): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !CALENDAR_DATE.test(value)) {
    throw new Error(`${applied.type} at ${applied.position}: ${field} is not a date YYYY-MM-DD: ${String(value)}`);
  }
  return value;
}

function role(value: unknown, applied: AppliedEvent): IdentityRole {
  if (!identityRoles.includes(value as IdentityRole)) {
    // A role of a newer domain: stop rather than drop the grant (or keep a revoked one).
    throw new Error(`${applied.type} at ${applied.position}: ${IDENTITY_PROJECTION_NAME} knows no role ${value}`);
  }
  return value as IdentityRole;
}

function requireActor(applied: AppliedEvent): string {
  if (!applied.actorId) throw new Error(`${applied.type} at ${applied.position} has no actor`);
  return applied.actorId;
}

const userDetailColumns: Readonly<Record<string, { column: string; toSql?: (value: unknown) => unknown }>> = {
  printedName: { column: 'printed_name' },
  emails: { column: 'emails', toSql: json },
};

const serviceEndpointColumns: { readonly [K in keyof ServiceEndpointDetails]-?: string } = {
  name: 'name',
  host: 'host',
  port: 'port',
  protocol: 'protocol',
};

/** The `to` side of each change; a field this version has no column for stops the projection. */
function changedValues(
  columns: Readonly<Record<string, string | { column: string; toSql?: (value: unknown) => unknown }>>,
  changes: Record<string, { to: unknown } | undefined>,
  applied: AppliedEvent,
): SqlValues {
  const values: SqlValues = {};
  for (const [field, change] of Object.entries(changes)) {
    if (!change) continue;
    const target = Object.hasOwn(columns, field) ? columns[field] : undefined;
    if (!target)
      throw new Error(`${applied.type} changes ${field}, which ${IDENTITY_PROJECTION_NAME} has no column for`);
    const { column, toSql } = typeof target === 'string' ? { column: target, toSql: undefined } : target;
    values[column] = toSql ? toSql(change.to) : change.to;
  }
  return values;
}

// Handlers: one per event type, each doing to its rows what the event says.

type IdentityHandlers = {
  [T in IdentityWebEventType]: (
    data: Extract<IdentityWebEvent, { type: T }>['data'],
    applied: AppliedEvent,
  ) => Promise<void>;
};

const {
  users,
  userRoles,
  releaseRights,
  loginSessions,
  loginFailures,
  apiClients,
  apiTokens,
  serviceEndpoints,
  signatureFailures,
} = identityTables;

/** The user row's columns of a reset waiting for a second person, cleared once it no longer waits. */
const noPendingPasswordReset = {
  password_reset_request_id: null,
  password_reset_requested_by: null,
  password_reset_requested_at: null,
  password_reset_expires_at: null,
  password_reset_reason: null,
};

const handlers: IdentityHandlers = {
  UserRegistered: ({ userId, username, printedName, emails, identityVerification }, applied) =>
    insert(applied, users, {
      id: userId,
      username,
      printed_name: printedName,
      emails: json(emails),
      active: true,
      password_hash: null,
      password_set_at: null,
      password_set_by: null,
      password_confirmed_by: null,
      must_change_password: false,
      ...noPendingPasswordReset,
      identity_verification_method: identityVerification?.method ?? null,
      identity_verification_reference: identityVerification?.reference ?? null,
      identity_verified_by: identityVerification?.verifiedBy ?? null,
      locked_until: null,
      failed_logins_in_window: 0,
      last_login_failure_at: null,
      deactivated_at: null,
      ...registered(applied),
    }),

  UserDetailsChanged: ({ userId, changes }, applied) =>
    updateUser(applied, userId, changedValues(userDetailColumns, changes, applied)),

  RoleGranted: async ({ userId, role: granted, customerIds, locationIds }, applied) => {
    await upsert(
      applied,
      userRoles,
      { user_id: userId, role: role(granted, applied) },
      {
        customer_ids: json(customerIds),
        location_ids: json(locationIds),
        granted_at: applied.at,
        granted_by: requireActor(applied),
      },
    );
    await updateUser(applied, userId);
  },

  RoleRevoked: async ({ userId, role: revoked }, applied) => {
    await remove(applied, userRoles, { user_id: userId, role: role(revoked, applied) });
    await updateUser(applied, userId);
  },

  ReleaseRightGranted: async ({ userId, tracerId, expiresOn, grantedBy }, applied) => {
    await upsert(
      applied,
      releaseRights,
      { user_id: userId, tracer_id: tracerId },
      {
        expires_on: calendarDate(expiresOn, 'expiresOn', applied),
        granted_by: grantedBy,
        granted_at: applied.at,
      },
    );
    await updateUser(applied, userId);
  },

  ReleaseRightRevoked: async ({ userId, tracerId }, applied) => {
    await remove(applied, releaseRights, { user_id: userId, tracer_id: tracerId });
    await updateUser(applied, userId);
  },

  // The domain ends the open sessions with SessionEnded events of its own. A confirmed reset's
  // PasswordSet follows its PasswordResetConfirmed, which named the confirmer; one's own has none.
  PasswordSet: ({ userId, passwordHash, setBy, mustChange }, applied) =>
    updateUser(applied, userId, {
      password_hash: passwordHash,
      password_set_at: applied.at,
      password_set_by: setBy,
      must_change_password: mustChange,
      ...(setBy === userId ? { password_confirmed_by: null } : {}),
    }),

  PasswordResetRequested: ({ userId, requestId, requestedBy, expiresAt }, applied) =>
    updateUser(applied, userId, {
      password_reset_request_id: requestId,
      password_reset_requested_by: requestedBy,
      password_reset_requested_at: applied.at,
      password_reset_expires_at: instant(expiresAt, 'expiresAt', applied),
      password_reset_reason: applied.reason ?? null,
    }),

  PasswordResetConfirmed: ({ userId, confirmedBy }, applied) =>
    updateUser(applied, userId, { ...noPendingPasswordReset, password_confirmed_by: confirmedBy }),

  PasswordResetWithdrawn: ({ userId }, applied) => updateUser(applied, userId, noPendingPasswordReset),

  PasswordResetExpired: ({ userId }, applied) => updateUser(applied, userId, noPendingPasswordReset),

  UserDeactivated: ({ userId }, applied) => updateUser(applied, userId, { active: false, deactivated_at: applied.at }),

  LoginFailed: async ({ userId, reason, remoteAddress, failuresInWindow }, applied) => {
    await insert(applied, loginFailures, {
      user_id: userId,
      revision: applied.revision,
      at: applied.at,
      reason,
      remote_address: remoteAddress,
      failures_in_window: failuresInWindow,
    });
    await updateUser(applied, userId, {
      failed_logins_in_window: failuresInWindow,
      last_login_failure_at: applied.at,
    });
  },

  UserLockedOut: ({ userId, until }, applied) =>
    updateUser(applied, userId, { locked_until: instant(until, 'until', applied) }),

  SessionStarted: async ({ userId, sessionId, tokenHash, expiresAt, idleTimeoutSeconds, remoteAddress }, applied) => {
    await insert(applied, loginSessions, {
      id: sessionId,
      user_id: userId,
      token_hash: tokenHash,
      started_at: applied.at,
      expires_at: instant(expiresAt, 'expiresAt', applied),
      idle_timeout_seconds: idleTimeoutSeconds,
      remote_address: remoteAddress,
      ended_at: null,
      end_reason: null,
    });
    await updateUser(applied, userId);
  },

  SessionEnded: async ({ userId, sessionId, reason }, applied) => {
    await update(
      applied,
      loginSessions,
      { user_id: userId, id: sessionId },
      { ended_at: applied.at, end_reason: reason },
    );
    await updateUser(applied, userId);
  },

  SignatureAttemptFailed: async ({ userId, meaning, reason }, applied) => {
    await insert(applied, signatureFailures, {
      user_id: userId,
      revision: applied.revision,
      at: applied.at,
      meaning,
      reason,
    });
    await updateUser(applied, userId);
  },

  ApiClientRegistered: ({ clientId, name, customerIds }, applied) =>
    insert(applied, apiClients, {
      id: clientId,
      name,
      active: true,
      customer_ids: json(customerIds),
      scopes: null,
      deactivated_at: null,
      ...registered(applied),
    }),

  ApiTokenIssued: async ({ clientId, tokenId, name, tokenHash }, applied) => {
    await insert(applied, apiTokens, {
      client_id: clientId,
      id: tokenId,
      name,
      token_hash: tokenHash,
      issued_at: applied.at,
      revoked_at: null,
    });
    await update(applied, apiClients, { id: clientId }, history(applied));
  },

  ApiTokenRevoked: async ({ clientId, tokenId }, applied) => {
    await update(applied, apiTokens, { client_id: clientId, id: tokenId }, { revoked_at: applied.at });
    await update(applied, apiClients, { id: clientId }, history(applied));
  },

  ApiClientScopesSet: ({ clientId, scopes }, applied) =>
    update(applied, apiClients, { id: clientId }, { scopes: json(scopes), ...history(applied) }),

  ApiClientDeactivated: ({ clientId }, applied) =>
    update(applied, apiClients, { id: clientId }, { active: false, deactivated_at: applied.at, ...history(applied) }),

  ServiceEndpointRegistered: ({ endpointId, name, host, port, protocol }, applied) =>
    insert(applied, serviceEndpoints, {
      id: endpointId,
      name,
      host,
      port,
      protocol,
      status: 'active',
      archived_at: null,
      ...registered(applied),
    }),

  ServiceEndpointChanged: ({ endpointId, changes }, applied) =>
    update(
      applied,
      serviceEndpoints,
      { id: endpointId },
      { ...changedValues(serviceEndpointColumns, changes, applied), ...history(applied) },
    ),

  ServiceEndpointArchived: ({ endpointId }, applied) =>
    update(
      applied,
      serviceEndpoints,
      { id: endpointId },
      { status: 'archived', archived_at: applied.at, ...history(applied) },
    ),
};

function isIdentityWebEventType(type: string): type is IdentityWebEventType {
  return Object.hasOwn(handlers, type);
}

/**
 * The identity read models of the web database: one projection for all nine tables, so a user's
 * row, roles, rights and sessions are always consistent with each other. Username claims
 * (`identity.usernameClaim-*`) only guard uniqueness on the command side and are not handled.
 */
export const identityProjection: Projection = {
  name: IDENTITY_PROJECTION_NAME,
  // 2: the role ENUMs take `shop-admin`. 3: users show identity verification and password resets.
  // 4: API clients show their scopes.
  version: 4,
  target: 'web',
  eventTypes: identityWebEventTypes,
  streamPrefixes: ['identity.'],
  tables: identityTableDefinitions,
  async handle(event: RecordedEvent, tx: ProjectionTransaction) {
    const { type } = event;
    if (!isIdentityWebEventType(type)) throw new Error(`${IDENTITY_PROJECTION_NAME} does not handle ${type}`);
    // No upcasters exist yet: a newer shape than this version knows must stop it, not be misread.
    const schemaVersion = identityEventSchemaVersions[type];
    if (event.metadata.schemaVersion !== schemaVersion) {
      throw new Error(
        `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${IDENTITY_PROJECTION_NAME} reads version ${schemaVersion}`,
      );
    }
    const position = event.position.toString();
    const applied: AppliedEvent = {
      tx,
      type,
      position,
      revision: event.revision.toString(),
      // `recordedAt` when an import left the business time out.
      at: instant(event.metadata.occurredAt ?? event.metadata.recordedAt, 'occurredAt', { type, position }),
      actorId: (event.metadata.actor as { id?: string } | undefined)?.id,
      reason: typeof event.metadata.reason === 'string' ? event.metadata.reason : undefined,
    };
    const handler = handlers[type] as (data: unknown, applied: AppliedEvent) => Promise<void>;
    await handler(event.data, applied);
  },
};
