import { CreateRecordProjectionCheckpoints1795305600000 } from './1795305600000-create-projection-checkpoints';

/** Every record database migration, oldest first. */
export const recordMigrations = [CreateRecordProjectionCheckpoints1795305600000];
