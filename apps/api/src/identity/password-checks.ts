import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { verifyPassword } from '@tracershop/auth';
import type { TracershopConfig } from '@tracershop/config';
import { passwordChecksLeft, type LockoutPolicy, type PresentUser, type UserState } from '@tracershop/domain/identity';

/** Failures a password check records; each caller maps them to its own failure command. */
export type PasswordCheckFailure = 'bad_password' | 'locked' | 'deactivated';

/**
 * What one password check found, on the user's state as loaded once the check was counted:
 * `locked` tested no password (the lockout holds, or the checks still running kept it within reach
 * for as long as a check waits).
 */
export type PasswordCheck =
  | { outcome: 'absent' }
  | { outcome: 'right' | 'wrong' | 'deactivated'; state: PresentUser }
  | { outcome: 'locked'; state: PresentUser; until: string | null };

export const lockoutPolicyOf = (config: TracershopConfig): LockoutPolicy => ({
  maxFailures: config.auth.loginMaxFailures,
  windowSeconds: config.auth.loginFailureWindowSeconds,
  lockoutSeconds: config.auth.lockoutSeconds,
});

/** The password checks of one user still running (a sorted set: check id → when it lapses, in ms). */
export const passwordChecksKey = (config: TracershopConfig, userId: string) =>
  `tracershop:${config.databases.web}:password-checks:${userId}`;

// Drops lapsed checks and, when fewer than ARGV[4] others run, adds this one and answers how many
// others run; else answers -1 and adds nothing. One step: two checks never miss each other, and a
// check that waits for room is never counted by the others.
const JOIN_IF_ROOM = `
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
local others = redis.call('zcard', KEYS[1])
if others >= tonumber(ARGV[4]) then return -1 end
redis.call('zadd', KEYS[1], ARGV[2], ARGV[3])
redis.call('pexpire', KEYS[1], ARGV[5])
return others`;

/** How long a check waits for room among the checks of its user before it counts as refused. */
const MAX_WAIT_MS = 10_000;
const RETRY_MS = 20;

/**
 * A password check of a login, an own password change or a signature, held to the account lockout
 * also when many run at once (Part 11 §11.300). Each check is counted in Redis before the user's
 * state is loaded, and a password is tested only while the failures recorded and the checks still
 * running stay under the limit; a check that finds no room waits for the others' outcome rather
 * than being refused (in line in its own process; up to 10 s for checks of other processes), so a
 * burst of right passwords all pass. A check leaves the count only once its failure is recorded, so
 * every later check sees it one way or the other; the count of one whose failure could not be
 * recorded lapses with the failure window, as the failure would have.
 */
export class PasswordChecks {
  constructor(
    private readonly redis: Redis,
    private readonly config: TracershopConfig,
    private readonly loadUser: (userId: string) => Promise<UserState>,
  ) {}

  /**
   * This process's checks of each user: as many run as the lockout allows failures, the others wait
   * in line and start, in order, as soon as one ends (the Redis count holds across processes; this
   * keeps a burst in one process from polling for room).
   */
  private readonly lines = new Map<string, { running: number; waiting: Array<() => void> }>();

  async check(
    userId: string,
    password: string,
    at: string,
    recordFailure: (reason: PasswordCheckFailure) => Promise<void>,
  ): Promise<PasswordCheck> {
    await this.enterLine(userId, lockoutPolicyOf(this.config).maxFailures);
    try {
      return await this.checkCounted(userId, password, at, recordFailure);
    } finally {
      this.leaveLine(userId);
    }
  }

  private async enterLine(userId: string, limit: number): Promise<void> {
    let line = this.lines.get(userId);
    if (!line) {
      line = { running: 0, waiting: [] };
      this.lines.set(userId, line);
    }
    if (line.running < limit) {
      line.running += 1;
      return;
    }
    // The check that ends hands its place over (leaveLine): `running` stays as it is.
    const queue = line.waiting;
    await new Promise<void>((resolve) => queue.push(resolve));
  }

  private leaveLine(userId: string): void {
    const line = this.lines.get(userId);
    if (!line) return;
    const next = line.waiting.shift();
    if (next) next();
    else if (--line.running === 0) this.lines.delete(userId);
  }

  private async checkCounted(
    userId: string,
    password: string,
    at: string,
    recordFailure: (reason: PasswordCheckFailure) => Promise<void>,
  ): Promise<PasswordCheck> {
    const policy = lockoutPolicyOf(this.config);
    const key = passwordChecksKey(this.config, userId);
    const checkId = randomUUID();
    const windowMs = policy.windowSeconds * 1000;
    const leave = () => this.redis.zrem(key, checkId);
    const waitUntil = Date.now() + MAX_WAIT_MS;
    for (;;) {
      const nowMs = Date.now();
      const running = Number(
        await this.redis.eval(
          JOIN_IF_ROOM,
          1,
          key,
          String(nowMs),
          String(nowMs + windowMs),
          checkId,
          String(policy.maxFailures),
          String(windowMs),
        ),
      );
      if (running < 0) {
        // As many checks run as the lockout allows failures: wait for one to end rather than
        // refuse, so a releaser's burst of right passwords is never taken for guessing.
        if (Date.now() < waitUntil) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          continue;
        }
        const state = await this.loadUser(userId);
        if (state.status === 'absent') return { outcome: 'absent' };
        await recordFailure(state.status === 'deactivated' ? 'deactivated' : 'locked');
        return state.status === 'deactivated'
          ? { outcome: 'deactivated', state }
          : { outcome: 'locked', state, until: state.lockedUntil };
      }
      let recorded = true;
      let retry = false;
      try {
        // Loaded once counted: a check that left before had its failure recorded first.
        const state = await this.loadUser(userId);
        if (state.status === 'absent') return { outcome: 'absent' };
        if (state.status === 'deactivated') {
          await recordFailure('deactivated');
          return { outcome: 'deactivated', state };
        }
        const left = passwordChecksLeft(state, at, policy);
        if (left === 0) {
          await recordFailure('locked');
          return { outcome: 'locked', state, until: state.lockedUntil };
        }
        if (running >= left) {
          // The checks still running could reach the lockout: wait for their outcome.
          retry = Date.now() < waitUntil;
          if (!retry) {
            await recordFailure('locked');
            return { outcome: 'locked', state, until: state.lockedUntil };
          }
          continue;
        }
        if (await verifyPassword(password, state.passwordHash, this.config.auth.scryptCost)) {
          return { outcome: 'right', state };
        }
        recorded = false;
        await recordFailure('bad_password');
        recorded = true;
        return { outcome: 'wrong', state };
      } finally {
        if (recorded) await leave();
        if (retry) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}
