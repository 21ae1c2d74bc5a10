import type { IdentityWebEvent } from './identity-events';
import { IDENTITY_PROJECTION_NAME } from './identity-projection';
import { identityTables } from './identity-tables';
import {
  examples,
  openIdentityTestBed,
  tokenHash,
  type IdentityTestBed,
  type Row,
} from './test-support/identity-test-bed';

/** A history that touches every table with every kind of event. */
const history: IdentityWebEvent[] = [
  examples.aliceRegistered,
  examples.bobRegistered,
  {
    type: 'UserRegistered',
    data: {
      userId: 'user-carl',
      username: 'carl',
      printedName: 'Carl Clausen',
      emails: [],
      identityVerification: { method: 'employer-record', reference: 'HR 4711', verifiedBy: 'user-admin' },
    },
  },
  {
    type: 'PasswordResetRequested',
    data: {
      userId: 'user-carl',
      requestId: 'reset-1',
      requestedBy: 'user-admin',
      passwordHash: '$scrypt$c',
      expiresAt: '2026-03-03T07:00:00.000Z',
    },
  },
  {
    type: 'PasswordResetConfirmed',
    data: {
      userId: 'user-carl',
      requestId: 'reset-1',
      requestedBy: 'user-admin',
      confirmedBy: 'user-qp',
      withoutSecondPerson: false,
    },
  },
  {
    type: 'PasswordSet',
    data: { userId: 'user-carl', passwordHash: '$scrypt$c', setBy: 'user-admin', mustChange: true },
  },
  {
    type: 'PasswordResetRequested',
    data: {
      userId: 'user-carl',
      requestId: 'reset-2',
      requestedBy: 'user-admin',
      passwordHash: '$scrypt$d',
      expiresAt: '2026-03-03T07:00:00.000Z',
    },
  },
  {
    type: 'UserDetailsChanged',
    data: { userId: 'user-alice', changes: { emails: { from: ['alice@rh.example'], to: ['alice@herlev.example'] } } },
  },
  { type: 'RoleGranted', data: { userId: 'user-alice', role: 'shop', customerIds: ['cust-1'], locationIds: [] } },
  { type: 'RoleGranted', data: { userId: 'user-alice', role: 'shop', customerIds: ['cust-2'], locationIds: ['l'] } },
  { type: 'RoleGranted', data: { userId: 'user-bob', role: 'releaser', customerIds: [], locationIds: [] } },
  { type: 'RoleGranted', data: { userId: 'user-bob', role: 'auditor', customerIds: [], locationIds: [] } },
  { type: 'RoleRevoked', data: { userId: 'user-bob', role: 'auditor' } },
  {
    type: 'ReleaseRightGranted',
    data: { userId: 'user-bob', tracerId: 'tracer-fdg', expiresOn: '2026-12-31', grantedBy: 'user-qp' },
  },
  {
    type: 'ReleaseRightGranted',
    data: { userId: 'user-bob', tracerId: 'tracer-fet', expiresOn: null, grantedBy: 'user-qp' },
  },
  { type: 'ReleaseRightRevoked', data: { userId: 'user-bob', tracerId: 'tracer-fet' } },
  {
    type: 'PasswordSet',
    data: { userId: 'user-alice', passwordHash: '$argon2id$a', setBy: 'user-admin', mustChange: true },
  },
  {
    type: 'LoginFailed',
    data: { userId: 'user-alice', reason: 'bad-password', remoteAddress: '10.0.0.1', failuresInWindow: 1 },
  },
  {
    type: 'LoginFailed',
    data: { userId: 'user-alice', reason: 'bad-password', remoteAddress: null, failuresInWindow: 2 },
  },
  { type: 'UserLockedOut', data: { userId: 'user-alice', until: '2026-03-02T07:15:00.000Z' } },
  {
    type: 'SessionStarted',
    data: {
      userId: 'user-bob',
      sessionId: 'session-1',
      tokenHash: tokenHash('session-1'),
      expiresAt: '2026-03-02T19:00:00.000Z',
      idleTimeoutSeconds: 900,
      remoteAddress: '10.0.0.2',
    },
  },
  {
    type: 'SessionStarted',
    data: {
      userId: 'user-bob',
      sessionId: 'session-2',
      tokenHash: tokenHash('session-2'),
      expiresAt: '2026-03-02T20:00:00.000Z',
      idleTimeoutSeconds: 900,
      remoteAddress: null,
    },
  },
  { type: 'SessionEnded', data: { userId: 'user-bob', sessionId: 'session-1', reason: 'logout' } },
  { type: 'SignatureAttemptFailed', data: { userId: 'user-bob', meaning: 'release', reason: 'wrong-password' } },
  { type: 'UserDeactivated', data: { userId: 'user-alice' } },
  { type: 'ApiClientRegistered', data: { clientId: 'client-ris', name: 'RIS', customerIds: ['cust-1'] } },
  { type: 'ApiClientRegistered', data: { clientId: 'client-old', name: 'Old', customerIds: [] } },
  {
    type: 'ApiTokenIssued',
    data: { clientId: 'client-ris', tokenId: 'token-1', name: 'first', tokenHash: tokenHash('api-1') },
  },
  {
    type: 'ApiTokenIssued',
    data: { clientId: 'client-ris', tokenId: 'token-2', name: 'second', tokenHash: tokenHash('api-2') },
  },
  { type: 'ApiTokenRevoked', data: { clientId: 'client-ris', tokenId: 'token-1' } },
  { type: 'ApiClientDeactivated', data: { clientId: 'client-old' } },
  {
    type: 'ServiceEndpointRegistered',
    data: { endpointId: 'svc-ping', name: 'Ping', host: 'ping.example', port: 443, protocol: 'https' },
  },
  {
    type: 'ServiceEndpointRegistered',
    data: { endpointId: 'svc-old', name: 'Old', host: 'old.example', port: 80, protocol: 'http' },
  },
  {
    type: 'ServiceEndpointChanged',
    data: { endpointId: 'svc-ping', changes: { port: { from: 443, to: 8443 } } },
  },
  { type: 'ServiceEndpointArchived', data: { endpointId: 'svc-old' } },
];

const sessionThree: IdentityWebEvent = {
  type: 'SessionStarted',
  data: {
    userId: 'user-bob',
    sessionId: 'session-3',
    tokenHash: tokenHash('session-3'),
    expiresAt: '2026-03-03T19:00:00.000Z',
    idleTimeoutSeconds: 900,
    remoteAddress: null,
  },
};

describe('rebuild of web.identity', () => {
  let bed: IdentityTestBed;

  beforeAll(async () => {
    bed = await openIdentityTestBed('identity_rebuild');
  });

  afterAll(async () => {
    await bed.close();
  });

  /** Every row of every table and every table's definition, in a comparable order. */
  async function snapshot(): Promise<Record<string, { definition: string; rows: Row[] }>> {
    const tables: Record<string, { definition: string; rows: Row[] }> = {};
    for (const table of Object.values(identityTables)) {
      const [created] = await bed.rows(`SHOW CREATE TABLE ${table}`);
      const rows = await bed.rows(`SELECT * FROM ${table}`);
      const key = (row: Row) => JSON.stringify(row);
      tables[table] = {
        definition: String(created['Create Table']),
        rows: rows.sort((a, b) => (key(a) < key(b) ? -1 : 1)),
      };
    }
    return tables;
  }

  it('rebuilds identical tables from the event store, and the live runner goes on from them', async () => {
    // Business time moves on, so rows differ in their times too.
    for (let index = 0; index < history.length; index += 4) {
      await bed.givenAt(`2026-03-02T07:${String(index).padStart(2, '0')}:00.000Z`, ...history.slice(index, index + 4));
    }
    const before = await snapshot();
    for (const table of Object.values(identityTables)) expect(before[table].rows.length).toBeGreaterThan(0);

    const report = await bed.engine.rebuild(IDENTITY_PROJECTION_NAME);

    expect(report).toMatchObject({ projection: IDENTITY_PROJECTION_NAME, version: 4, replacedVersion: 4 });
    expect(report.eventsHandled).toBe(history.length);
    expect(await snapshot()).toEqual(before);
    const leftovers = await bed.rows(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE '%\\_\\_v%'",
      [bed.webDatabase],
    );
    expect(leftovers).toEqual([]);

    await bed.given(sessionThree);
    expect(await bed.readModel.sessionByTokenHash(tokenHash('session-3'))).toMatchObject({
      id: 'session-3',
      endedAt: null,
    });
    expect(await bed.readModel.userByUsername('bob')).toMatchObject({
      roles: [{ role: 'releaser', customerIds: [], locationIds: [] }],
      releaseRights: [{ tracerId: 'tracer-fdg', expiresOn: '2026-12-31' }],
    });
    expect(await bed.readModel.apiTokenByHash(tokenHash('api-1'))).toMatchObject({
      revokedAt: expect.any(String),
    });
  });
});
