import type { Upcaster } from '@tracershop/event-store';
import { reasonNotRecordedBeforeVersion2 } from '../catalog';

/** The bookings context's upcasters, from each older stored schema version to the next. */
export const bookingsUpcasters: readonly Upcaster[] = ['LocationMapped', 'ProcedureUpdated'].map(
  reasonNotRecordedBeforeVersion2,
);
