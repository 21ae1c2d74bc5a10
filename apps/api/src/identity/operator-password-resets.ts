import { randomUUID } from 'node:crypto';
import type { CommandContext, CommandDefinition, CommandPipeline } from '@tracershop/command-pipeline';
import {
  addSeconds,
  holdsRole,
  PASSWORD_RESET_VALIDITY_SECONDS,
  userDecider,
  userStreamName,
  type UserCommand,
  type UserEvent,
  type UserState,
} from '@tracershop/domain/identity';
import type { EventStore } from '@tracershop/event-store';

/**
 * The operator on the server before any administrator exists (the deployment's bootstrap): the
 * actor id of what the cli appends then. Once there is an administrator, the cli acts as one.
 */
export const OPERATOR_ID = 'cli';

/** A reset the operator may not do as asked: the cli answers it as a usage error, nothing written. */
export class OperatorResetRefusedError extends Error {}

/** A reset the operator requested: waiting for an administrator, or set alone when nobody else could confirm it. */
export interface OperatorResetRequested {
  requestId: string;
  /** Past it, the request can no longer be confirmed. */
  expiresAt: string;
  /** Set alone: no active administrator but the user themselves existed to be the second person. */
  withoutSecondPerson: boolean;
  /** Events appended. */
  events: number;
}

/** The waiting request the operator confirmed or withdrew. */
export interface OperatorResetClosed {
  requestId: string;
  requestedBy: string;
  withoutSecondPerson: boolean;
}

/**
 * The active administrators, folded from the user streams themselves: at a deployment's first start
 * the read models may not run yet, and the answer decides whether anyone can be a second person.
 */
export async function activeAdministratorIds(store: EventStore): Promise<string[]> {
  const states = new Map<string, UserState>();
  const subscription = store.subscribeToAll({
    fromPosition: 'start',
    filter: { streamPrefixes: [userStreamName('')] },
  });
  try {
    for await (const message of subscription) {
      if (message.kind === 'caughtUp') break;
      if (message.kind !== 'event') continue;
      const { streamId } = message.event;
      const before = states.get(streamId) ?? userDecider.initialState();
      states.set(streamId, userDecider.evolve(before, message.event as unknown as UserEvent));
    }
  } finally {
    await subscription.close();
  }
  // A deactivated administrator confirms nothing: only active ones can be the second person.
  return [...states.values()].flatMap((state) =>
    state.status === 'active' && holdsRole(state, 'admin') ? [state.userId] : [],
  );
}

/**
 * The operator's side of Part 11 §11.200(a): a password someone chose for another person takes
 * effect only once a second person confirms it. The operator at the server is one person: the
 * administrator the cli acts as (`operatorId`), or `cli` before any exists (the OS user in the
 * actor's printed name). They confirm another's request, or request one that another administrator
 * confirms. Only where no active administrator but the user and the operator exists does the
 * operator set it alone, recorded as `withoutSecondPerson`: nobody else could.
 */
export class OperatorPasswordResets {
  constructor(
    private readonly pipeline: CommandPipeline,
    private readonly store: EventStore,
    private readonly user: CommandDefinition<UserCommand, UserEvent, UserState>,
    /** Who the operator is: an administrator's user id, or `cli` at the bootstrap. */
    private readonly operatorId: string = OPERATOR_ID,
  ) {}

  /** Whether an administrator other than the user and the operator could confirm a reset of the user's password. */
  async secondPersonAvailable(userId: string): Promise<boolean> {
    return (await activeAdministratorIds(this.store)).some(
      (adminId) => adminId !== userId && adminId !== this.operatorId,
    );
  }

  /** The operator's request, with a reason; confirmed at once, alone, only when nobody else could. */
  async request(userId: string, passwordHash: string, context: CommandContext): Promise<OperatorResetRequested> {
    const reason = context.reason ?? 'operator via cli';
    const requestId = randomUUID();
    const at = new Date().toISOString();
    const requested = await this.pipeline.execute(
      this.user,
      { type: 'RequestPasswordReset', userId, requestId, passwordHash, requestedBy: this.operatorId, reason, at },
      { ...context, reason, causationId: `${context.causationId}:password-reset` },
    );
    const expiresAt = addSeconds(at, PASSWORD_RESET_VALIDITY_SECONDS);
    if (await this.secondPersonAvailable(userId)) {
      return { requestId, expiresAt, withoutSecondPerson: false, events: requested.events.length };
    }
    const confirmed = await this.pipeline.execute(
      this.user,
      {
        type: 'ConfirmPasswordReset',
        userId,
        requestId,
        confirmedBy: this.operatorId,
        withoutSecondPerson: true,
        at,
      },
      {
        ...context,
        reason: `${reason} (no administrator but the user exists to confirm it)`,
        causationId: `${context.causationId}:password-reset-confirmed`,
      },
    );
    return {
      requestId,
      expiresAt,
      withoutSecondPerson: true,
      events: requested.events.length + confirmed.events.length,
    };
  }

  /**
   * The operator as the second person of the reset waiting for the user. One the operator
   * requested needs an administrator, unless none but the user exists.
   */
  async confirm(userId: string, context: CommandContext): Promise<OperatorResetClosed> {
    const { requestId, requestedBy } = await this.waiting(userId);
    const withoutSecondPerson = requestedBy === this.operatorId;
    if (withoutSecondPerson && (await this.secondPersonAvailable(userId))) {
      throw new OperatorResetRefusedError(
        'the operator requested this reset: another administrator confirms it ' +
          `(POST /identity/users/${userId}/password-reset/confirm {"requestId":"${requestId}"})`,
      );
    }
    await this.pipeline.execute(
      this.user,
      {
        type: 'ConfirmPasswordReset',
        userId,
        requestId,
        confirmedBy: this.operatorId,
        withoutSecondPerson,
        at: new Date().toISOString(),
      },
      { ...context, reason: context.reason ?? `confirms password reset ${requestId}` },
    );
    return { requestId, requestedBy, withoutSecondPerson };
  }

  async withdraw(userId: string, context: CommandContext): Promise<OperatorResetClosed> {
    const { requestId, requestedBy } = await this.waiting(userId);
    const reason = context.reason ?? 'operator via cli';
    await this.pipeline.execute(
      this.user,
      {
        type: 'WithdrawPasswordReset',
        userId,
        requestId,
        withdrawnBy: this.operatorId,
        reason,
        at: new Date().toISOString(),
      },
      { ...context, reason },
    );
    return { requestId, requestedBy, withoutSecondPerson: false };
  }

  private async waiting(userId: string) {
    const state = await this.pipeline.loadState(userStreamName(userId), userDecider);
    if (state.status === 'absent') throw new OperatorResetRefusedError(`no user ${userId}`);
    if (!state.pendingPasswordReset) {
      throw new OperatorResetRefusedError(`no password reset waits for ${state.username}`);
    }
    return state.pendingPasswordReset;
  }
}
