import { CommandPipeline } from '@tracershop/command-pipeline';
import { loadConfiguration } from '@tracershop/config';
import { createLogger } from '@tracershop/platform';
import type { IdentityWebEvent } from '@tracershop/projections/web/identity/identity-events';
import {
  openIdentityTestBed,
  type IdentityTestBed,
} from '@tracershop/projections/web/identity/test-support/identity-test-bed';
import { PasswordResetExpiryRecorder } from './password-reset-expiry-recorder';

const registered = (userId: string): IdentityWebEvent =>
  ({
    type: 'UserRegistered',
    data: {
      userId,
      username: userId,
      printedName: `Person ${userId}`,
      emails: [],
      legacyUserId: 102,
      identityVerification: { method: 'employer-record', reference: 'HR 4711', verifiedBy: 'user-bo' },
    },
  }) as IdentityWebEvent;
const requested = (userId: string, requestId: string, expiresAt: string): IdentityWebEvent =>
  ({
    type: 'PasswordResetRequested',
    data: { userId, requestId, requestedBy: 'user-bo', passwordHash: '$scrypt$bo-chose', expiresAt },
  }) as IdentityWebEvent;

describe('the worker records password resets that ran out', () => {
  let bed: IdentityTestBed;
  let recorder: PasswordResetExpiryRecorder;
  const now = new Date('2026-12-08T10:00:00.000Z');

  beforeAll(async () => {
    bed = await openIdentityTestBed('reset_expiry');
    const config = loadConfiguration({ ...process.env, WEB_DATABASE: bed.webDatabase });
    recorder = new PasswordResetExpiryRecorder(
      config,
      new CommandPipeline({ store: bed.store }),
      bed.pool,
      createLogger('silent', 'spec'),
    );
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given one reset past its 24 hours and one still waiting, when the worker looks, then only the first is recorded as expired, once', async () => {
    await bed.givenAt(
      '2026-12-07T08:00:00.000Z',
      registered('user-anne'),
      requested('user-anne', 'reset-old', '2026-12-08T08:00:00.000Z'),
      registered('user-carl'),
      requested('user-carl', 'reset-new', '2026-12-09T08:00:00.000Z'),
    );

    expect(await recorder.recordExpiries(now)).toBe(1);

    const anne = await bed.store.readStream('identity.user-user-anne');
    expect(anne.at(-1)).toMatchObject({
      type: 'PasswordResetExpired',
      data: { userId: 'user-anne', requestId: 'reset-old', expiresAt: '2026-12-08T08:00:00.000Z' },
      metadata: { actor: { kind: 'system', id: 'worker' } },
    });
    expect((await bed.store.readStream('identity.user-user-carl')).map((event) => event.type)).toEqual([
      'UserRegistered',
      'PasswordResetRequested',
    ]);
    // Once the read model has it, the user no longer shows the reset as waiting, and nothing is recorded twice
    const head = await bed.store.headPosition();
    if (head) await bed.engine.waitForPosition('web.identity', head, 15_000);
    const users = (await bed.readModel.listUsers({ limit: 10 })).items;
    expect(users.map((user) => [user.id, user.pendingPasswordReset?.requestId ?? null])).toEqual([
      ['user-anne', null],
      ['user-carl', 'reset-new'],
    ]);
    expect(await recorder.recordExpiries(now)).toBe(0);
  });
});
