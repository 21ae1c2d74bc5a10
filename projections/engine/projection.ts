import { UpcasterRegistry, type RecordedEvent, type Upcaster } from '@tracershop/event-store';

/** The database a projection writes; each has its own checkpoint table. */
export type ProjectionTarget = 'record' | 'web';

export const PROJECTION_TARGETS: readonly ProjectionTarget[] = ['record', 'web'];

/** How a batch is being applied: replaying history, following live, or building shadow tables. */
export type ApplyMode = 'catchUp' | 'live' | 'rebuild';

/** What a handler sees of the batch transaction. */
export interface ProjectionTransaction {
  /** A parameterised query on the batch's connection; returns the rows (or the result header). */
  query<R = unknown>(sql: string, params?: readonly unknown[]): Promise<R>;
  /**
   * A parameterised SELECT whose rows carry every value as the server prints it (or null): what a
   * projection reads to write back unchanged (no DOUBLE or DATETIME round trip through JavaScript).
   */
  queryText(sql: string, params?: readonly unknown[]): Promise<Record<string, string | null>[]>;
  /**
   * A write whose result the handler does not need, for a batch's last writes (`flushBatch`): the
   * engine sends the deferred writes in order, with the checkpoint and the commit, in one round
   * trip (after every event instead when it applies a failed batch again one event at a time, so a
   * failing write is still reported at its event). Queries made after it do not see it yet.
   */
  deferWrite(sql: string, params?: readonly unknown[]): Promise<void>;
  /**
   * Inserts rows of a declared table, a value per column in every row (no column falls back to its
   * default): at once, or with `deferred` among the deferred writes, in order. The rows go as a bulk
   * load where the server takes one (`LOAD DATA LOCAL`, checked row for row), else as one INSERT;
   * either fails as the INSERT would. Values: strings, finite numbers, bigints, booleans, null.
   */
  insertRows(
    logicalTable: string,
    columns: readonly string[],
    rows: readonly (readonly unknown[])[],
    options?: { deferred?: boolean },
  ): Promise<void>;
  /**
   * The quoted, database-qualified name of a declared table: the live table, or its shadow while
   * a rebuild runs. Handlers never spell table names themselves.
   */
  table(logicalName: string): string;
  readonly mode: ApplyMode;
  /**
   * Every table of the projection was empty when this transaction began (a rebuild's first batch,
   * into shadow tables made for it), so a row the batch has not written does not exist: a preload
   * need not ask the server. Reads by any other condition still go to the tables.
   */
  readonly startedEmpty: boolean;
}

/** What `beforeSwap` sees: the shadow tables are complete, the live runner is paused. */
export interface SwapPreparation {
  query<R = unknown>(sql: string, params?: readonly unknown[]): Promise<R>;
  /** Quoted live table name, or null when the live table does not exist yet. */
  live(logicalName: string): string | null;
  shadow(logicalName: string): string;
}

/**
 * What `mergeShadow` sees: the transaction that promotes the rebuilt version, and the shared tables
 * whose shadow copies it merges into the live ones.
 */
export interface ShadowMerge {
  query<R = unknown>(sql: string, params?: readonly unknown[]): Promise<R>;
  /** Shared tables to merge: each exists both live and as a shadow. */
  readonly tables: readonly string[];
  /** Quoted live table name of any declared table; those not shared are the rebuilt ones by now. */
  live(logicalName: string): string;
  /** Quoted shadow table name of a shared table being merged. */
  shadow(logicalName: string): string;
}

/**
 * A read model. Handlers write inside the transaction they are given; the engine commits the
 * batch's writes and the checkpoint together, so a handler is called exactly once per event and
 * needs no idempotency of its own.
 */
export interface Projection {
  /** Letters, digits, `_`, `.` and `-`; stable, it keys the checkpoint and the lock. */
  readonly name: string;
  /** Bump it when the tables or the handler change meaning; a new version is built by `rebuild`. */
  readonly version: number;
  readonly target: ProjectionTarget;
  /** Exact event types handled; others only move the checkpoint. */
  readonly eventTypes: readonly string[];
  /** Only events of streams starting with one of these, when given. */
  readonly streamPrefixes?: readonly string[];
  /**
   * This projection's live batch spacing where it differs from the engine's (`liveBatchSpacingMs`):
   * shorter for a projection whose readers wait on it, at the cost of more, smaller transactions.
   */
  readonly liveBatchSpacingMs?: number;
  /**
   * Logical table name → DDL. The function gets the quoted, qualified physical name and returns
   * one `CREATE TABLE` statement. The live table's physical name is the logical name, which keeps
   * contract tables (the legacy ones) at their exact names.
   */
  readonly tables: Readonly<Record<string, (physicalName: string) => string>>;
  /**
   * Upcasters of the event types it handles whose older schema versions are stored: `handle` and
   * `prepareBatch` then get every event in its current shape (the store is never rewritten).
   */
  readonly upcasters?: readonly Upcaster[];
  handle(event: RecordedEvent, tx: ProjectionTransaction): Promise<void>;
  /**
   * Runs before a batch's first event, in its transaction, with the events the batch will handle:
   * e.g. read every row they touch with one statement per table (`BatchRows.preload`). An
   * optimisation only: handlers must work without it.
   */
  prepareBatch?(events: readonly RecordedEvent[], tx: ProjectionTransaction): Promise<void>;
  /**
   * The session `sql_mode` the handlers write under, when not the pool's: set once per batch after
   * the checkpoint row is locked, and restored before the checkpoint moves and before the
   * connection goes back to the pool.
   */
  readonly sqlMode?: string;
  /**
   * Runs after a batch's last event, in its transaction, before the checkpoint moves: writes what
   * the handlers kept in memory for the batch (e.g. one multi-row statement instead of one per
   * event). When the batch fails, the engine applies it again with a flush after every event, so
   * a failure is still reported at the event that caused it.
   */
  flushBatch?(tx: ProjectionTransaction): Promise<void>;
  /**
   * Live-only side effects (socket pushes, notifications) for a committed batch. Never called while
   * catching up or rebuilding; at most once per event (a crash after commit skips it), so anything
   * that must happen belongs in a worker on its own subscription. Errors are logged, not retried.
   */
  onLive?(events: readonly RecordedEvent[]): Promise<void> | void;
  /**
   * Runs once the shadow tables are complete, just before the swap, with the live runner paused:
   * e.g. carry over columns the projection does not own, AUTO_INCREMENT counters and triggers.
   */
  beforeSwap?(swap: SwapPreparation): Promise<void>;
  /**
   * Tables another system writes too (the old system's tables beside this projection's rows). A
   * rebuild never renames them: the other system's rows, and what it writes while the swap runs,
   * stay where they are. `mergeShadow` puts the rebuilt rows into them instead, in the transaction
   * that promotes the rebuilt version, so readers see the old rows or the new ones, never a mix;
   * the shadow copies are dropped once it has committed. A shared table with no live table yet is
   * renamed like the others.
   */
  readonly sharedTables?: readonly string[];
  /** Replaces this projection's rows in the shared live tables with the shadow's (see `sharedTables`). */
  mergeShadow?(merge: ShadowMerge): Promise<void>;
}

const PROJECTION_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const TABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
/** Longest suffix the engine adds to a live table name: `__v<version>_shadow` / `__v<version>_old`. */
const MAX_SUFFIX = `__v${2 ** 31}_shadow`.length;

/** Rejects a definition the engine cannot run safely, before anything touches a database. */
export function assertValidProjection(projection: Projection): void {
  const { name, version, target, eventTypes, tables } = projection;
  const fail = (reason: string) => {
    throw new Error(`Invalid projection ${JSON.stringify(name)}: ${reason}`);
  };
  if (typeof name !== 'string' || !PROJECTION_NAME.test(name)) fail('name: use 1 to 100 letters, digits, _ . -');
  if (!Number.isInteger(version) || version < 1 || version >= 2 ** 31) fail('version must be a positive integer');
  if (target !== 'record' && target !== 'web') fail('target must be record or web');
  if (!Array.isArray(eventTypes) || eventTypes.length === 0) fail('declare at least one event type');
  const logicalNames = Object.keys(tables);
  if (logicalNames.length === 0) fail('declare at least one table');
  for (const table of logicalNames) {
    if (!TABLE_NAME.test(table)) fail(`table ${JSON.stringify(table)}: use letters, digits and _`);
    if (table.length + MAX_SUFFIX > 64) fail(`table ${table}: name too long for its shadow (max ${64 - MAX_SUFFIX})`);
    if (table === 'projection_checkpoints' || table === 'schema_migrations') fail(`table ${table} is reserved`);
    if (typeof tables[table] !== 'function') fail(`table ${table}: DDL must be a function of the physical name`);
  }
  const shared = projection.sharedTables ?? [];
  for (const table of shared) if (!logicalNames.includes(table)) fail(`shared table ${table} is not declared`);
  if (shared.length > 0 && typeof projection.mergeShadow !== 'function') fail('shared tables need mergeShadow');
  try {
    upcasterRegistryOf(projection);
  } catch (error) {
    fail(`upcasters: ${(error as Error).message}`);
  }
}

const upcasterRegistries = new WeakMap<Projection, UpcasterRegistry>();

/** The projection's upcasters, registered once; registering throws on a duplicate or a skipped version. */
function upcasterRegistryOf(projection: Projection): UpcasterRegistry {
  let registry = upcasterRegistries.get(projection);
  if (!registry) {
    registry = new UpcasterRegistry();
    for (const upcaster of projection.upcasters ?? []) registry.register(upcaster);
    upcasterRegistries.set(projection, registry);
  }
  return registry;
}

/** The event as the projection reads it: an older stored schema version upcast by its `upcasters`. */
export function inCurrentShape(projection: Projection, event: RecordedEvent): RecordedEvent {
  if (!projection.upcasters || projection.upcasters.length === 0) return event;
  return upcasterRegistryOf(projection).upcast(event);
}

/** Whether the projection handles an event: its exact type, and its stream prefixes when declared. */
export function eventMatcher(projection: Projection): (event: RecordedEvent) => boolean {
  const types = new Set(projection.eventTypes);
  const prefixes = projection.streamPrefixes;
  return (event) =>
    types.has(event.type) && (prefixes === undefined || prefixes.some((prefix) => event.streamId.startsWith(prefix)));
}
