import type { Provider } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { TracershopConfig } from '@tracershop/config';
import { RECORD_DATABASE, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { AuditReadModel } from '@tracershop/projections/record';

export const AUDIT_READ_MODEL = Symbol('AUDIT_READ_MODEL');

export const auditReadModelProvider: Provider = {
  provide: AUDIT_READ_MODEL,
  useFactory: (pool: Pool, config: TracershopConfig) => new AuditReadModel(pool, config.databases.record),
  inject: [RECORD_DATABASE, TRACERSHOP_CONFIG],
};
