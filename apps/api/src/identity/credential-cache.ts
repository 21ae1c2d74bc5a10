import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Principal } from '@tracershop/auth';
import type { EventStore, Subscription } from '@tracershop/event-store';
import { EVENT_STORE, PINO_LOGGER } from '@tracershop/platform';

/** How long a looked-up credential is reused; changes to it also drop it at once (see below). */
const TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  /** Absolute expiry of the session (ms), Infinity for API tokens. */
  expiresAt: number;
  cachedAt: number;
  /** When the session's idle timer in Redis was last pushed back. */
  idleRefreshedAt: number;
}

/**
 * Authenticated principals by credential hash, so a request does not cost a database snapshot.
 * Any identity event of a user or API client drops that owner's entries: this process drops them
 * itself when it sends the command, and a subscription to the identity streams does it for the
 * changes other api instances make. While that subscription is down, nothing is cached.
 */
@Injectable()
export class CredentialCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  private subscription: Subscription | null = null;
  private live = false;
  private stopped = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void this.follow();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.subscription?.close();
  }

  get(hash: string, now = Date.now()): Entry | undefined {
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (!this.live || now - entry.cachedAt > TTL_MS || now >= entry.expiresAt) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry;
  }

  set(hash: string, principal: Principal, expiresAt: number, now = Date.now()): void {
    if (!this.live) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(hash, { principal, expiresAt, cachedAt: now, idleRefreshedAt: now });
  }

  /** Drops every cached credential of a user or an API client. */
  forget(ownerId: string): void {
    for (const [hash, entry] of this.entries) if (entry.principal.id === ownerId) this.entries.delete(hash);
  }

  private async follow(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        this.subscription = this.store.subscribeToAll({
          fromPosition: 'end',
          filter: { streamPrefixes: ['identity.user-', 'identity.apiClient-'] },
        });
        for await (const message of this.subscription) {
          if (message.kind === 'caughtUp') this.live = true;
          if (message.kind !== 'event') continue;
          const data = message.event.data as { userId?: string; clientId?: string };
          this.forget(data.userId ?? data.clientId ?? '');
          attempt = 0;
        }
      } catch (error) {
        this.logger.warn({ err: error }, 'credential cache lost its identity subscription; caching paused');
      }
      this.live = false;
      this.entries.clear();
      if (!this.stopped) await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
    }
  }
}
