import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { TracershopConfig } from '@tracershop/config';
import { PINO_LOGGER, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { parseTopic } from '@tracershop/realtime';
import { RealtimeAccess, RealtimeRefusal } from './realtime-access';
import { RealtimeHub, type RealtimeClient } from './realtime-hub';
import { refusalOf, type OrderSessionLocations } from './topic-access';

export const ORDER_SESSION_LOCATIONS = Symbol('ORDER_SESSION_LOCATIONS');

/**
 * Keeps sockets to what their credential allows: the credential is authenticated again on every
 * join, every `REALTIME_REAUTHENTICATE_SECONDS`, and when an identity event concerns its owner
 * (see `IdentityWatch`). A credential that no longer authenticates, or a principal that lost a
 * topic it follows, ends the connection; the client reconnects and is told why it is refused.
 */
@Injectable()
export class RealtimeSessions implements BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly access: RealtimeAccess,
    private readonly hub: RealtimeHub,
    @Inject(ORDER_SESSION_LOCATIONS) readonly orderSessions: OrderSessionLocations,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.recheckAll(), this.config.realtime.reauthenticateSeconds * 1000);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Authenticates the client's credential again and re-checks every topic it follows. */
  async recheck(client: RealtimeClient): Promise<boolean> {
    try {
      client.principal = await this.access.authenticate(client.credential);
    } catch (error) {
      if (error instanceof RealtimeRefusal) {
        this.end(client, error.code);
        return false;
      }
      throw error;
    }
    for (const topic of client.feeds.keys()) {
      const parsed = parseTopic(topic);
      const refusal = parsed.ok ? await refusalOf(client.principal, parsed.parsed, this.orderSessions) : null;
      if (refusal) {
        this.end(client, refusal.code);
        return false;
      }
    }
    return true;
  }

  /** Disconnects the client: its credential ended or no longer allows what it follows. */
  end(client: RealtimeClient, reason: string): void {
    this.logger.info({ socket: client.socket.id, user: client.principal.id, reason }, 'realtime: connection ended');
    this.hub.remove(client);
    client.socket.disconnect(true);
  }

  /** Clients whose principal is the given user or application. */
  clientsOf(ownerId: string): RealtimeClient[] {
    return this.hub.allClients().filter((client) => client.principal.id === ownerId);
  }

  private async recheckAll(): Promise<void> {
    for (const client of this.hub.allClients()) {
      try {
        await this.recheck(client);
      } catch (error) {
        this.logger.warn({ err: error, socket: client.socket.id }, 'realtime: re-authentication failed; will retry');
      }
    }
  }
}
