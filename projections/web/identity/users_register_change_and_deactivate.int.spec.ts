import type { IdentityWebEvent } from './identity-events';
import { examples, openIdentityTestBed, type IdentityTestBed } from './test-support/identity-test-bed';

const { aliceRegistered, bobRegistered } = examples;

describe('users: registration, details and deactivation', () => {
  let bed: IdentityTestBed;

  beforeAll(async () => {
    bed = await openIdentityTestBed('users');
  });

  afterAll(async () => {
    await bed.close();
  });

  it('a registration writes an active user without a password, found by id and by exact username', async () => {
    await bed.givenAt('2026-03-02T07:00:00.000Z', aliceRegistered);

    const alice = await bed.readModel.userById('user-alice');
    expect(alice).toEqual({
      id: 'user-alice',
      username: 'alice',
      printedName: 'Alice Andersen',
      emails: ['alice@rh.example'],
      active: true,
      passwordHash: null,
      mustChangePassword: false,
      passwordSetBy: null,
      passwordConfirmedBy: null,
      pendingPasswordReset: null,
      identityVerification: null,
      lockedUntil: null,
      failedLoginsInWindow: 0,
      deactivatedAt: null,
      revision: '0',
      roles: [],
      releaseRights: [],
    });
    expect(await bed.readModel.userByUsername('alice')).toEqual(alice);
    expect(await bed.readModel.userByUsername('Alice')).toBeNull();
    expect(await bed.readModel.userByUsername('nobody')).toBeNull();
    expect(await bed.readModel.userById('user-nobody')).toBeNull();

    const [row] = await bed.rows('SELECT * FROM users WHERE id = ?', ['user-alice']);
    expect(row).toMatchObject({ created_at: row.updated_at, revision: 0, failed_logins_in_window: 0 });
    expect(row.updated_position).toBe(bed.lastPosition().toString());
  });

  it('a details change sets the changed fields and moves the history', async () => {
    const changed: IdentityWebEvent = {
      type: 'UserDetailsChanged',
      data: {
        userId: 'user-alice',
        changes: {
          printedName: { from: 'Alice Andersen', to: 'Alice A. Holm' },
          emails: { from: ['alice@rh.example'], to: ['alice@rh.example', 'alice.holm@rh.example'] },
        },
      },
    };
    await bed.givenAt('2026-03-03T08:30:00.000Z', changed);
    await bed.givenAt('2026-03-03T09:00:00.000Z', {
      type: 'UserDetailsChanged',
      data: { userId: 'user-alice', changes: { printedName: { from: 'Alice A. Holm', to: 'Alice Holm' } } },
    });

    expect(await bed.readModel.userById('user-alice')).toMatchObject({
      printedName: 'Alice Holm',
      emails: ['alice@rh.example', 'alice.holm@rh.example'],
      revision: '2',
    });
    const page = await bed.readModel.listUsers({ limit: 10 });
    expect(page.items[0]).toMatchObject({
      id: 'user-alice',
      createdAt: '2026-03-02T07:00:00.000Z',
      updatedAt: '2026-03-03T09:00:00.000Z',
    });
  });

  it('a deactivation keeps the user, inactive, out of the default list', async () => {
    await bed.given(bobRegistered);
    await bed.givenAt('2026-03-04T12:00:00.000Z', { type: 'UserDeactivated', data: { userId: 'user-bob' } });

    expect(await bed.readModel.userByUsername('bob')).toMatchObject({
      active: false,
      deactivatedAt: '2026-03-04T12:00:00.000Z',
      revision: '1',
    });
    const active = await bed.readModel.listUsers({ limit: 10 });
    expect(active.items.map((user) => user.username)).toEqual(['alice']);
    const deactivated = await bed.readModel.listUsers({ limit: 10, status: 'deactivated' });
    expect(deactivated.items.map((user) => user.username)).toEqual(['bob']);
    const all = await bed.readModel.listUsers({ limit: 10, status: 'all' });
    expect(all.items.map((user) => user.username)).toEqual(['alice', 'bob']);
  });

  it('lists users by username in stable pages, without secrets', async () => {
    const many: IdentityWebEvent[] = Array.from({ length: 11 }, (_, index) => ({
      type: 'UserRegistered',
      // Ids in the opposite order of the usernames, so an order by id alone would show.
      data: {
        userId: `user-${String(20 - index).padStart(2, '0')}`,
        username: `operator${String(index).padStart(2, '0')}`,
        printedName: `Operator ${index}`,
        emails: [],
      },
    }));
    await bed.given(...many);
    await bed.given({
      type: 'PasswordSet',
      data: { userId: 'user-20', passwordHash: '$argon2id$secret', setBy: 'user-admin', mustChange: true },
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await bed.readModel.listUsers({ limit: 4, cursor, status: 'all' });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((user) => user.username));
      for (const user of page.items) expect(JSON.stringify(user)).not.toContain('argon2');
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['alice', 'bob', ...many.map((event) => (event.data as { username: string }).username)]);

    const operator0 = (await bed.readModel.listUsers({ limit: 500, status: 'all' })).items.find(
      (user) => user.id === 'user-20',
    );
    expect(operator0).toMatchObject({ hasPassword: true, mustChangePassword: true });
    expect(operator0).not.toHaveProperty('passwordHash');
  });

  it('refuses bad paging and filters', async () => {
    await expect(bed.readModel.listUsers({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_READ_QUERY' });
    await expect(bed.readModel.listUsers({ limit: 10, cursor: 'nonsense' })).rejects.toMatchObject({
      code: 'INVALID_READ_QUERY',
    });
    await expect(bed.readModel.listUsers({ limit: 10, status: 'gone' as unknown as 'all' })).rejects.toMatchObject({
      code: 'INVALID_READ_QUERY',
    });
    // A cursor of another list.
    const endpointCursor = Buffer.from(JSON.stringify(['serviceEndpoints', ['a', 'b']])).toString('base64url');
    await expect(bed.readModel.listUsers({ limit: 10, cursor: endpointCursor })).rejects.toMatchObject({
      code: 'INVALID_READ_QUERY',
    });
  });
});
