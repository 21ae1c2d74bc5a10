import { createHash } from 'node:crypto';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';

/** Which generation of a projection's tables a name refers to. */
export type TableGeneration = 'live' | 'shadow' | 'old';

/** Unquoted table name of one generation; `assertValidProjection` keeps it within 64 characters. */
export function tableName(logicalName: string, generation: TableGeneration, version: number): string {
  if (generation === 'live') return logicalName;
  return `${logicalName}__v${version}_${generation}`;
}

/** `db`.`table`, both validated. */
export function qualifiedName(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

/** The named lock one active runner per projection holds (MySQL caps names at 64 characters). */
export function runnerLockName(database: string, projection: string): string {
  return fitLockName(`${database}.projection.${projection}`);
}

/** Held for a whole rebuild, so two rebuilds of one projection never share shadow tables. */
export function rebuildLockName(database: string, projection: string): string {
  return fitLockName(`${database}.projection.${projection}.rebuild`);
}

/** A MySQL named lock fits 64 characters: a longer name is replaced by its hash. */
export function fitLockName(name: string): string {
  if (name.length <= 64) return name;
  return `projection.${createHash('sha256').update(name).digest('hex').slice(0, 52)}`;
}
