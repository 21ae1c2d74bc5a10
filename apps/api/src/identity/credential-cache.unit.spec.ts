import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { Principal } from '@tracershop/auth';
import { MemoryEventStore, type NewEvent } from '@tracershop/event-store';
import { CredentialCache } from './credential-cache';

const principal = (id: string): Principal => ({
  kind: 'user',
  id,
  username: id,
  printedName: id,
  roles: [{ role: 'production', customerIds: [], locationIds: [] }],
  releaseRights: [],
  credentialId: `session-of-${id}`,
  mustChangePassword: false,
});

const event = (type: string, data: object): NewEvent => ({
  type,
  data,
  metadata: {
    eventId: randomUUID(),
    schemaVersion: 1,
    occurredAt: '2026-11-22T00:00:00.000Z',
    recordedAt: '2026-11-22T00:00:00.000Z',
    actor: { kind: 'user', id: 'admin', printedName: 'Admin', role: 'admin' },
    correlationId: 'c',
    causationId: 'c',
  },
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('CredentialCache', () => {
  let store: MemoryEventStore;
  let cache: CredentialCache;

  beforeEach(() => {
    store = new MemoryEventStore();
    cache = new CredentialCache(store, pino({ level: 'silent' }));
  });

  afterEach(async () => {
    await cache.onApplicationShutdown();
  });

  it('caches nothing until it follows the identity streams', () => {
    cache.set('hash-a', principal('user-a'), Number.POSITIVE_INFINITY);
    expect(cache.get('hash-a')).toBeUndefined();
  });

  it('given a cached user, when another instance changes that user, then its credentials are dropped', async () => {
    cache.onApplicationBootstrap();
    await until(() => (cache.set('probe', principal('probe'), Infinity), cache.get('probe') !== undefined));
    cache.set('hash-a', principal('user-a'), Number.POSITIVE_INFINITY);
    cache.set('hash-b', principal('user-b'), Number.POSITIVE_INFINITY);
    await store.append('identity.user-user-a', [event('UserDeactivated', { userId: 'user-a' })], 'any');
    await until(() => cache.get('hash-a') === undefined);
    expect(cache.get('hash-b')?.principal.id).toBe('user-b');
  });

  it('forgets a session past its absolute expiry, and everything after a few seconds', async () => {
    cache.onApplicationBootstrap();
    await until(() => (cache.set('probe', principal('probe'), Infinity), cache.get('probe') !== undefined));
    const now = Date.now();
    cache.set('expiring', principal('user-c'), now + 1_000, now);
    expect(cache.get('expiring', now + 999)).toBeDefined();
    expect(cache.get('expiring', now + 1_000)).toBeUndefined();
    cache.set('stale', principal('user-d'), Number.POSITIVE_INFINITY, now);
    expect(cache.get('stale', now + 5_001)).toBeUndefined();
  });
});
