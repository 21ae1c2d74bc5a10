import { createConnection } from 'mysql2/promise';
import Redis from 'ioredis';
import type { TracershopConfig } from './configuration';

/** A dependency the process cannot reach: says which, where it looked, and how to fix it. */
export class DependencyUnreachableError extends Error {
  constructor(
    readonly dependency: 'MySQL' | 'Redis' | 'EventStoreDB',
    readonly where: string,
    readonly failure: string,
    readonly remedy: string,
  ) {
    super(`Cannot reach ${dependency} at ${where}: ${failure}\n  ${remedy}`);
    this.name = 'DependencyUnreachableError';
  }
}

export async function checkMysql(config: TracershopConfig, timeoutMs = 5_000): Promise<void> {
  const { host, port, user, socketPath } = config.mysql;
  try {
    const connection = await createConnection({ ...config.mysql, connectTimeout: timeoutMs });
    await connection.end();
  } catch (error) {
    throw new DependencyUnreachableError(
      'MySQL',
      `${socketPath ? `socket ${socketPath}` : `${host}:${port}`} as ${user}`,
      describe(error),
      socketPath
        ? 'Start MariaDB/MySQL with that socket, or set MYSQL_SOCKET to the one it uses (empty: MYSQL_HOST and MYSQL_PORT).'
        : 'Start MariaDB/MySQL there, or set MYSQL_HOST, MYSQL_PORT, MYSQL_USER and MYSQL_PASSWORD.',
    );
  }
}

export async function checkRedis(config: TracershopConfig, timeoutMs = 5_000): Promise<void> {
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new DependencyUnreachableError(
      'Redis',
      redactUrl(config.redisUrl),
      describe(error),
      'Start redis-server there, or set REDIS_URL (redis://host:port).',
    );
  } finally {
    redis.disconnect();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message || String(code);
  }
  return String(error);
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
