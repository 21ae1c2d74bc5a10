import { createConnection, type ConnectionOptions, type Pool, type PoolOptions } from 'mysql2/promise';

/**
 * How long the server keeps a session that has gone silent while it holds something others wait
 * for. A process that dies cleanly closes its sockets and the server ends its sessions at once,
 * rolling back their transactions and releasing their row locks and named locks. A host that
 * crashes, or is cut off by the network, sends nothing: the server keeps such a session, with
 * everything it holds, until `wait_timeout` (8 hours by default) or TCP keepalive (about 2 hours).
 *
 * `wait_timeout` is the time the server waits for the client's next command, on MySQL and MariaDB
 * alike, inside a transaction or not. It never counts while a statement runs or waits for a lock,
 * so it ends only sessions whose client has stopped talking. A session's new value applies from
 * its next wait on.
 */

export type ServerFlavour = 'mariadb' | 'mysql';

/** Longest bound accepted (a year, the servers' own maximum for `wait_timeout`). */
const MAX_TIMEOUT_SECONDS = 31_536_000;

/** Bounds are whole seconds from 1: the servers take nothing finer. */
export function assertTimeoutSeconds(seconds: number, what: string): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new RangeError(`${what} must be whole seconds from 1 to ${MAX_TIMEOUT_SECONDS}, not ${seconds}`);
  }
}

/**
 * Statements that bound a session's silence while it holds something (a transaction with row
 * locks, a named lock), and put the session's own value back afterwards, before the session goes
 * back to its pool: the bound must not follow it to its next user. `variable` names the user
 * variable that keeps the session's value; each user of the pair names its own.
 */
export function boundedSilence(seconds: number, variable: string): { bound: string; restore: string } {
  assertTimeoutSeconds(seconds, 'The idle bound');
  if (!/^[a-z_]+$/.test(variable)) throw new Error(`Invalid user variable name ${variable}`);
  return {
    bound: `SET @${variable} = @@SESSION.wait_timeout, SESSION wait_timeout = ${seconds}`,
    restore: `SET SESSION wait_timeout = @${variable}`,
  };
}

/** MariaDB from 10.3 has `idle_transaction_timeout`; anything else is treated as MySQL. */
export function serverFlavourOf(version: string): ServerFlavour {
  const [, major, minor] = /^(\d+)\.(\d+)/.exec(version) ?? [];
  const atLeast103 = Number(major) > 10 || (Number(major) === 10 && Number(minor) >= 3);
  return /mariadb/i.test(version) && atLeast103 ? 'mariadb' : 'mysql';
}

/** Asks the server what it is, on a session of its own. */
export async function detectServerFlavour(connection: ConnectionOptions): Promise<ServerFlavour> {
  const session = await createConnection({ ...connection, database: undefined, multipleStatements: false });
  try {
    const [rows] = await session.query('SELECT VERSION() AS version');
    return serverFlavourOf(String((rows as Array<{ version: unknown }>)[0]?.version ?? ''));
  } finally {
    await session.end();
  }
}

/**
 * The statement that bounds, for a session's whole life, how long it may sit idle inside a
 * transaction. MariaDB counts exactly that (`idle_transaction_timeout`). MySQL has no such
 * setting: there the session's `wait_timeout` bounds it, and bounds idle sessions outside a
 * transaction too, which `idleSessionPoolOptions` takes care of for a pool's idle sessions.
 */
export function idleTransactionTimeoutStatement(flavour: ServerFlavour, seconds: number): string {
  assertTimeoutSeconds(seconds, 'The idle transaction timeout');
  return flavour === 'mariadb'
    ? `SET SESSION idle_transaction_timeout = ${seconds}`
    : `SET SESSION wait_timeout = ${seconds}`;
}

/**
 * Pool settings that retire idle sessions before the server ends them (MySQL, whose bound also
 * ends idle sessions), so a session the server has closed is never handed out: after half the
 * bound, and at least 2 s before it, as mysql2 looks for idle sessions only once a second (and
 * only when `maxIdle` is below `connectionLimit`).
 */
export function idleSessionPoolOptions(
  flavour: ServerFlavour,
  seconds: number,
  connectionLimit: number,
): Pick<PoolOptions, 'maxIdle' | 'idleTimeout'> {
  assertTimeoutSeconds(seconds, 'The idle transaction timeout');
  if (flavour === 'mariadb') return {};
  return {
    maxIdle: Math.max(0, connectionLimit - 1),
    idleTimeout: Math.max(0, Math.min(seconds * 500, seconds * 1000 - 2000)),
  };
}

/**
 * Every session the pool opens from now on bounds its idle time in a transaction (see
 * `idleTransactionTimeoutStatement`) before its first user's first statement: the pool announces a
 * new session before it hands it out, and a session runs its statements in the order they came. A
 * session that cannot take the bound is ended rather than used without it.
 */
export function boundIdleTransactions(pool: Pool, flavour: ServerFlavour, seconds: number): void {
  const statement = idleTransactionTimeoutStatement(flavour, seconds);
  pool.pool.on('connection', (connection) => {
    connection.query(statement, (error: unknown) => {
      if (error) connection.destroy();
    });
  });
}
