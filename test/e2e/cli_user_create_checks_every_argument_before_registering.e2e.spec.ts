import { randomBytes } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { loadConfiguration } from '@tracershop/config';
import { MysqlEventStore, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { runCliSync } from './cli-process';

/**
 * Regression: `user create` with a mistyped role registered the user, then failed on the role: the
 * user had no role and no password, and the corrected command was refused with USERNAME_TAKEN.
 */

const suffix = randomBytes(4).toString('hex');
const env = {
  EVENTS_DATABASE: `e2e_uevents_${suffix}`,
  RECORD_DATABASE: `e2e_urecord_${suffix}`,
  WEB_DATABASE: `e2e_uweb_${suffix}`,
};
const PASSWORD = 'Their-own-passphrase-2\n';
const VERIFIED = ['--identity-method', 'photo-id-in-person', '--identity-reference', 'Passport, last digits 4711'];

const cli = (input: string, ...args: string[]) => runCliSync(env, input, ...args);

async function userEventTypes(): Promise<string[]> {
  const store = await MysqlEventStore.open({
    connection: { ...loadConfiguration({ ...process.env, ...env }).mysql },
    database: env.EVENTS_DATABASE,
  });
  try {
    const events = await store.readAll({});
    return events.filter((event) => event.streamId.startsWith('identity.user-')).map((event) => event.type);
  } finally {
    await store.close();
  }
}

describe('cli user create checks every argument before it registers anyone', () => {
  afterAll(async () => {
    const config = loadConfiguration({ ...process.env, ...env });
    const admin = await createConnection({ ...config.mysql });
    for (const database of Object.values(config.databases)) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
    }
    await admin.end();
  });

  /** `user create anna --name 'Anna Jensen'` with the rest of the arguments. */
  const createAnna = (...args: string[]) => cli(PASSWORD, 'user', 'create', 'anna', '--name', 'Anna Jensen', ...args);

  it('given a mistyped role, an unknown flag or a scope the role does not take, then it refuses with usage and registers nobody', async () => {
    const mistyped = createAnna(...VERIFIED, '--role', 'prodution');
    expect(mistyped.stderr).toContain('--role prodution: role must be one of admin, production,');
    expect(mistyped.code).toBe(2);

    const unknownFlag = createAnna(...VERIFIED, '--rol', 'production');
    expect(unknownFlag.stderr).toContain('user create takes no --rol');
    expect(unknownFlag.code).toBe(2);

    const wrongScope = createAnna(...VERIFIED, '--role', 'production', '--role', 'shop');
    expect(wrongScope.stderr).toContain('--role shop: The shop role needs at least one entry in customerIds');
    expect(wrongScope.code).toBe(2);

    const unverified = createAnna('--role', 'production');
    expect(unverified.stderr).toContain('user create needs --identity-method and --identity-reference');
    expect(unverified.code).toBe(2);

    const unknownMethod = createAnna('--identity-method', 'trust-me', '--identity-reference', 'x');
    expect(unknownMethod.stderr).toContain('--identity-method must be one of photo-id-in-person');
    expect(unknownMethod.code).toBe(2);

    expect(await userEventTypes()).toEqual([]);
  });

  it('when the operator corrects the command, then the user is created with the role and the password', async () => {
    const created = createAnna(...VERIFIED, '--role', 'production');
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(
      /^created anna \([0-9a-f-]{36}\); no administrator but anna exists to confirm the password: set by the operator alone, recorded as without a second person; it must be changed at the first login$/m,
    );
    expect(await userEventTypes()).toEqual([
      'UserRegistered',
      'RoleGranted',
      'PasswordResetRequested',
      'PasswordResetConfirmed',
      'PasswordSet',
    ]);

    // And a second create of the same username is refused before a password is asked for
    const again = cli('', 'user', 'create', 'anna', '--name', 'Anna Jensen', ...VERIFIED, '--role', 'production');
    expect(again.stderr).toContain('the username anna is taken');
    expect(again.code).toBe(2);
  });
});
