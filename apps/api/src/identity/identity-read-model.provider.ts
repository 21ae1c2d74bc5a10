import type { Provider } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { TracershopConfig } from '@tracershop/config';
import { TRACERSHOP_CONFIG, WEB_DATABASE } from '@tracershop/platform';
import { IdentityReadModel } from '@tracershop/projections/web';

export const IDENTITY_READ_MODEL = Symbol('IDENTITY_READ_MODEL');

export const identityReadModelProvider: Provider = {
  provide: IDENTITY_READ_MODEL,
  useFactory: (pool: Pool, config: TracershopConfig) => new IdentityReadModel(pool, config.databases.web),
  inject: [WEB_DATABASE, TRACERSHOP_CONFIG],
};
