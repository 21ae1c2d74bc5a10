import { DomainError } from '../kernel';
import { type LockoutPolicy, type RoleGranted, type SessionStarted, type UserRegistered } from './user';

/** Example identity data shared by the specs: Anne releases FDG, Bo administers. */

export const at = '2026-03-02T07:00:00.000Z';
export const today = '2026-03-02';

export const anneRegistered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    userId: 'user-anne',
    username: 'anne.jensen',
    printedName: 'Anne Jensen',
    emails: ['anne.jensen@rh.example'],
    legacyUserId: 102,
    identityVerification: {
      method: 'photo-id-in-person',
      reference: 'Passport ending 4711, seen by Bo Nielsen',
      verifiedBy: 'user-bo',
    },
  },
};

export const anneInProduction: RoleGranted = {
  type: 'RoleGranted',
  data: { userId: 'user-anne', role: 'production', customerIds: [], locationIds: [] },
};

/** 5 bad passwords within 15 minutes lock the account for 15 minutes. */
export const lockoutPolicy: LockoutPolicy = { maxFailures: 5, windowSeconds: 900, lockoutSeconds: 900 };

/** `at` moved by whole minutes, in the UTC form the decider writes. */
export const minutesAfter = (minutes: number, from = at) => new Date(Date.parse(from) + minutes * 60_000).toISOString();

export function sessionStarted(sessionId: string, startedAt: string, hours = 8): SessionStarted {
  return {
    type: 'SessionStarted',
    data: {
      userId: 'user-anne',
      sessionId,
      tokenHash: `sha256:${sessionId}`,
      expiresAt: minutesAfter(hours * 60, startedAt),
      idleTimeoutSeconds: 1800,
      remoteAddress: '10.0.0.7',
      startedAt,
    },
  };
}

/** The DomainError a decision throws, to check its kind and details beside its code. */
export function thrownBy(decision: () => unknown): DomainError {
  try {
    decision();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('Expected a DomainError, but nothing was thrown');
}
