import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '@tracershop/auth';
import type { TracershopConfig } from '@tracershop/config';
import { PINO_LOGGER, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { parseTopic } from '@tracershop/realtime';
import { RealtimeAccess, RealtimeRefusal, type SocketCredential } from './realtime-access';
import { RealtimeHub, type RealtimeClient } from './realtime-hub';
import { refusalOf, type OrderSessionLocations } from './topic-access';

export const ORDER_SESSION_LOCATIONS = Symbol('ORDER_SESSION_LOCATIONS');

/** What identifies a credential: the header it is sent in and its value. */
const credentialKey = (credential: SocketCredential) =>
  `${credential.authorization ?? ''}\u0000${credential.cookie ?? ''}`;

/**
 * Keeps sockets to what their credential allows: the credential is authenticated again on every
 * join, every `REALTIME_REAUTHENTICATE_SECONDS`, and when an identity event concerns its owner
 * (see `IdentityWatch`). A credential that no longer authenticates, or a principal that lost a
 * topic it follows, ends the connection; the client reconnects and is told why it is refused.
 */
@Injectable()
export class RealtimeSessions implements BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private rechecking = false;

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

  /**
   * Authenticates the client's credential again and re-checks every topic it follows. Within one
   * round (`round`), sockets that share a credential (a user's tabs) share its authentication.
   */
  async recheck(client: RealtimeClient, round?: Map<string, Promise<Principal>>): Promise<boolean> {
    try {
      const key = round ? credentialKey(client.credential) : null;
      let principal = key === null ? undefined : round?.get(key);
      if (!principal) {
        principal = this.access.authenticate(client.credential);
        if (key !== null) round?.set(key, principal);
      }
      client.principal = await principal;
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

  /** One round over every socket; a round still running when the next is due is not overlapped. */
  async recheckAll(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    const round = new Map<string, Promise<Principal>>();
    try {
      for (const client of this.hub.allClients()) {
        try {
          await this.recheck(client, round);
        } catch (error) {
          this.logger.warn({ err: error, socket: client.socket.id }, 'realtime: re-authentication failed; will retry');
        }
      }
    } finally {
      this.rechecking = false;
    }
  }
}
