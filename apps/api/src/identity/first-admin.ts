import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { HttpStatus, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Logger } from 'pino';
import type { CommandContext } from '@tracershop/command-pipeline';
import type { TracershopConfig } from '@tracershop/config';
import type { EventStore } from '@tracershop/event-store';
import { EVENT_STORE, HttpProblem, PINO_LOGGER, REDIS, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { firstAdministratorDecider, firstAdministratorStreamName, userStreamName } from '@tracershop/domain/identity';
import { DomainError } from '@tracershop/domain/kernel';
import { IdentityService } from './identity.service';
import { legacyIdAllocatedByHandler } from '../legacy-ids/legacy-id-allocator';

const SETUP_TOKEN_TTL_SECONDS = 24 * 3600;

/** Deletes the setup token only if it is still the one given: of two requests with it, one wins. */
const CONSUME_TOKEN = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

const setupRefused = () =>
  new HttpProblem(HttpStatus.FORBIDDEN, 'SETUP_REFUSED', 'The setup token is wrong, used or expired');

/**
 * The first start of a deployment: there is no default password. Either the operator names the
 * first administrator in the environment, or the api prints a one-time setup token that
 * `POST /auth/setup` exchanges for the first administrator account. Either way the administrator
 * is recorded on `identity.firstAdministrator-deployment`; a deployment with that record, or with
 * any user at all, is set up: no token is issued again and setup is refused.
 */
@Injectable()
export class FirstAdmin implements OnApplicationBootstrap {
  constructor(
    private readonly identity: IdentityService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  private get setupKey(): string {
    return `tracershop:${this.config.databases.web}:setup-token`;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (await this.isSetUp()) {
      // A token left from before the deployment was set up must not outlive it.
      await this.redis.del(this.setupKey);
      return;
    }
    const initial = this.config.auth.initialAdmin;
    if (initial) {
      try {
        await this.create(initial.username, initial.printedName, initial.password, 'environment');
        this.logger.warn({ username: initial.username }, 'created the first administrator from the environment');
      } catch (error) {
        // Another api instance starting at the same moment won the race: its administrator stands.
        if (!(error instanceof DomainError && error.kind === 'conflict')) throw error;
      }
      return;
    }
    const token = randomBytes(24).toString('base64url');
    // NX: with several api instances starting together, the first token stands.
    const set = await this.redis.set(this.setupKey, token, 'EX', SETUP_TOKEN_TTL_SECONDS, 'NX');
    if (set === 'OK') {
      process.stderr.write(
        `\nNo user exists yet. Create the first administrator within 24 h with:\n` +
          `  curl -X POST http://<api>/auth/setup -H 'content-type: application/json' \\\n` +
          `    -d '{"setupToken":"${token}","username":"...","printedName":"...","password":"..."}'\n\n`,
      );
    }
  }

  async setUp(setupToken: string, username: string, printedName: string, password: string): Promise<{ id: string }> {
    const expected = await this.redis.get(this.setupKey);
    const given = Buffer.from(setupToken);
    if (!expected || given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
      throw setupRefused();
    }
    if (await this.isSetUp()) {
      await this.redis.del(this.setupKey);
      throw new HttpProblem(HttpStatus.CONFLICT, 'ALREADY_SET_UP', 'This deployment has its administrator already');
    }
    // Checked before the token is spent, so a refused password can be chosen again.
    this.identity.assertPasswordPolicy(password, username.toLowerCase(), printedName);
    if (Number(await this.redis.eval(CONSUME_TOKEN, 1, this.setupKey, setupToken)) !== 1) throw setupRefused();
    return this.create(username, printedName, password, 'setup-token');
  }

  /**
   * Asks the event store, not a read model: at first start the projections may not have run yet.
   * Set up means the first administrator was recorded, or any user exists (made before that record
   * was kept, or by the cli's `user create`).
   */
  private async isSetUp(): Promise<boolean> {
    const state = await this.identity.load(firstAdministratorStreamName(), firstAdministratorDecider);
    return state.userId !== null || (await this.anyUserExists());
  }

  /** The first event of any user stream, or the end of the store. */
  private async anyUserExists(): Promise<boolean> {
    const subscription = this.store.subscribeToAll({
      fromPosition: 'start',
      filter: { streamPrefixes: [userStreamName('')] },
    });
    try {
      for await (const message of subscription) {
        if (message.kind === 'event') return true;
        if (message.kind === 'caughtUp') return false;
      }
      return false;
    } finally {
      await subscription.close();
    }
  }

  private async create(username: string, printedName: string, password: string, via: 'environment' | 'setup-token') {
    // Checked before anything is written, so a refused password leaves no half-made account.
    this.identity.assertPasswordPolicy(password, username.toLowerCase(), printedName);
    const userId = randomUUID();
    const context: CommandContext = {
      actor: { kind: 'system', id: 'system', printedName: 'Tracershop setup', role: 'system' },
      correlationId: randomUUID(),
      causationId: `first-admin:${userId}`,
      reason: `first administrator (${via})`,
    };
    const at = new Date().toISOString();
    const user = this.identity.commands.user;
    // Nobody can check the first administrator's identity: the record says how they came to be.
    const identityVerification = { method: 'deployment-setup' as const, reference: via, verifiedBy: context.actor.id };
    await this.identity.execute(
      user,
      {
        type: 'RegisterUser',
        userId,
        username,
        printedName,
        legacyUserId: legacyIdAllocatedByHandler,
        identityVerification,
        at,
      },
      context,
    );
    await this.identity.execute(
      user,
      { type: 'GrantRole', userId, role: 'admin', at },
      { ...context, causationId: `${context.causationId}:role` },
    );
    // The administrator chose this password themselves (in the environment or at setup).
    await this.identity.setOwnPassword(userId, password, {
      ...context,
      causationId: `${context.causationId}:password`,
    });
    // Last, so the record names an administrator who can log in (a start that failed before it
    // still counts as set up: the user exists).
    await this.identity.execute(
      this.identity.commands.firstAdministrator,
      { type: 'RecordFirstAdministrator', userId, username, via, at },
      { ...context, causationId: `${context.causationId}:recorded` },
    );
    return { id: userId };
  }
}
