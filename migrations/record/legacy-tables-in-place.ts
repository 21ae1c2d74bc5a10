import type { QueryRunner } from 'typeorm';

/** A legacy table as the contract (shared/domain/legacy-tables.md) has it, for the check of one the old database holds. */
export interface LegacyContractTable {
  /** The contract's exact name. */
  readonly table: string;
  /** The contract's columns; the old system may have more. */
  readonly columns: readonly string[];
  /** The legacy projection writes it: its rows commit with the projection's checkpoint, so only InnoDB will do. */
  readonly innoDb: boolean;
}

interface TableRow {
  table_schema: string;
  table_name: string;
  table_type: string;
  engine: string | null;
}

interface ColumnRow {
  table_schema: string;
  table_name: string;
  column_name: string;
}

/**
 * What is wrong with the contract tables the record database already holds (tables it lacks are
 * not checked here: the migration creates them), one line per table: missing columns, an engine
 * other than InnoDB. Empty when the legacy projection can write every one of them.
 *
 * Table names count as the contract spells them: with `lower_case_table_names=0` (what the
 * contract asks for; Linux's default) `users` is not `Users`. With 1 or 2 the server folds table
 * names, and so does this check. Column names are case-insensitive on every server (the old
 * system spells `Kundenr`, the contract `kundenr`), so they are compared so. information_schema
 * compares names case-insensitively on MariaDB, so names are compared here, not in its WHERE.
 */
export async function legacyTablesInPlaceMismatches(
  queryRunner: QueryRunner,
  contract: readonly LegacyContractTable[],
): Promise<string[]> {
  const [{ database, lowerCaseTableNames }]: Array<{ database: string; lowerCaseTableNames: string | number }> =
    await queryRunner.query('SELECT DATABASE() AS `database`, @@lower_case_table_names AS lowerCaseTableNames');
  const foldsNames = Number(lowerCaseTableNames) !== 0;
  const sameName = (name: string, contractName: string) =>
    foldsNames ? name.toLowerCase() === contractName.toLowerCase() : name === contractName;
  const tables: TableRow[] = (
    await queryRunner.query(
      `SELECT table_schema AS table_schema, table_name AS table_name, table_type AS table_type, engine AS engine
       FROM information_schema.tables WHERE table_schema = DATABASE()`,
    )
  ).filter((row: TableRow) => sameName(row.table_schema, database));
  const columns: ColumnRow[] = (
    await queryRunner.query(
      `SELECT table_schema AS table_schema, table_name AS table_name, column_name AS column_name
       FROM information_schema.columns WHERE table_schema = DATABASE()`,
    )
  ).filter((row: ColumnRow) => sameName(row.table_schema, database));

  const mismatches: string[] = [];
  for (const { table, columns: contractColumns, innoDb } of contract) {
    const existing = tables.find((row) => sameName(row.table_name, table));
    if (!existing) continue;
    const has = new Set(
      columns.filter((row) => sameName(row.table_name, table)).map((row) => row.column_name.toLowerCase()),
    );
    const problems: string[] = [];
    const missing = contractColumns.filter((column) => !has.has(column.toLowerCase()));
    if (missing.length > 0) problems.push(`missing column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`);
    if (innoDb && existing.table_type === 'VIEW') {
      problems.push('a view, not an InnoDB table');
    } else if (innoDb && existing.engine?.toLowerCase() !== 'innodb') {
      problems.push(`engine ${existing.engine ?? 'unknown'}, not InnoDB`);
    }
    if (problems.length > 0) mismatches.push(`${table}: ${problems.join('; ')}`);
  }
  return mismatches;
}

/** Fails, naming every table and what is wrong with it, when the legacy projection could not write the old tables. */
export async function assertLegacyTablesInPlaceFit(
  queryRunner: QueryRunner,
  contract: readonly LegacyContractTable[],
): Promise<void> {
  const mismatches = await legacyTablesInPlaceMismatches(queryRunner, contract);
  if (mismatches.length === 0) return;
  throw new Error(
    `The record database's legacy tables do not match the contract (shared/domain/legacy-tables.md), ` +
      `so the legacy projection could not write them. The migration stopped before it changed any of them. ` +
      `Fix these tables, then migrate again:\n` +
      mismatches.map((mismatch) => `  - ${mismatch}`).join('\n') +
      '\n(Columns of their own are fine. InnoDB is required: the projection commits its rows with its checkpoint.)',
  );
}
