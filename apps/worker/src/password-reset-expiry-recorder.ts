import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { CommandPipeline } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import type { Actor } from '@tracershop/event-store';
import { PINO_LOGGER, TRACERSHOP_CONFIG, WEB_DATABASE } from '@tracershop/platform';
import { IdentityReadModel } from '@tracershop/projections/web';
import { registeredUserCommands } from '../../api/src/identity/identity-commands';
import { RepeatedRound, RepeatedRoundService } from './repeated-round';

/** How often the worker looks for resets that ran out: an expiry is on record within minutes. */
const POLL_MS = 5 * 60_000;
/** Unhealthy after failing this long: resets that ran out would still show as waiting. */
const FAILING_LIMIT_MS = 60 * 60_000;
const WORKER_ACTOR: Actor = { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' };

/**
 * Records `PasswordResetExpired` for each waiting password reset whose 24 hours have run out, so
 * the record (and the user as administrators and auditors read it) says so when it happens, not
 * only when the next request or withdrawal finds it. It reads the waiting resets from the identity
 * read model; the user's decider checks each again (a reset confirmed or withdrawn meanwhile is
 * left alone), and an expiry recorded by another worker is not recorded twice.
 */
@Injectable()
export class PasswordResetExpiryRecorder extends RepeatedRoundService {
  readonly name = 'passwordResetExpiryRecorder';
  protected readonly rounds: RepeatedRound;
  protected readonly failingLimitMs = FAILING_LIMIT_MS;
  private readonly identities: IdentityReadModel;
  private recorded = 0;

  constructor(
    @Inject(TRACERSHOP_CONFIG) config: TracershopConfig,
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(WEB_DATABASE) web: Pool,
    @Inject(PINO_LOGGER) logger: Logger,
  ) {
    super();
    this.identities = new IdentityReadModel(web, config.databases.web);
    this.rounds = new RepeatedRound(
      () => this.recordExpiries(),
      POLL_MS,
      logger,
      'password reset expiries not recorded; retrying',
    );
  }

  protected override healthDetails(): Record<string, unknown> {
    return { recorded: this.recorded };
  }

  /** Records every reset that ran out by `now`; returns how many expiries were recorded. */
  async recordExpiries(now: Date = new Date()): Promise<number> {
    const at = now.toISOString();
    let recorded = 0;
    for (const { userId, requestId } of await this.identities.expiredPasswordResets(at)) {
      const cause = `password-reset-expiry:${requestId}`;
      const result = await this.pipeline.execute(
        registeredUserCommands,
        { type: 'RecordPasswordResetExpiry', userId, requestId, at },
        { actor: WORKER_ACTOR, occurredAt: at, correlationId: cause, causationId: cause },
      );
      recorded += result.events.length;
    }
    this.recorded += recorded;
    return recorded;
  }
}
