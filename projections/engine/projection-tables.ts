import type { Pool } from 'mysql2/promise';
import { qualifiedName, tableName, type TableGeneration } from './physical-names';
import type { Projection } from './projection';

/** Logical name → quoted, qualified physical name of one generation of a projection's tables. */
export function physicalTables(
  database: string,
  projection: Projection,
  generation: TableGeneration,
): ReadonlyMap<string, string> {
  return new Map(
    Object.keys(projection.tables).map((logical) => [
      logical,
      qualifiedName(database, tableName(logical, generation, projection.version)),
    ]),
  );
}

export async function tableExists(pool: Pool, database: string, table: string): Promise<boolean> {
  const [rows] = await pool.query(
    'SELECT COUNT(*) AS found FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
    [database, table],
  );
  return Number((rows as Array<{ found: unknown }>)[0].found) > 0;
}

/**
 * Creates the live tables that do not exist yet. An existing table is kept as it is: it may be a
 * contract table created by a migration (the legacy ones), or this projection's from a crash
 * between creating tables and writing the first checkpoint.
 */
export async function createMissingLiveTables(pool: Pool, database: string, projection: Projection): Promise<void> {
  for (const [logical, ddl] of Object.entries(projection.tables)) {
    if (await tableExists(pool, database, logical)) continue;
    await pool.query(ddl(qualifiedName(database, logical)));
  }
}

/** Fresh, empty shadow tables for a rebuild of the projection's current version. */
export async function createShadowTables(pool: Pool, database: string, projection: Projection): Promise<void> {
  await dropShadowTables(pool, database, projection);
  for (const [logical, ddl] of Object.entries(projection.tables)) {
    await pool.query(ddl(qualifiedName(database, tableName(logical, 'shadow', projection.version))));
  }
}

export async function dropShadowTables(pool: Pool, database: string, projection: Projection): Promise<void> {
  for (const logical of Object.keys(projection.tables)) {
    await pool.query(
      `DROP TABLE IF EXISTS ${qualifiedName(database, tableName(logical, 'shadow', projection.version))}`,
    );
  }
}

export async function allTablesExist(pool: Pool, database: string, tables: readonly string[]): Promise<boolean> {
  for (const table of tables) if (!(await tableExists(pool, database, table))) return false;
  return true;
}
