import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { hashPassword, issueToken, verifyPassword, type Principal } from '@tracershop/auth';
import {
  CommandPipeline,
  ConcurrentModificationError,
  type CommandContext,
  type CommandDefinition,
  type CommandResult,
} from '@tracershop/command-pipeline';
import { DomainError, type Decider, type DomainEvent } from '@tracershop/domain/kernel';
import type { TracershopConfig } from '@tracershop/config';
import {
  addSeconds,
  checkPasswordPolicy,
  PASSWORD_RESET_VALIDITY_SECONDS,
  userDecider,
  userStreamName,
  type RecordLoginFailure,
  type RecordSignatureFailure,
  type UserCommand,
  type UserState,
} from '@tracershop/domain/identity';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { HttpProblem, REDIS, TRACERSHOP_CONFIG } from '@tracershop/platform';
import type { IdentityReadModel } from '@tracershop/projections/web';
import { CredentialCache } from './credential-cache';
import { identityCommands, type IdentityCommands } from './identity-commands';
import { sessionSeenKey } from './identity-authenticator';
import { IDENTITY_READ_MODEL } from './identity-read-model.provider';
import { lockoutPolicyOf, PasswordChecks, type PasswordCheck, type PasswordCheckFailure } from './password-checks';
import { LegacyIdAllocator } from '../legacy-ids/legacy-id-allocator';

export const IDENTITY_PROJECTION = 'web.identity';

export interface LoginResult {
  token: string;
  sessionId: string;
  expiresAt: string;
  user: { id: string; username: string; printedName: string; mustChangePassword: boolean };
}

const now = () => new Date().toISOString();

const invalidCredentials = () =>
  // One answer for an unknown user and a wrong password, so usernames cannot be probed.
  new HttpProblem(HttpStatus.UNAUTHORIZED, 'INVALID_CREDENTIALS', 'Wrong username or password');

/** Failed logins from one client address (a counter that lapses a window after its first count). */
export const loginFailuresKey = (config: TracershopConfig, remoteAddress: string) =>
  `tracershop:${config.databases.web}:login-failures:${remoteAddress}`;

const COUNT_IN_WINDOW = `local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('expire', KEYS[1], ARGV[1]) end return n`;

/** `until` is null while the lockout is still being recorded (wrong passwords checked at this moment). */
const accountLocked = (until: string | null) =>
  new HttpProblem(HttpStatus.LOCKED, 'ACCOUNT_LOCKED', 'Too many wrong passwords; try again later', { until });

/** Rounds of recording one failure; each round the pipeline retries conflicts itself too. */
const FAILURE_RECORD_ROUNDS = 25;

/** The identity use cases that need more than one command or some crypto around the deciders. */
@Injectable()
export class IdentityService {
  readonly commands: IdentityCommands;
  private readonly passwordChecks: PasswordChecks;

  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(IDENTITY_READ_MODEL) private readonly identities: IdentityReadModel,
    @Inject(ProjectionEngine) private readonly projections: ProjectionEngine,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    private readonly credentials: CredentialCache,
    legacyIds: LegacyIdAllocator,
  ) {
    this.commands = identityCommands(pipeline, legacyIds);
    this.passwordChecks = new PasswordChecks(redis, config, (userId) => this.loadUser(userId));
  }

  /** Sends one identity command; this process forgets the owner's cached credentials at once. */
  async execute<C, E extends DomainEvent, S>(
    definition: CommandDefinition<C, E, S>,
    command: NoInfer<C>,
    context: CommandContext,
  ): Promise<CommandResult> {
    const owner = command as { userId?: string; clientId?: string };
    try {
      return await this.pipeline.execute(definition, command, context);
    } finally {
      const ownerId = owner.userId ?? owner.clientId;
      if (ownerId) this.credentials.forget(ownerId);
    }
  }

  load<S, E extends DomainEvent>(streamId: string, decider: Decider<never, E, S>): Promise<S> {
    return this.pipeline.loadState(streamId, decider);
  }

  loadUser(userId: string): Promise<UserState> {
    return this.load(userStreamName(userId), userDecider);
  }

  /**
   * A user command whose effect on access must hold before the answer: the person's next request
   * already has it. Answers with the user's id and the command's result.
   */
  async changeUser(userId: string, command: UserCommand, context: CommandContext) {
    const result = await this.execute(this.commands.user, command, context);
    await this.visible(result);
    return { id: userId, ...result };
  }

  /** Waits until the web database shows a command's effect (a new session must work at once). */
  async visible(result: CommandResult): Promise<void> {
    if (result.position) {
      await this.projections.waitForPosition(
        IDENTITY_PROJECTION,
        result.position,
        this.config.queries.minPositionTimeoutMs,
      );
    }
  }

  /**
   * A login, refused while the client's address has failed too often: the account lockout stops
   * guessing one account's password, this stops guessing a few passwords on each of many accounts
   * (and finding out which usernames exist). Every failed login counts, whatever the account.
   */
  async login(
    username: string,
    password: string,
    remoteAddress: string,
    context: CommandContext,
  ): Promise<LoginResult> {
    const key = loginFailuresKey(this.config, remoteAddress);
    const { loginAddressMaxFailures, loginFailureWindowSeconds } = this.config.auth;
    if (loginAddressMaxFailures === 0) return this.checkCredentials(username, password, remoteAddress, context);
    // Counted before the check, atomically, so a burst of parallel guesses cannot pass the limit
    // together; a success gives its count back.
    const attempts = Number(await this.redis.eval(COUNT_IN_WINDOW, 1, key, String(loginFailureWindowSeconds)));
    if (attempts > loginAddressMaxFailures) {
      const retryAfter = Math.max(1, await this.redis.ttl(key));
      throw new HttpProblem(
        HttpStatus.TOO_MANY_REQUESTS,
        'TOO_MANY_FAILED_LOGINS',
        'Too many failed logins from this address; try again later',
        { retryAfterSeconds: retryAfter },
        { 'retry-after': String(retryAfter) },
      );
    }
    const result = await this.checkCredentials(username, password, remoteAddress, context);
    await this.redis.decr(key);
    return result;
  }

  private async checkCredentials(
    username: string,
    password: string,
    remoteAddress: string,
    context: CommandContext,
  ): Promise<LoginResult> {
    const found = await this.identities.userByUsername(username.trim().toLowerCase());
    const at = now();
    const actorFor = (id: string, printedName: string) => ({ kind: 'user' as const, id, printedName, role: 'none' });
    const check: PasswordCheck = found
      ? await this.passwordChecks.check(found.id, password, at, (reason) =>
          this.recordFailure(
            { type: 'RecordLoginFailure', userId: found.id, reason, remoteAddress, policy: this.lockoutPolicy(), at },
            { ...context, actor: actorFor(found.id, found.printedName) },
          ),
        )
      : { outcome: 'absent' };
    if (check.outcome !== 'right') {
      // One answer for an unknown user, a wrong password, a deactivated and a locked account, each
      // after the work of a password check (a stand-in where none was tested), so neither the answer
      // nor its time tells them apart. The lockout still holds: it shows in the account's login
      // failures and raises an incident, for the person to hear of it from an administrator.
      if (check.outcome !== 'wrong') {
        const storedHash = check.outcome === 'absent' ? null : check.state.passwordHash;
        await verifyPassword(password, storedHash, this.config.auth.scryptCost);
      }
      throw invalidCredentials();
    }
    const { state } = check;
    const ctx: CommandContext = { ...context, actor: actorFor(state.userId, state.printedName) };

    const session = issueToken('session');
    const { sessionAbsoluteSeconds, sessionIdleSeconds } = this.config.auth;
    const result = await this.executeUnlessLocked(
      {
        type: 'StartSession',
        userId: state.userId,
        sessionId: session.id,
        tokenHash: session.hash,
        absoluteTimeoutSeconds: sessionAbsoluteSeconds,
        idleTimeoutSeconds: sessionIdleSeconds,
        remoteAddress,
        at,
      },
      ctx,
      invalidCredentials,
    );
    await this.redis.set(sessionSeenKey(this.config, session.id), at, 'EX', sessionIdleSeconds);
    await this.visible(result);
    return {
      token: session.token,
      sessionId: session.id,
      expiresAt: new Date(Date.parse(at) + sessionAbsoluteSeconds * 1000).toISOString(),
      user: {
        id: state.userId,
        username: state.username,
        printedName: state.printedName,
        mustChangePassword: state.mustChange,
      },
    };
  }

  async logout(principal: Principal, context: CommandContext): Promise<void> {
    await this.redis.del(sessionSeenKey(this.config, principal.credentialId));
    const result = await this.execute(
      this.commands.user,
      { type: 'EndSession', userId: principal.id, sessionId: principal.credentialId, reason: 'logout', at: now() },
      context,
    );
    await this.visible(result);
  }

  /**
   * A user's own choice of password (after giving the current one, or the first administrator's at
   * setup): checks the policy, hashes, and records it; every open session of the user ends. A
   * password for someone else is `requestPasswordReset` and a second person's confirmation.
   */
  async setOwnPassword(
    userId: string,
    password: string,
    context: CommandContext,
    field = 'password',
  ): Promise<CommandResult> {
    const state = await this.loadUser(userId);
    if (state.status === 'absent') {
      throw new HttpProblem(HttpStatus.NOT_FOUND, 'USER_NOT_FOUND', `No user ${userId}`, { userId });
    }
    this.assertPasswordPolicy(password, state.username, state.printedName, field);
    const passwordHash = await hashPassword(password, this.config.auth.scryptCost);
    const result = await this.executeUnlessLocked(
      { type: 'SetPassword', userId, passwordHash, setBy: userId, at: now() },
      context,
      accountLocked,
    );
    await this.visible(result);
    return result;
  }

  /** A weak password is bad input: 400 with the field and every problem, and nothing is stored. */
  assertPasswordPolicy(password: string, username: string, printedName: string, field = 'password'): void {
    const problems = checkPasswordPolicy(password, { username, printedName });
    if (problems.length > 0) {
      throw new HttpProblem(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', `Invalid request: ${field}`, {
        fields: [{ field, problems: problems.map((problem) => problem.message), codes: problems.map((p) => p.code) }],
      });
    }
  }

  /**
   * Asking for the current password is a password check like a login: a wrong one is a login
   * failure towards the same lockout, else a stolen session could guess the password unhindered.
   * The new password must differ from the current one: re-entering a password an administrator
   * set would otherwise clear the duty to replace it, leaving a password someone else knows.
   */
  async changeOwnPassword(principal: Principal, current: string, next: string, context: CommandContext) {
    const at = now();
    const check = await this.passwordChecks.check(principal.id, current, at, (reason) =>
      this.recordFailure(
        {
          type: 'RecordLoginFailure',
          userId: principal.id,
          reason,
          remoteAddress: null,
          policy: this.lockoutPolicy(),
          at,
        },
        context,
      ),
    );
    if (check.outcome === 'locked') throw accountLocked(check.until);
    if (check.outcome !== 'right') {
      throw new HttpProblem(HttpStatus.UNAUTHORIZED, 'INVALID_CREDENTIALS', 'The current password is wrong');
    }
    if (next.normalize('NFC') === current.normalize('NFC')) {
      throw new HttpProblem(
        HttpStatus.BAD_REQUEST,
        'PASSWORD_UNCHANGED',
        'The new password must differ from the current one',
        {
          fields: [
            {
              field: 'newPassword',
              problems: ['must differ from the current password'],
              codes: ['PASSWORD_UNCHANGED'],
            },
          ],
        },
      );
    }
    return this.setOwnPassword(principal.id, next, context, 'newPassword');
  }

  /**
   * One person's request for a temporary password for someone else (Part 11 §11.200(a)): it is in
   * force only once a second person confirms it. Their own password goes through the own-password
   * change, which asks for the current one and counts towards the lockout: a session left open
   * must not be a way to choose the administrator's password. The reason goes into the envelope.
   */
  async requestPasswordReset(
    userId: string,
    password: string,
    requestedBy: string,
    reason: string,
    context: CommandContext,
  ): Promise<CommandResult & { id: string; requestId: string; expiresAt: string }> {
    if (userId === requestedBy) {
      throw new HttpProblem(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'USE_OWN_PASSWORD_CHANGE',
        'Change your own password with POST /auth/password, giving the current one',
        { id: userId },
      );
    }
    const state = await this.loadUser(userId);
    if (state.status === 'absent') {
      throw new HttpProblem(HttpStatus.NOT_FOUND, 'USER_NOT_FOUND', `No user ${userId}`, { userId });
    }
    this.assertPasswordPolicy(password, state.username, state.printedName);
    const passwordHash = await hashPassword(password, this.config.auth.scryptCost);
    const requestId = randomUUID();
    const at = now();
    const result = await this.execute(
      this.commands.user,
      { type: 'RequestPasswordReset', userId, requestId, passwordHash, requestedBy, reason, at },
      { ...context, reason },
    );
    await this.visible(result);
    return { id: userId, requestId, expiresAt: addSeconds(at, PASSWORD_RESET_VALIDITY_SECONDS), ...result };
  }

  /**
   * The second person's confirmation: the requested password takes effect, its owner must replace
   * it at the next login, and their sessions end. `confirmedBy` comes from the session (`cli` for
   * the operator on the server).
   */
  async confirmPasswordReset(
    userId: string,
    requestId: string,
    confirmedBy: string,
    context: CommandContext,
  ): Promise<CommandResult & { id: string }> {
    return this.changeUser(
      userId,
      { type: 'ConfirmPasswordReset', userId, requestId, confirmedBy, at: now() },
      { ...context, reason: context.reason ?? `confirms password reset ${requestId}` },
    );
  }

  async withdrawPasswordReset(
    userId: string,
    requestId: string,
    withdrawnBy: string,
    reason: string,
    context: CommandContext,
  ): Promise<CommandResult & { id: string }> {
    return this.changeUser(
      userId,
      { type: 'WithdrawPasswordReset', userId, requestId, withdrawnBy, reason, at: now() },
      { ...context, reason },
    );
  }

  /**
   * Records a failed password check or signature (Part 11 §11.300; it may lock the account). Such
   * records commute, so a conflict with another request is retried, round after round, until the
   * record lands: an unauthorised attempt is not lost to a busy stream.
   */
  async recordFailure(command: RecordLoginFailure | RecordSignatureFailure, context: CommandContext): Promise<void> {
    const recordContext = { ...context, causationId: randomUUID() };
    for (let round = 1; ; round++) {
      try {
        await this.pipeline.execute(this.commands.user, command, recordContext);
        return;
      } catch (error) {
        if (!(error instanceof ConcurrentModificationError) || round >= FAILURE_RECORD_ROUNDS) throw error;
      }
    }
  }

  /** Checks a password of the user against the lockout; see `PasswordChecks`. */
  checkPassword(
    userId: string,
    password: string,
    at: string,
    recordFailure: (reason: PasswordCheckFailure) => Promise<void>,
  ): Promise<PasswordCheck> {
    return this.passwordChecks.check(userId, password, at, recordFailure);
  }

  /** A user command the lockout may refuse (`USER_LOCKED`): answered with the caller's problem. */
  private async executeUnlessLocked(
    command: UserCommand,
    context: CommandContext,
    locked: (until: string | null) => HttpProblem,
  ): Promise<CommandResult> {
    try {
      return await this.execute(this.commands.user, command, context);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'USER_LOCKED') {
        throw locked(typeof error.details.until === 'string' ? error.details.until : null);
      }
      throw error;
    }
  }

  lockoutPolicy() {
    return lockoutPolicyOf(this.config);
  }
}
