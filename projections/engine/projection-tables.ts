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
  return (await existingTables(pool, database, [table])).has(table);
}

/**
 * Which of these tables exist: one query for all of them. A name the server matched under its
 * collation (as `table_name = ?` would) counts as the name asked for.
 */
export async function existingTables(pool: Pool, database: string, tables: readonly string[]): Promise<Set<string>> {
  if (tables.length === 0) return new Set();
  const [rows] = await pool.query(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name IN (?)',
    [database, tables],
  );
  const found = new Set((rows as Array<{ name: string }>).map((row) => row.name.toLowerCase()));
  return new Set(tables.filter((table) => found.has(table.toLowerCase())));
}

/**
 * Creates the live tables that do not exist yet. An existing table is kept as it is: it may be a
 * contract table created by a migration (the legacy ones), or this projection's from a crash
 * between creating tables and writing the first checkpoint.
 */
export async function createMissingLiveTables(pool: Pool, database: string, projection: Projection): Promise<void> {
  const existing = await existingTables(pool, database, Object.keys(projection.tables));
  for (const [logical, ddl] of Object.entries(projection.tables)) {
    if (!existing.has(logical)) await pool.query(ddl(qualifiedName(database, logical)));
  }
}

/** Fresh, empty shadow tables for a rebuild of the projection's current version, made side by side. */
export async function createShadowTables(pool: Pool, database: string, projection: Projection): Promise<void> {
  await dropShadowTables(pool, database, projection);
  const shadow = physicalTables(database, projection, 'shadow');
  await Promise.all(
    Object.entries(projection.tables).map(([logical, ddl]) => pool.query(ddl(shadow.get(logical) ?? logical))),
  );
}

/** One statement for all of them. */
export async function dropShadowTables(pool: Pool, database: string, projection: Projection): Promise<void> {
  const names = [...physicalTables(database, projection, 'shadow').values()];
  if (names.length > 0) await pool.query(`DROP TABLE IF EXISTS ${names.join(', ')}`);
}

export async function allTablesExist(pool: Pool, database: string, tables: readonly string[]): Promise<boolean> {
  const existing = await existingTables(pool, database, tables);
  return tables.every((table) => existing.has(table));
}
