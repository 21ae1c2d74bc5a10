import { CreateRecordProjectionCheckpoints1795305600000 } from './1795305600000-create-projection-checkpoints';
import { CreateLegacyTables1795392000000 } from './1795392000000-create-legacy-tables';
import { CreateLegacyCapture1795478400000 } from './1795478400000-create-legacy-capture';
import { InsertOrderInTheOldSystemsSqlMode1795564800000 } from './1795564800000-insert-order-in-the-old-systems-sql-mode';
import { CheckTheOldDatabasesLegacyTables1795651200000 } from './1795651200000-check-the-old-databases-legacy-tables';

/** Every record database migration, oldest first. */
export const recordMigrations = [
  CreateRecordProjectionCheckpoints1795305600000,
  CreateLegacyTables1795392000000,
  CreateLegacyCapture1795478400000,
  InsertOrderInTheOldSystemsSqlMode1795564800000,
  CheckTheOldDatabasesLegacyTables1795651200000,
];
