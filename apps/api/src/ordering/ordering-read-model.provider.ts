import type { Provider } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { TracershopConfig } from '@tracershop/config';
import { RECORD_DATABASE, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { OrderingReadModel } from '@tracershop/projections/record';

export const ORDERING_READ_MODEL = Symbol('ORDERING_READ_MODEL');

export const orderingReadModelProvider: Provider = {
  provide: ORDERING_READ_MODEL,
  useFactory: (pool: Pool, config: TracershopConfig) =>
    new OrderingReadModel(pool, config.databases.record, config.ordering.timeZone),
  inject: [RECORD_DATABASE, TRACERSHOP_CONFIG],
};
