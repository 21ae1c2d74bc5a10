import { CreateWebProjectionCheckpoints1795305600000 } from './1795305600000-create-projection-checkpoints';

/** Every web database migration, oldest first. */
export const webMigrations = [CreateWebProjectionCheckpoints1795305600000];
