import { createConnection } from 'mysql2/promise';
import { MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';

/** Server-wide statement counters (SHOW GLOBAL STATUS): every client of the server counts. */
const COUNTERS = ['Questions', 'Com_select', 'Com_insert', 'Com_update', 'Com_begin', 'Com_commit'] as const;
export type StatementCounters = Record<(typeof COUNTERS)[number], number>;

export async function readStatementCounters(): Promise<StatementCounters> {
  const connection = await createConnection({ ...MYSQL_TEST_CONNECTION, database: undefined });
  try {
    const [rows] = await connection.query('SHOW GLOBAL STATUS WHERE Variable_name IN (?)', [COUNTERS]);
    const counters = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as StatementCounters;
    for (const { Variable_name: name, Value: value } of rows as Array<{ Variable_name: string; Value: string }>) {
      counters[name as keyof StatementCounters] = Number(value);
    }
    return counters;
  } finally {
    await connection.end();
  }
}

/** Statements per command over an interval (the counters' own reads are negligible). */
export function statementsPer(before: StatementCounters, after: StatementCounters, commands: number) {
  const per = (name: keyof StatementCounters) =>
    commands > 0 ? Math.round(((after[name] - before[name]) / commands) * 10) / 10 : 0;
  return {
    statements: per('Questions'),
    selects: per('Com_select'),
    inserts: per('Com_insert'),
    updates: per('Com_update'),
    begins: per('Com_begin'),
    commits: per('Com_commit'),
  };
}
