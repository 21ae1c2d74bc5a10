import {
  ConfigurationError,
  DependencyUnreachableError,
  checkMysql,
  checkRedis,
  loadConfiguration,
  type TracershopConfig,
} from '@tracershop/config';
import type { Logger } from 'pino';
import { createLogger } from './logger';

/**
 * Starts a process: validated configuration, reachable MySQL and Redis, then `start`. A problem
 * a person can fix is printed plainly (which dependency, where, how to fix) and the process exits
 * non-zero; a stack trace is never the only message.
 */
export async function runService(
  service: string,
  start: (config: TracershopConfig, logger: Logger) => Promise<void>,
): Promise<void> {
  let config: TracershopConfig;
  try {
    config = loadConfiguration();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, service);
  try {
    await checkMysql(config);
    await checkRedis(config);
    await start(config, logger);
  } catch (error) {
    // A setting only the service can check (e.g. a projection name): as plain as the others.
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof DependencyUnreachableError) {
      process.stderr.write(`${service}: ${error.message}\n`);
      logger.fatal({ dependency: error.dependency, where: error.where }, error.message);
      process.exit(1);
    }
    process.stderr.write(`${service}: failed to start: ${(error as Error).message}\n`);
    logger.fatal({ err: error }, 'failed to start');
    process.exit(1);
  }
}
