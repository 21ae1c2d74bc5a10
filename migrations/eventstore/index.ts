import { CreateEventStore1795219200000 } from './1795219200000-create-event-store';

/** Every event store migration, oldest first. */
export const eventStoreMigrations = [CreateEventStore1795219200000];
