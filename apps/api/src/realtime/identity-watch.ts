import { Inject, Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { EventStore, RecordedEvent, Subscription } from '@tracershop/event-store';
import { EVENT_STORE, PINO_LOGGER } from '@tracershop/platform';
import { ProjectionEngine } from '@tracershop/projections/engine';
import { IDENTITY_PROJECTION_NAME } from '@tracershop/projections/web';
import { RealtimeSessions } from './realtime-sessions';

/** Identity events that end a credential outright: its sockets are disconnected at once. */
const ENDS_CREDENTIAL: Record<string, (data: Record<string, string>) => { credentialId?: string; ownerId?: string }> = {
  SessionEnded: (data) => ({ credentialId: data.sessionId }),
  ApiTokenRevoked: (data) => ({ credentialId: data.tokenId }),
  UserDeactivated: (data) => ({ ownerId: data.userId }),
  ApiClientDeactivated: (data) => ({ ownerId: data.clientId }),
};
/** Identity events that change nothing a socket depends on. */
const IRRELEVANT = new Set(['SessionStarted', 'LoginFailed', 'SignatureAttemptFailed']);
/** How long a re-check waits for the identity read model to show the event. */
const IDENTITY_WAIT_MS = 5_000;
/** The authenticator caches a principal for 5 s: a second re-check after that sees the change for sure. */
const CACHE_SETTLED_MS = 6_000;

/**
 * Follows the identity streams (from now on, like the credential cache): a logout, a revoked
 * token or a deactivation disconnects the credential's sockets at once; any other change of a user
 * or application (roles revoked, password set …) re-checks its sockets once the identity read model
 * shows it. The periodic re-check in `RealtimeSessions` covers the time this subscription is down.
 */
@Injectable()
export class IdentityWatch implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription: Subscription | null = null;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ProjectionEngine) private readonly engine: ProjectionEngine,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    private readonly sessions: RealtimeSessions,
  ) {}

  onApplicationBootstrap(): void {
    void this.follow();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((timer) => clearTimeout(timer));
    await this.subscription?.close();
  }

  private async follow(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.subscription = this.store.subscribeToAll({
          fromPosition: 'end',
          filter: { streamPrefixes: ['identity.user-', 'identity.apiClient-'] },
        });
        for await (const message of this.subscription) {
          if (message.kind !== 'event') continue;
          this.apply(message.event);
          attempt = 0;
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'realtime: identity subscription lost; relying on periodic re-checks');
      }
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
    }
  }

  private apply(event: RecordedEvent): void {
    if (IRRELEVANT.has(event.type)) return;
    const data = event.data as Record<string, string>;
    const ends = ENDS_CREDENTIAL[event.type];
    if (ends) {
      const { credentialId, ownerId } = ends(data);
      for (const client of this.sessions.clientsOf(data.userId ?? data.clientId ?? '')) {
        if (ownerId !== undefined || client.principal.credentialId === credentialId) {
          this.sessions.end(client, event.type);
        }
      }
      return;
    }
    const ownerId = data.userId ?? data.clientId;
    if (!ownerId || this.sessions.clientsOf(ownerId).length === 0) return;
    void this.recheckOwner(ownerId, event);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.recheckOwner(ownerId, null);
    }, CACHE_SETTLED_MS);
    timer.unref();
    this.timers.add(timer);
  }

  private async recheckOwner(ownerId: string, event: RecordedEvent | null): Promise<void> {
    try {
      if (event) await this.engine.waitForPosition(IDENTITY_PROJECTION_NAME, event.position, IDENTITY_WAIT_MS);
      for (const client of this.sessions.clientsOf(ownerId)) await this.sessions.recheck(client);
    } catch (error) {
      this.logger.warn({ err: error, ownerId }, 'realtime: re-checking sockets after an identity change failed');
    }
  }
}
