import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { hashPassword, issueToken, verifyPassword, type Principal } from '@tracershop/auth';
import {
  CommandPipeline,
  type CommandContext,
  type CommandDefinition,
  type CommandResult,
} from '@tracershop/command-pipeline';
import type { Decider, DomainEvent } from '@tracershop/domain/kernel';
import type { TracershopConfig } from '@tracershop/config';
import {
  checkPasswordPolicy,
  isLockedAt,
  userDecider,
  userStreamName,
  type LoginFailureReason,
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

const accountLocked = (until: string | null) =>
  new HttpProblem(HttpStatus.LOCKED, 'ACCOUNT_LOCKED', 'Too many failed logins; try again later', { until });

/** The identity use cases that need more than one command or some crypto around the deciders. */
@Injectable()
export class IdentityService {
  readonly commands: IdentityCommands;

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
    // An unknown user still costs a full hash check (against a stand-in), so it answers no faster.
    const state = found ? await this.loadUser(found.id) : null;
    if (!state || state.status === 'absent') {
      await verifyPassword(password, null, this.config.auth.scryptCost);
      throw invalidCredentials();
    }
    const at = now();
    const actor = { kind: 'user' as const, id: state.userId, printedName: state.printedName, role: 'none' };
    const ctx: CommandContext = { ...context, actor };
    const fail = (reason: LoginFailureReason, problem: HttpProblem) =>
      this.failPasswordCheck(state.userId, reason, remoteAddress, at, ctx, problem);
    if (state.status === 'deactivated') {
      // The work of a wrong password (the result is ignored), so a deactivated account answers no faster.
      await verifyPassword(password, state.passwordHash, this.config.auth.scryptCost);
      return fail('deactivated', invalidCredentials());
    }
    if (isLockedAt(state, at)) return fail('locked', accountLocked(state.lockedUntil));
    if (!(await verifyPassword(password, state.passwordHash, this.config.auth.scryptCost))) {
      return fail('bad_password', invalidCredentials());
    }

    const session = issueToken('session');
    const { sessionAbsoluteSeconds, sessionIdleSeconds } = this.config.auth;
    const result = await this.execute(
      this.commands.user,
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

  /** Checks the policy, hashes, and records the new password; every open session of the user ends. */
  async setPassword(
    userId: string,
    password: string,
    setBy: string,
    context: CommandContext,
    field = 'password',
  ): Promise<CommandResult> {
    const state = await this.loadUser(userId);
    if (state.status === 'absent') {
      throw new HttpProblem(HttpStatus.NOT_FOUND, 'USER_NOT_FOUND', `No user ${userId}`, { userId });
    }
    this.assertPasswordPolicy(password, state.username, state.printedName, field);
    const passwordHash = await hashPassword(password, this.config.auth.scryptCost);
    const result = await this.execute(
      this.commands.user,
      { type: 'SetPassword', userId, passwordHash, setBy, at: now() },
      context,
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
   */
  async changeOwnPassword(principal: Principal, current: string, next: string, context: CommandContext) {
    const state = await this.loadUser(principal.id);
    const wrongPassword = () =>
      new HttpProblem(HttpStatus.UNAUTHORIZED, 'INVALID_CREDENTIALS', 'The current password is wrong');
    if (state.status === 'absent') throw wrongPassword();
    const at = now();
    const fail = (reason: LoginFailureReason, problem: HttpProblem) =>
      this.failPasswordCheck(state.userId, reason, null, at, context, problem);
    if (state.status === 'deactivated') return fail('deactivated', wrongPassword());
    if (isLockedAt(state, at)) return fail('locked', accountLocked(state.lockedUntil));
    if (!(await verifyPassword(current, state.passwordHash, this.config.auth.scryptCost))) {
      return fail('bad_password', wrongPassword());
    }
    return this.setPassword(principal.id, next, principal.id, context, 'newPassword');
  }

  /** Records a failed password check (Part 11 §11.300; it may lock the account), then refuses. */
  private async failPasswordCheck(
    userId: string,
    reason: LoginFailureReason,
    remoteAddress: string | null,
    at: string,
    context: CommandContext,
    problem: HttpProblem,
  ): Promise<never> {
    await this.execute(
      this.commands.user,
      { type: 'RecordLoginFailure', userId, reason, remoteAddress, policy: this.lockoutPolicy(), at },
      { ...context, causationId: randomUUID() },
    );
    throw problem;
  }

  lockoutPolicy() {
    const { loginMaxFailures, loginFailureWindowSeconds, lockoutSeconds } = this.config.auth;
    return { maxFailures: loginMaxFailures, windowSeconds: loginFailureWindowSeconds, lockoutSeconds };
  }
}
