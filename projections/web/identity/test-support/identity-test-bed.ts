import { createHash } from 'node:crypto';
import type { Position } from '@tracershop/event-store';
import {
  openReadModelTestBed,
  type ReadModelTestBed,
  type StreamEvent,
} from '../../../../test/projections/read-model-test-bed';
import { identityEventSchemaVersions, type IdentityWebEvent } from '../identity-events';
import { identityProjection } from '../identity-projection';
import { IdentityReadModel } from '../identity-read-model';

export type { Row } from '../../../../test/projections/read-model-test-bed';

/** An event of any type, appended as written: claims, other contexts, versions this projection cannot read. */
export type RawEvent = StreamEvent;

/**
 * A fresh event store and web database with `web.identity` running on them, for
 * `given(events) → then(rows)` specs. Events get the envelope the command pipeline writes.
 */
export interface IdentityTestBed extends ReadModelTestBed {
  webDatabase: string;
  readModel: IdentityReadModel;
  /** Appends each event to its aggregate's stream, in the order given; returns the last position. */
  append(...events: IdentityWebEvent[]): Promise<Position>;
  appendRaw(...events: RawEvent[]): Promise<Position>;
  /** Appends and waits until `web.identity` has applied the events. */
  given(...events: IdentityWebEvent[]): Promise<Position>;
  /** Appends at a business time, and waits. */
  givenAt(occurredAt: string, ...events: IdentityWebEvent[]): Promise<Position>;
}

export async function openIdentityTestBed(purpose: string): Promise<IdentityTestBed> {
  const base = await openReadModelTestBed({
    purpose,
    projection: identityProjection,
    schemaVersionOf: (type) => (identityEventSchemaVersions as Record<string, number | undefined>)[type] ?? 1,
    actor: { kind: 'user', id: 'user-admin', printedName: 'Identity Admin', role: 'admin' },
  });
  const extras: Omit<IdentityTestBed, keyof ReadModelTestBed> = {
    webDatabase: base.database,
    readModel: new IdentityReadModel(base.pool, base.database),

    append(...events) {
      return base.appendEvents(...events.map((event) => ({ streamId: identityStreamOf(event), ...event })));
    },

    appendRaw(...events) {
      return base.appendEvents(...events);
    },

    async given(...events) {
      const position = await bed.append(...events);
      await bed.caughtUp();
      return position;
    },

    async givenAt(occurredAt, ...events) {
      const before = bed.occurredAt;
      bed.occurredAt = occurredAt;
      try {
        return await bed.given(...events);
      } finally {
        bed.occurredAt = before;
      }
    },
  };
  // One object: specs set `occurredAt` and `actorId` on it, and the shared bed's envelope reads them there.
  const bed: IdentityTestBed = Object.assign(base, extras);
  return bed;
}

/** The stream the identity domain writes an event to (`identity.<aggregate>-<id>`). */
export function identityStreamOf(event: IdentityWebEvent): string {
  const data = event.data as Record<string, unknown>;
  if ('userId' in data) return `identity.user-${String(data.userId)}`;
  if ('clientId' in data) return `identity.apiClient-${String(data.clientId)}`;
  if ('endpointId' in data) return `identity.serviceEndpoint-${String(data.endpointId)}`;
  throw new Error(`No identity stream for ${event.type}`);
}

/** The SHA-256 hex digest of a token, as the domain stores it. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Example events the specs share. */
export const examples = {
  aliceRegistered: {
    type: 'UserRegistered',
    data: { userId: 'user-alice', username: 'alice', printedName: 'Alice Andersen', emails: ['alice@rh.example'] },
  },
  bobRegistered: {
    type: 'UserRegistered',
    data: { userId: 'user-bob', username: 'bob', printedName: 'Bob Bech', emails: [] },
  },
} satisfies Record<string, IdentityWebEvent>;
