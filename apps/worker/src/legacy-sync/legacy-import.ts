import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { isReservedLegacyId, type LegacyIdTable } from '@tracershop/domain/legacy';
import { Position } from '@tracershop/event-store';
import { fitLockName, ProjectionLock } from '@tracershop/projections/engine';
import { CATALOG_PROJECTION_NAME, legacySyncTables } from '@tracershop/projections/record';
import { reservedIdRanges } from '@tracershop/projections/legacy';
import {
  capturedColumnsPresent,
  rowJson,
  rowKey,
  type CapturedTable,
} from '../../../../migrations/record/1795478400000-create-legacy-capture';
import { LEGACY_IMPORT_ACCOUNT } from './captured-change';

/**
 * The go-live import (`cli import-legacy`): the rows the old database held before its capture
 * triggers existed (its customers, FDG runs and delivery times, injection permissions, closed
 * dates and open orders to come) are queued in `legacy_capture` as if the old system had just
 * inserted them, and the legacy inbound sync turns them into commands under the same rules as
 * every later change: exactly once, refusals listed for reconciliation, never dropped. The
 * projections then adopt the old rows instead of copying them.
 *
 * Steps run in the order their lookups need: a step is queued once the sync has finished the one
 * before it and the catalogue read model has caught up with what that step registered.
 *
 * A run that stopped (no worker synced) leaves its changes queued. Every later run waits for them
 * too, step by step, before it goes on (a step's rows known because they are queued are not done),
 * and reports every import change still pending or open (refused or unsupported, not reconciled),
 * whichever run queued it: an import is done only when none is left.
 */

/** The account the queued changes name: their events' actor is `old-tracershop:import-legacy`. */
export { LEGACY_IMPORT_ACCOUNT };

const ORDERED = 1;
const ACCEPTED = 2;

export interface LegacyImportStep {
  table: string;
  /** What its rows become, for the report. */
  what: string;
  /** Which rows (SQL on alias `t`); every `?` is the first delivery date imported. */
  where: string;
  /** The id Tracershop allocates even numbers of in its reserved blocks: such rows are its own. */
  id: { column: string; range: LegacyIdTable };
  /**
   * An order table: a row comes as placed (status 1) when its `order_time` says it was, and an
   * accepted one (status 2) is accepted after it, as production did.
   */
  orders?: boolean;
}

/** Open orders rows a move or a release made or touched: production's bookkeeping, not imported. */
const PART_OF_A_MOVE = 't.COID <> -1 OR EXISTS (SELECT 1 FROM `orders` moved WHERE moved.COID = t.OID)';

export const LEGACY_IMPORT_STEPS: readonly LegacyImportStep[] = [
  {
    table: 'UserRoles',
    what: 'customers (customer role and a dispenser number), each with an endpoint that may order FDG',
    where: 't.Id_Role = 4',
    id: { column: 'Id_User', range: 'Users' },
  },
  {
    table: 'productionTimes',
    what: 'FDG production runs',
    where: '1 = 1',
    id: { column: 'PTID', range: 'productionTimes' },
  },
  {
    table: 'deliverTimes',
    what: 'FDG delivery time slots',
    where: '1 = 1',
    id: { column: 'DTID', range: 'deliverTimes' },
  },
  {
    table: 'TracerCustomer',
    what: 'injection tracer permissions',
    where: '1 = 1',
    id: { column: 'ID', range: 'TracerCustomer' },
  },
  {
    table: 'blockDeliverDate',
    what: 'closed dates',
    where: 't.ddate >= ?',
    id: { column: 'BDID', range: 'blockDeliverDate' },
  },
  {
    table: 'orders',
    what: 'open FDG orders',
    where: `t.status IN (${ORDERED}, ${ACCEPTED}) AND t.deliver_datetime >= ? AND NOT (${PART_OF_A_MOVE})`,
    id: { column: 'OID', range: 'orders' },
    orders: true,
  },
  {
    table: 't_orders',
    what: 'open injection orders',
    where: `t.status IN (${ORDERED}, ${ACCEPTED}) AND t.deliver_datetime >= ?`,
    id: { column: 'OID', range: 't_orders' },
    orders: true,
  },
];

export interface LegacyImportOptions {
  record: Pool;
  /** Reads the catalogue projection's committed checkpoint. */
  waitForPosition(projection: string, position: string, timeoutMs: number): Promise<void>;
  /** First delivery date whose orders and closed dates are imported (the business day of go-live). */
  from: string;
  /** Only count what would be queued. */
  dryRun?: boolean;
  /** How long the sync may make no progress before the import gives up (it can be run again). */
  stallMs?: number;
  pollMs?: number;
  /** Time of the queued changes that have none of their own (ISO instant). */
  now?: () => string;
  log?: (line: string) => void;
}

export type CaptureOutcomeCounts = Record<'pending' | 'applied' | 'unchanged' | 'rejected' | 'unsupported', number>;

export interface LegacyImportStepReport {
  table: string;
  what: string;
  /** Rows the step selected. */
  rows: number;
  /** Of those, rows already known: captured before, or Tracershop's own. */
  known: number;
  /** Captured changes queued (an accepted order is two). */
  queued: number;
  /** Changes of this table an earlier run queued that were still pending when this run began. */
  carriedOver: number;
  /** Of the changes queued and carried over. */
  outcomes: CaptureOutcomeCounts;
}

export interface OpenImportedChange {
  id: number;
  table: string;
  rowKey: string;
  outcome: string;
  code: string | null;
  message: string | null;
}

export interface LegacyImportReport {
  from: string;
  dryRun: boolean;
  steps: LegacyImportStepReport[];
  /** Open orders rows left to the old system: part of a move (a moved row, its host or a ghost), by OID. */
  leftInOldSystem: number[];
  /**
   * Import changes (of any run) the sync has not taken yet when this run ends: none unless a dry
   * run, or a table this database lacks now.
   */
  pending: number;
  /**
   * Import changes (of any run) the sync refused or does not translate and nobody has reconciled:
   * the first `OPEN_LISTED`, and how many there are.
   */
  open: OpenImportedChange[];
  openCount: number;
}

export class LegacyImportStalledError extends Error {}
/** Another import of the same database is running: two would queue the same rows twice. */
export class LegacyImportBusyError extends Error {}

interface CandidateRow extends RowDataPacket {
  rowKey: string;
  id: number | string;
  rowJson: string;
  status: number | null;
  orderedAt: number | string | null;
}

interface QueuedChange {
  operation: 'insert' | 'update';
  rowKey: string;
  before: string | null;
  after: string;
  capturedAt: string;
}

const CHUNK_ROWS = 500;
const OPEN_LISTED = 200;

/** `legacy_capture.captured_at` text (UTC, microseconds) of an instant. */
const capturedAtOf = (instant: string) => instant.replace('T', ' ').replace('Z', '');

export async function importLegacy(options: LegacyImportOptions): Promise<LegacyImportReport> {
  const [[{ database }]] = (await options.record.query('SELECT DATABASE() AS `database`')) as unknown as [
    Array<{ database: string }>,
  ];
  const lockName = fitLockName(`tracershop:import-legacy:${database}`);
  const lock = await ProjectionLock.tryAcquire(options.record, lockName);
  if (!lock) throw new LegacyImportBusyError(`Another import-legacy of ${database} is running; run this one after it`);
  try {
    return await importUnderLock(options);
  } finally {
    await lock.release();
  }
}

async function importUnderLock(options: LegacyImportOptions): Promise<LegacyImportReport> {
  const { record, from } = options;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? (() => new Date().toISOString());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) throw new Error(`from must be a date (YYYY-MM-DD), not ${from}`);
  const tables = new Map(capturedColumnsPresent(await columnsOf(record)).map((table) => [table.table, table]));
  const reserved = await reservedIdRanges(record);
  const report: LegacyImportReport = {
    from,
    dryRun: options.dryRun === true,
    steps: [],
    leftInOldSystem: await leftInOldSystem(record, from),
    pending: 0,
    open: [],
    openCount: 0,
  };
  for (const step of LEGACY_IMPORT_STEPS) {
    const captured = tables.get(step.table);
    if (!captured) {
      log(`${step.table}: not in this database, or without its key columns; skipped`);
      continue;
    }
    const candidates = await candidatesOf(record, step, captured, from);
    const known = await capturedKeys(record, step.table);
    const range = reserved.get(step.id.range);
    const isTracershops = (id: number) => range !== undefined && isReservedLegacyId(id, range);
    const fresh = candidates.filter((row) => !known.has(String(row.rowKey)) && !isTracershops(Number(row.id)));
    const changes = fresh.flatMap((row) => changesOf(step, row, now()));
    // Queued by an earlier run that stopped: known above, but not done.
    const carriedOver = await pendingImportIds(record, step.table);
    const stepReport: LegacyImportStepReport = {
      table: step.table,
      what: step.what,
      rows: candidates.length,
      known: candidates.length - fresh.length,
      queued: changes.length,
      carriedOver: carriedOver.length,
      outcomes: { pending: changes.length + carriedOver.length, applied: 0, unchanged: 0, rejected: 0, unsupported: 0 },
    };
    report.steps.push(stepReport);
    if (report.dryRun || (changes.length === 0 && carriedOver.length === 0)) {
      log(`${step.table}: ${describeStep(stepReport)}`);
      continue;
    }
    const firstId = changes.length > 0 ? await queue(record, step.table, changes) : null;
    if (firstId !== null) log(`${step.table}: ${changes.length} changes queued for the legacy sync`);
    if (carriedOver.length > 0) {
      log(`${step.table}: waiting for ${carriedOver.length} changes an earlier run queued, still pending`);
    }
    const { outcomes, lastPosition } = await synced(record, step.table, { firstId, carriedOver }, options);
    stepReport.outcomes = outcomes;
    log(`${step.table}: ${describeStep(stepReport)}`);
    // The next step's lookups read the catalogue: it must show what this step registered.
    if (lastPosition) await options.waitForPosition(CATALOG_PROJECTION_NAME, lastPosition, options.stallMs ?? 60_000);
  }
  report.pending = await pendingImportCount(record);
  const open = await openImportChanges(record);
  report.open = open.listed;
  report.openCount = open.count;
  return report;
}

function describeStep(step: LegacyImportStepReport): string {
  const { outcomes } = step;
  const done = Object.entries(outcomes)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => `${outcome} ${count}`);
  return (
    `${step.rows} rows (${step.what}), ${step.known} known already, ${step.queued} changes` +
    (step.carriedOver > 0 ? ` (and ${step.carriedOver} an earlier run queued)` : '') +
    (done.length > 0 ? `: ${done.join(', ')}` : '')
  );
}

async function columnsOf(record: Pool): Promise<Array<{ table_name: string; column_name: string }>> {
  const [rows] = await record.query<RowDataPacket[]>(
    `SELECT table_name AS table_name, column_name AS column_name FROM information_schema.columns
      WHERE table_schema = DATABASE()`,
  );
  return rows as Array<{ table_name: string; column_name: string }>;
}

async function leftInOldSystem(record: Pool, from: string): Promise<number[]> {
  const [rows] = await record.query<RowDataPacket[]>(
    `SELECT t.OID AS oid FROM \`orders\` t
      WHERE t.status IN (${ORDERED}, ${ACCEPTED}) AND t.deliver_datetime >= ? AND (${PART_OF_A_MOVE})
      ORDER BY t.OID`,
    [from],
  );
  return rows.map((row) => Number(row.oid));
}

async function candidatesOf(
  record: Pool,
  step: LegacyImportStep,
  captured: CapturedTable,
  from: string,
): Promise<CandidateRow[]> {
  const params = step.where
    .split('?')
    .slice(1)
    .map(() => from);
  const [rows] = await record.query<CandidateRow[]>(
    `SELECT ${rowKey('t', captured.key)} AS rowKey, t.\`${step.id.column}\` AS id,
            ${rowJson('t', captured.columns)} AS rowJson,
            ${step.orders ? 't.status' : 'NULL'} AS status,
            ${step.orders ? 'UNIX_TIMESTAMP(t.order_time)' : 'NULL'} AS orderedAt
       FROM \`${step.table}\` t WHERE ${step.where}
      ORDER BY ${captured.key.map((column) => `t.\`${column}\``).join(', ')}`,
    params,
  );
  return rows;
}

/**
 * Keys of the table's rows the capture table holds the insert of: synced already, or queued. A row
 * the old system only updated since its triggers exist was there before them: its insert was never
 * captured, so the import still brings it (as it stands now).
 */
async function capturedKeys(record: Pool, table: string): Promise<Set<string>> {
  const [rows] = await record.query<RowDataPacket[]>(
    "SELECT DISTINCT row_key AS rowKey FROM legacy_capture WHERE table_name = ? AND operation = 'insert'",
    [table],
  );
  return new Set(rows.map((row) => String(row.rowKey)));
}

/** The changes a row is queued as: an insert; for an accepted order, an insert as placed and its acceptance. */
function changesOf(step: LegacyImportStep, row: CandidateRow, now: string): QueuedChange[] {
  const rowKey = String(row.rowKey);
  const json = typeof row.rowJson === 'string' ? row.rowJson : JSON.stringify(row.rowJson);
  if (!step.orders) return [{ operation: 'insert', rowKey, before: null, after: json, capturedAt: now }];
  const orderedAt = row.orderedAt === null ? null : Number(row.orderedAt);
  // The order was placed when its row was written: the ordering deadline is judged at that time.
  const placedAt = orderedAt !== null && orderedAt > 0 ? new Date(orderedAt * 1000).toISOString() : now;
  if (Number(row.status) !== ACCEPTED) {
    return [{ operation: 'insert', rowKey, before: null, after: json, capturedAt: placedAt }];
  }
  const placed = JSON.stringify({ ...(JSON.parse(json) as Record<string, unknown>), status: ORDERED });
  return [
    { operation: 'insert', rowKey, before: null, after: placed, capturedAt: placedAt },
    { operation: 'update', rowKey, before: placed, after: json, capturedAt: now < placedAt ? placedAt : now },
  ];
}

/** Queues the changes in one transaction; returns the first id they took. */
async function queue(record: Pool, table: string, changes: readonly QueuedChange[]): Promise<number> {
  const connection = await record.getConnection();
  try {
    await connection.query('START TRANSACTION');
    let firstId: number | null = null;
    for (let start = 0; start < changes.length; start += CHUNK_ROWS) {
      const chunk = changes.slice(start, start + CHUNK_ROWS);
      const [result] = await connection.query<ResultSetHeader>(
        `INSERT INTO legacy_capture (table_name, operation, row_key, before_row, after_row, captured_at, captured_by)
         VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((change) => [
          table,
          change.operation,
          change.rowKey,
          change.before,
          change.after,
          capturedAtOf(change.capturedAt),
          LEGACY_IMPORT_ACCOUNT,
        ]),
      );
      firstId ??= result.insertId;
    }
    await connection.query('COMMIT');
    return firstId as number;
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    connection.release();
  }
}

/** Ids of the import's changes of this table the sync has not taken yet, in id order. */
async function pendingImportIds(record: Pool, table: string): Promise<number[]> {
  const [rows] = await record.query<RowDataPacket[]>(
    "SELECT id FROM legacy_capture WHERE outcome = 'pending' AND captured_by = ? AND table_name = ? ORDER BY id",
    [LEGACY_IMPORT_ACCOUNT, table],
  );
  return rows.map((row) => Number(row.id));
}

async function pendingImportCount(record: Pool): Promise<number> {
  const [[row]] = await record.query<RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM legacy_capture WHERE outcome = 'pending' AND captured_by = ?",
    [LEGACY_IMPORT_ACCOUNT],
  );
  return Number(row.n);
}

/**
 * Waits until the sync has finished the step's changes: those this run queued (from `firstId`) and
 * those an earlier run left pending. Gives up when it makes no progress for `stallMs`.
 */
async function synced(
  record: Pool,
  table: string,
  changes: { firstId: number | null; carriedOver: readonly number[] },
  options: LegacyImportOptions,
): Promise<{ outcomes: CaptureOutcomeCounts; lastPosition: string | null }> {
  const stallMs = options.stallMs ?? 60_000;
  const pollMs = options.pollMs ?? 250;
  const carried = new Set(changes.carriedOver);
  const ids = [...changes.carriedOver, ...(changes.firstId === null ? [] : [changes.firstId])];
  const fromId = Math.min(...ids);
  const ours = (id: number) => carried.has(id) || (changes.firstId !== null && id >= changes.firstId);
  let pending = Number.POSITIVE_INFINITY;
  let progressAt = Date.now();
  for (;;) {
    const [rows] = await record.query<RowDataPacket[]>(
      `SELECT id, outcome, position FROM legacy_capture WHERE captured_by = ? AND table_name = ? AND id >= ?`,
      [LEGACY_IMPORT_ACCOUNT, table, fromId],
    );
    const outcomes: CaptureOutcomeCounts = { pending: 0, applied: 0, unchanged: 0, rejected: 0, unsupported: 0 };
    let lastPosition: Position | null = null;
    for (const row of rows) {
      if (!ours(Number(row.id))) continue;
      outcomes[row.outcome as keyof CaptureOutcomeCounts] += 1;
      if (row.position === null) continue;
      const position = Position.parse(String(row.position));
      if (!lastPosition || lastPosition.isBefore(position)) lastPosition = position;
    }
    if (outcomes.pending === 0) return { outcomes, lastPosition: lastPosition?.toString() ?? null };
    if (outcomes.pending < pending) {
      pending = outcomes.pending;
      progressAt = Date.now();
    } else if (Date.now() - progressAt > stallMs) {
      const all = await pendingImportCount(record);
      throw new LegacyImportStalledError(
        `${table}: the legacy sync finished none of the ${outcomes.pending} pending changes for ${Math.round(stallMs / 1000)} s ` +
          `(${all} import changes pending in all). ` +
          'Is a worker running with LEGACY_SYNC=true? The changes stay queued; run import-legacy again to go on.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

const RECONCILIATIONS = `\`${legacySyncTables.reconciliations}\``;

/**
 * The import's changes (of any run) the sync refused or does not translate that nobody has
 * reconciled yet (`POST /legacy/captured-changes/:id/reconcile`): the first `OPEN_LISTED` and the count.
 */
async function openImportChanges(record: Pool): Promise<{ listed: OpenImportedChange[]; count: number }> {
  const open = (reconciled: string) => `
      FROM legacy_capture c
     WHERE c.captured_by = ? AND c.outcome IN ('rejected', 'unsupported')${reconciled}`;
  const reconciledIn = (table: string) => `
       AND NOT EXISTS (SELECT 1 FROM ${table} r WHERE r.capture_id = c.id AND r.captured_at = c.captured_at)`;
  const read = async (reconciled: string) => {
    const [rows] = await record.query<RowDataPacket[]>(
      `SELECT c.id, c.table_name AS \`table\`, c.row_key AS rowKey, c.outcome, c.outcome_code AS code,
              c.outcome_message AS message ${open(reconciled)}
        ORDER BY c.id LIMIT ${OPEN_LISTED}`,
      [LEGACY_IMPORT_ACCOUNT],
    );
    const [[counted]] = await record.query<RowDataPacket[]>(`SELECT COUNT(*) AS n ${open(reconciled)}`, [
      LEGACY_IMPORT_ACCOUNT,
    ]);
    return { rows, count: Number(counted.n) };
  };
  let found;
  try {
    found = await read(reconciledIn(RECONCILIATIONS));
  } catch (error) {
    // Before the projector has made the reconciliations table, nothing is reconciled.
    if ((error as { code?: unknown }).code !== 'ER_NO_SUCH_TABLE') throw error;
    found = await read('');
  }
  return {
    count: found.count,
    listed: found.rows.map((row) => ({
      id: Number(row.id),
      table: String(row.table),
      rowKey: String(row.rowKey),
      outcome: String(row.outcome),
      code: row.code === null ? null : String(row.code),
      message: row.message === null ? null : String(row.message),
    })),
  };
}
