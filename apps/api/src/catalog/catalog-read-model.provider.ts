import { HttpStatus, type Provider } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import type { TracershopConfig } from '@tracershop/config';
import { HttpProblem, notFound, RECORD_DATABASE, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { CatalogReadModel, InvalidReadQueryError } from '@tracershop/projections/record';

export const CATALOG_READ_MODEL = Symbol('CATALOG_READ_MODEL');

export const catalogReadModelProvider: Provider = {
  provide: CATALOG_READ_MODEL,
  useFactory: (pool: Pool, config: TracershopConfig) => new CatalogReadModel(pool, config.databases.record),
  inject: [RECORD_DATABASE, TRACERSHOP_CONFIG],
};

/** Runs a read-model query; a bad filter or cursor is the client's mistake (400), and a missing item is 404. */
export async function answer<T>(
  query: Promise<T | null>,
  missing?: { code: `${string}_NOT_FOUND`; id: string },
): Promise<T> {
  let result: T | null;
  try {
    result = await query;
  } catch (error) {
    if (error instanceof InvalidReadQueryError) {
      throw new HttpProblem(HttpStatus.BAD_REQUEST, error.code, error.message, error.details);
    }
    throw error;
  }
  if (result === null) {
    throw missing
      ? notFound(missing.code, missing.id)
      : new HttpProblem(HttpStatus.NOT_FOUND, 'NOT_FOUND', 'No such item');
  }
  return result;
}
