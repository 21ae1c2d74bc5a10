import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LEGACY_CONTRACT_TABLES } from './1795392000000-create-legacy-tables';
import { assertLegacyTablesInPlaceFit } from './legacy-tables-in-place';

/**
 * The check `CreateLegacyTables1795392000000` now makes before it creates anything, for a record
 * database that ran it before it did: an old system's table the legacy projection cannot write (a
 * contract column missing, not InnoDB) fails the migration, naming each table and what is wrong,
 * and the projection does not start on it. Changes nothing; on a database the earlier migration
 * checked (or whose tables it created) it passes.
 */
export class CheckTheOldDatabasesLegacyTables1795651200000 implements MigrationInterface {
  readonly name = 'CheckTheOldDatabasesLegacyTables1795651200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await assertLegacyTablesInPlaceFit(queryRunner, LEGACY_CONTRACT_TABLES);
  }

  async down(): Promise<void> {}
}
