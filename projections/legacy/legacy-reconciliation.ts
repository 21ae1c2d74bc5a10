import { randomBytes } from 'node:crypto';
import { createConnection, createPool, type ConnectionOptions, type Pool, type RowDataPacket } from 'mysql2/promise';
import type { EventStore } from '@tracershop/event-store';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { migrateProjectionDatabase, ProjectionEngine, type Projection } from '@tracershop/projections/engine';
import { isReservedLegacyId } from '@tracershop/domain/legacy';
import { reservedIdRanges } from './legacy-id-ranges';
import { idRangeOf, primaryKeyOf } from './legacy-projection';
import { legacyColumns, legacyColumnsNotOwned, legacyContractTables, type LegacyContractTable } from './legacy-tables';

/**
 * Projection reconciliation for the legacy tables (GMP, auditor capability 8): the legacy
 * projection is rebuilt from the event store into a scratch database and compared, row by row and
 * column by column, with the live tables the old system reads. It proves that what the old system
 * shows derives from the record, and finds what does not:
 *
 * - `missing`: a row the record makes that the live table lacks;
 * - `different`: a row whose owned columns differ (the old system's own columns are not compared);
 * - `extra`: a live row with an id of Tracershop's reserved blocks that the record does not make.
 *
 * The old system's own rows (its older rows and odd ids) are not Tracershop's and are left out.
 */

export interface LegacyTableReconciliation {
  table: LegacyContractTable;
  /** Rows the rebuild made. */
  rows: number;
  missing: number;
  different: number;
  extra: number;
}

export interface LegacyDifference {
  table: LegacyContractTable;
  kind: 'missing' | 'different' | 'extra';
  key: Record<string, unknown>;
  /** For `different`: each column that differs, live and rebuilt. */
  columns?: Array<{ column: string; live: unknown; rebuilt: unknown }>;
}

export interface LegacyReconciliation {
  /** The event store position the rebuild reached. */
  position: string;
  tables: LegacyTableReconciliation[];
  /** The first differences found, up to `maxListed`. */
  differences: LegacyDifference[];
  /** All differences, listed or not. */
  differenceCount: number;
}

export interface LegacyReconciliationRequest {
  store: EventStore;
  /** The record database's server (user, host…; no database). */
  connection: ConnectionOptions;
  /** The record database that holds the live legacy tables. */
  liveDatabase: string;
  /** The legacy projection as the projector runs it (its time zone). */
  projection: Projection;
  maxListed?: number;
}

/** Every value as text, as a reader of the old system would compare it. */
const asText = (value: unknown) => (value === null || value === undefined ? null : String(value));

export async function reconcileLegacyTables(request: LegacyReconciliationRequest): Promise<LegacyReconciliation> {
  const scratch = `${request.liveDatabase.slice(0, 40)}_reconcile_${randomBytes(4).toString('hex')}`;
  const maxListed = request.maxListed ?? 200;
  const open = (database: string): Pool =>
    createPool({
      ...request.connection,
      database,
      connectionLimit: 4,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      charset: 'utf8mb4',
      multipleStatements: true,
    });
  await migrateProjectionDatabase(request.connection, 'record', scratch);
  const rebuiltPool = open(scratch);
  const livePool = open(request.liveDatabase);
  try {
    const engine = new ProjectionEngine({
      eventStore: request.store,
      databases: { record: { pool: rebuiltPool, database: scratch } },
      projections: [request.projection],
    });
    let position: string;
    try {
      position = (await engine.rebuild(request.projection.name)).position.toString();
    } finally {
      await engine.stop();
    }
    const ranges = await reservedIdRanges(rebuiltPool);
    const result: LegacyReconciliation = { position, tables: [], differences: [], differenceCount: 0 };
    const found = (difference: LegacyDifference) => {
      result.differenceCount += 1;
      if (result.differences.length < maxListed) result.differences.push(difference);
    };
    for (const table of legacyContractTables) {
      const key = primaryKeyOf(table);
      const notOwned = legacyColumnsNotOwned[table] ?? [];
      const columns = legacyColumns[table].filter((column) => !notOwned.includes(column));
      const select = `SELECT ${columns.map((column) => `\`${column}\``).join(', ')} FROM \`${table}\``;
      const [rebuilt] = await rebuiltPool.query<RowDataPacket[]>(select);
      const [live] = await livePool.query<RowDataPacket[]>(select);
      const keyOf = (row: RowDataPacket) => JSON.stringify(key.map((column) => asText(row[column])));
      const keyValues = (row: RowDataPacket) => Object.fromEntries(key.map((column) => [column, row[column]]));
      const liveByKey = new Map(live.map((row) => [keyOf(row), row]));
      const rebuiltKeys = new Set<string>();
      const counts: LegacyTableReconciliation = { table, rows: rebuilt.length, missing: 0, different: 0, extra: 0 };
      for (const row of rebuilt) {
        const rowKey = keyOf(row);
        rebuiltKeys.add(rowKey);
        const liveRow = liveByKey.get(rowKey);
        if (!liveRow) {
          counts.missing += 1;
          found({ table, kind: 'missing', key: keyValues(row) });
          continue;
        }
        const differing = columns
          .filter((column) => asText(liveRow[column]) !== asText(row[column]))
          .map((column) => ({ column, live: liveRow[column], rebuilt: row[column] }));
        if (differing.length > 0) {
          counts.different += 1;
          found({ table, kind: 'different', key: keyValues(row), columns: differing });
        }
      }
      const idRange = idRangeOf[table];
      const range = idRange ? ranges.get(idRange.range) : undefined;
      if (idRange && range) {
        for (const row of live) {
          if (isReservedLegacyId(Number(row[idRange.column]), range) && !rebuiltKeys.has(keyOf(row))) {
            counts.extra += 1;
            found({ table, kind: 'extra', key: keyValues(row) });
          }
        }
      }
      result.tables.push(counts);
    }
    return result;
  } finally {
    await Promise.all([rebuiltPool.end(), livePool.end()]);
    const admin = await createConnection({ ...request.connection });
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(scratch)}`);
    } finally {
      await admin.end();
    }
  }
}
