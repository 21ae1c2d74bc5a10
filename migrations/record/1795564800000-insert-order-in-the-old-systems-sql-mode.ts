import type { MigrationInterface, QueryRunner } from 'typeorm';
import { INSERT_ORDER } from './1795392000000-create-legacy-tables';

/**
 * The old server's lenient `sql_mode` (legacy-tables.md, "SQL mode"), the one the legacy projection
 * writes with: no `STRICT_*`, no `NO_ZERO_DATE`, no `NO_ZERO_IN_DATE`.
 */
const OLD_SYSTEM_SQL_MODE = 'NO_ENGINE_SUBSTITUTION';

/** A mode the old clients' writes pass in (the server may add harmless flags such as `IGNORE_SPACE`). */
const lenient = (sqlMode: string) => !/STRICT_|NO_ZERO_/.test(sqlMode);
const normalised = (sql: string) => sql.replace(/\s+/g, ' ').trim();
/** What `information_schema.ROUTINES.ROUTINE_DEFINITION` holds for a procedure: its body. */
const BODY = normalised(INSERT_ORDER.slice(INSERT_ORDER.indexOf('BEGIN')));

/**
 * A stored procedure runs its statements in the `sql_mode` it was created in, not in its caller's.
 * The legacy tables' migration created `InsertOrder` in the server's default, which on MySQL 8 is
 * strict with `NO_ZERO_DATE`: the old customer app, which sends `''` for a date it leaves out,
 * would have its order refused where the old server stored the zero date. Tracershop's own copy is
 * created again in the old server's mode; an old database's own procedure (any other body) is
 * never touched.
 */
export class InsertOrderInTheOldSystemsSqlMode1795564800000 implements MigrationInterface {
  readonly name = 'InsertOrderInTheOldSystemsSqlMode1795564800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const [procedure]: { body: string | null; sqlMode: string }[] = await queryRunner.query(
      `SELECT ROUTINE_DEFINITION AS body, SQL_MODE AS sqlMode FROM information_schema.routines
       WHERE routine_schema = DATABASE() AND routine_name = 'InsertOrder' AND routine_type = 'PROCEDURE'`,
    );
    if (!procedure || lenient(procedure.sqlMode)) return;
    if (procedure.body === null || normalised(procedure.body) !== BODY) return;
    await queryRunner.query('SET @tracershop_saved_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = ?', [
      OLD_SYSTEM_SQL_MODE,
    ]);
    try {
      await queryRunner.query('DROP PROCEDURE InsertOrder');
      await queryRunner.query(INSERT_ORDER);
    } finally {
      await queryRunner.query('SET SESSION sql_mode = @tracershop_saved_sql_mode');
    }
  }

  /** Nothing: the mode the procedure had before is the one that refused the old clients. */
  async down(): Promise<void> {}
}
