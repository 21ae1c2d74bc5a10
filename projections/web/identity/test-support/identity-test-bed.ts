import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import type { NewEvent, Position } from '@tracershop/event-store';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import {
  migrateProjectionDatabase,
  ProjectionEngine,
  type ProjectionLogger,
  type RunnerState,
} from '@tracershop/projections/engine';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../test/contract/mysql-test-database';
import { identityEventSchemaVersions, type IdentityWebEvent } from '../identity-events';
import { IDENTITY_PROJECTION_NAME, identityProjection } from '../identity-projection';
import { IdentityReadModel } from '../identity-read-model';

const silentLogger: ProjectionLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export type Row = Record<string, unknown>;

/** An event of any type, appended as written: claims, other contexts, versions this projection cannot read. */
export interface RawEvent {
  streamId: string;
  type: string;
  data: unknown;
  schemaVersion?: number;
}

/**
 * A fresh event store and web database with `web.identity` running on them, for
 * `given(events) → then(rows)` specs. Events get the envelope the command pipeline writes.
 */
export interface IdentityTestBed {
  store: MysqlEventStore;
  engine: ProjectionEngine;
  webDatabase: string;
  /** Reads of the web database (its default database). */
  pool: Pool;
  readModel: IdentityReadModel;
  /** Business time of the events appended next (ISO instant); `metadata.occurredAt`. */
  occurredAt: string;
  /** `metadata.actor.id` of the events appended next. */
  actorId: string;
  /** Appends each event to its aggregate's stream, in the order given; returns the last position. */
  append(...events: IdentityWebEvent[]): Promise<Position>;
  appendRaw(...events: RawEvent[]): Promise<Position>;
  /** Appends and waits until `web.identity` has applied the events. */
  given(...events: IdentityWebEvent[]): Promise<Position>;
  /** Appends at a business time, and waits. */
  givenAt(occurredAt: string, ...events: IdentityWebEvent[]): Promise<Position>;
  /** Position of the last event this bed appended. */
  lastPosition(): Position;
  /** Waits until the projection has applied everything appended so far. */
  caughtUp(): Promise<void>;
  /** Resolves when the runner enters `state`. */
  reaches(state: RunnerState, timeoutMs?: number): Promise<void>;
  rows(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

const WAIT_MS = 15_000;

export async function openIdentityTestBed(purpose: string): Promise<IdentityTestBed> {
  const eventsDatabase = testDatabaseName(purpose);
  const webDatabase = `tracershop_web_${purpose}_${randomBytes(4).toString('hex')}`;
  const store = await MysqlEventStore.open({
    connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 4 },
    database: eventsDatabase,
  });
  await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'web', webDatabase);
  const enginePool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 8 });
  const pool = createPool({ ...MYSQL_TEST_CONNECTION, database: webDatabase, connectionLimit: 4 });
  const listeners = new Set<(state: RunnerState) => void>();
  const engine = new ProjectionEngine({
    eventStore: store,
    databases: { web: { pool: enginePool, database: webDatabase } },
    projections: [identityProjection],
    logger: silentLogger,
    lockRetryMs: 100,
    onRunnerStateChange: (_name, state) => listeners.forEach((listener) => listener(state)),
  });
  engine.start();

  const revisions = new Map<string, bigint>();
  let head: Position | null = null;

  const bed: IdentityTestBed = {
    store,
    engine,
    webDatabase,
    pool,
    readModel: new IdentityReadModel(pool, webDatabase),
    occurredAt: '2026-03-02T07:00:00.000Z',
    actorId: 'user-admin',

    append(...events) {
      return bed.appendRaw(...events.map((event) => ({ streamId: identityStreamOf(event), ...event })));
    },

    async appendRaw(...events) {
      for (const event of events) {
        const result = await store.append(
          event.streamId,
          [envelope(event, bed.occurredAt, bed.actorId)],
          revisions.get(event.streamId) ?? 'no_stream',
        );
        revisions.set(event.streamId, result.nextExpectedRevision);
        head = result.position;
      }
      if (!head) throw new Error('nothing appended yet');
      return head;
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

    lastPosition() {
      if (!head) throw new Error('nothing appended yet');
      return head;
    },

    async caughtUp() {
      if (head) await engine.waitForPosition(IDENTITY_PROJECTION_NAME, head, WAIT_MS);
    },

    reaches(state, timeoutMs = WAIT_MS) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`${IDENTITY_PROJECTION_NAME} did not become ${state} within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (reached: RunnerState) => {
          if (reached !== state) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve();
        };
        listeners.add(listener);
      });
    },

    async rows(sql, params = []) {
      const [rows] = await pool.query(sql, params);
      return rows as Row[];
    },

    async close() {
      await engine.stop();
      await enginePool.end();
      await pool.end();
      await store.close();
      await dropTestDatabase(eventsDatabase);
      await dropTestDatabase(webDatabase);
    },
  };
  return bed;
}

/** The envelope the command pipeline writes: server-set actor and recordedAt, the command's business time. */
function envelope(event: RawEvent, occurredAt: string, actorId: string): NewEvent {
  const causationId = randomUUID();
  const schemaVersion =
    event.schemaVersion ?? (identityEventSchemaVersions as Record<string, number | undefined>)[event.type] ?? 1;
  return {
    type: event.type,
    data: event.data,
    metadata: {
      eventId: randomUUID(),
      schemaVersion,
      occurredAt,
      recordedAt: new Date().toISOString(),
      actor: { kind: 'user', id: actorId, printedName: 'Identity Admin', role: 'admin' },
      correlationId: causationId,
      causationId,
    },
  };
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
