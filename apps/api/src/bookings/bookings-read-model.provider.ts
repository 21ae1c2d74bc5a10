import type { Provider } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { TracershopConfig } from '@tracershop/config';
import { RECORD_DATABASE, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { BookingsReadModel } from '@tracershop/projections/record';

export const BOOKINGS_READ_MODEL = Symbol('BOOKINGS_READ_MODEL');

export const bookingsReadModelProvider: Provider = {
  provide: BOOKINGS_READ_MODEL,
  useFactory: (pool: Pool, config: TracershopConfig) => new BookingsReadModel(pool, config.databases.record),
  inject: [RECORD_DATABASE, TRACERSHOP_CONFIG],
};
