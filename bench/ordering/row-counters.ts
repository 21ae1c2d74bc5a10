import { createConnection } from 'mysql2/promise';
import { MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';

/**
 * Server-wide row counters of the storage-engine handler (SHOW GLOBAL STATUS): index lookups
 * (`Handler_read_key`), index-range steps (`Handler_read_next`), table-scan steps
 * (`Handler_read_rnd_next`) and rows written, updated and deleted. Beside the statement counts they
 * say whether statements are costly because they are many or because they read many rows. Every
 * client of the server counts.
 */
const COUNTERS = [
  'Handler_read_key',
  'Handler_read_next',
  'Handler_read_rnd_next',
  'Handler_write',
  'Handler_update',
  'Handler_delete',
  'Created_tmp_tables',
] as const;
export type RowCounters = Record<(typeof COUNTERS)[number], number>;

export async function readRowCounters(): Promise<RowCounters> {
  const connection = await createConnection({ ...MYSQL_TEST_CONNECTION, database: undefined });
  try {
    const [rows] = await connection.query('SHOW GLOBAL STATUS WHERE Variable_name IN (?)', [COUNTERS]);
    const counters = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as RowCounters;
    for (const { Variable_name: name, Value: value } of rows as Array<{ Variable_name: string; Value: string }>) {
      counters[name as keyof RowCounters] = Number(value);
    }
    return counters;
  } finally {
    await connection.end();
  }
}

/** Each counter's growth per command over an interval, one decimal. */
export function rowsPer(before: RowCounters, after: RowCounters, commands: number): RowCounters {
  return Object.fromEntries(
    COUNTERS.map((name) => [name, commands > 0 ? Math.round(((after[name] - before[name]) / commands) * 10) / 10 : 0]),
  ) as RowCounters;
}
