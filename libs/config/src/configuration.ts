/**
 * Typed configuration from environment variables, validated once at boot. Defaults run everything
 * on one machine: MySQL/MariaDB on 127.0.0.1:3306 as root without a password, Redis on
 * 127.0.0.1:6379, and the MySQL event store unless EVENTSTORE_URL names an EventStoreDB.
 */
export interface MysqlConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  /**
   * `MYSQL_SOCKET`: the server's Unix socket, used instead of host and port. A server on the same
   * machine answers a query over its socket with about a third less CPU on both sides than over
   * TCP loopback, and every command, batch and live read is several such queries.
   */
  socketPath?: string;
}

export interface TracershopConfig {
  mysql: MysqlConfig;
  databases: { events: string; record: string; web: string };
  redisUrl: string;
  /** Set: the EventStoreDB event store; unset: the MySQL event store in `databases.events`. */
  eventStoreUrl: string | undefined;
  ports: { api: number; projector: number; worker: number };
  /**
   * The projections this projector process runs: `PROJECTOR_PROJECTIONS` (comma-separated names;
   * unset: every one) less `PROJECTOR_EXCLUDED_PROJECTIONS`. Processes may run the same projection
   * (one runs it, the others stand by); giving `live.dashboards` a process of its own keeps the
   * other projections' batches off the live dashboards' path.
   */
  projector: { projections: string[] | null; excludedProjections: string[] };
  /** Who commands are attributed to until requests are authenticated. */
  systemActor: { id: string; printedName: string };
  commands: { conflictRetries: number; idempotencyTtlSeconds: number };
  queries: { minPositionTimeoutMs: number };
  /**
   * The worker's sync of the old system's own writes (captured by triggers into `legacy_capture`)
   * into commands: `LEGACY_SYNC` = true | false, `LEGACY_SYNC_INTERVAL_MS` between polls when idle,
   * `LEGACY_SYNC_BATCH` captured changes per read.
   */
  legacySync: { enabled: boolean; intervalMs: number; batchSize: number };
  /** The worker looks for causes of incidents every `INCIDENT_POLL_MS`. */
  incidents: { pollMs: number };
  /**
   * `AUDIT_ANCHOR_KEY`: the secret the audit anchors' HMACs are made with (never in the repository
   * or the database); unset, anchors are recorded unsigned.
   */
  audit: { anchorKey: string | null };
  maxEventBytes: number;
  /**
   * Ids for the old system's tables: Tracershop hands out even ids only (the old system's
   * connections allocate odd ones), in reserved blocks, never below `floor`.
   */
  legacyIds: { floor: number; blockSize: number };
  /**
   * Ordering: the business time zone (dates and slot times are local to it, and so are the legacy
   * tables' naive DATETIMEs) and the global deadlines, `daily@HH:MM` or `weekly:<1-7>@HH:MM`.
   */
  ordering: { timeZone: string; activityDeadline: string; injectionDeadline: string };
  auth: {
    sessionAbsoluteSeconds: number;
    sessionIdleSeconds: number;
    /** A "continuous signing session" (Part 11 §11.200): later signatures need only the password. */
    signingIdleSeconds: number;
    loginMaxFailures: number;
    loginFailureWindowSeconds: number;
    /** Failed logins from one client address within the window, over all accounts, before it waits (0: no limit). */
    loginAddressMaxFailures: number;
    lockoutSeconds: number;
    scryptCost: number;
    /** First start: the initial admin, when no user exists yet (never a default password). */
    initialAdmin: { username: string; password: string; printedName: string } | null;
  };
  /** The websocket gateway (apps/api/src/realtime). */
  realtime: RealtimeConfig;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface RealtimeConfig {
  /**
   * Whether this api instance may be the one (elected through a Redis lock) that tails the live
   * message log and fans it out to every instance over the Socket.IO Redis adapter.
   * `REALTIME_PUBLISH` = true | false.
   */
  publish: boolean;
  /** How often the publisher reads the log for new messages (`REALTIME_TAIL_INTERVAL_MS`). */
  tailIntervalMs: number;
  /** Messages one socket may have queued before it is told to resume (`REALTIME_SOCKET_BUFFER_MESSAGES`). */
  socketBufferMessages: number;
  /** Connections per user per minute, across instances (`REALTIME_CONNECTIONS_PER_MINUTE`). */
  connectionsPerMinute: number;
  /** Joins per user per minute, across instances (`REALTIME_JOINS_PER_MINUTE`). */
  joinsPerMinute: number;
  /** Topics one socket may follow at once (`REALTIME_MAX_TOPICS_PER_SOCKET`). */
  maxTopicsPerSocket: number;
  /** Every connected socket's credential is checked again this often (`REALTIME_REAUTHENTICATE_SECONDS`). */
  reauthenticateSeconds: number;
  /** How often projection checkpoints are polled for the projection-status topic (`REALTIME_PROJECTION_STATUS_INTERVAL_MS`). */
  projectionStatusIntervalMs: number;
  /**
   * How long the live message log keeps a message, in hours of its event's `recordedAt`
   * (`REALTIME_LOG_RETENTION_HOURS`); the projector prunes older ones, and a resume from before them
   * gets `resume.expired` and a snapshot.
   */
  logRetentionHours: number;
  /**
   * How the projector prunes the log: a run every `REALTIME_LOG_PRUNE_INTERVAL_SECONDS`, deleting in
   * transactions of at most `REALTIME_LOG_PRUNE_CHUNK_ROWS` rows, `REALTIME_LOG_PRUNE_PAUSE_MS` apart
   * (short transactions, so the live projection appending to the log never waits long).
   */
  logPrune: { intervalSeconds: number; chunkRows: number; pauseMs: number };
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

type Env = Record<string, string | undefined>;

const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const PROJECTION_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfiguration(env: Env = process.env): TracershopConfig {
  const problems: string[] = [];

  const text = (name: string, fallback: string): string => {
    const value = env[name];
    return value === undefined || value === '' ? fallback : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const database = (name: string, fallback: string): string => {
    const value = text(name, fallback);
    if (!DATABASE_NAME.test(value)) {
      problems.push(`${name}=${JSON.stringify(value)} must be 1-64 letters, digits or underscores`);
    }
    return value;
  };
  const url = (name: string, protocols: string[], fallback?: string): string | undefined => {
    const value = env[name] === '' ? undefined : (env[name] ?? fallback);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name}=${JSON.stringify(value)} must start with ${protocols.join(' or ')}//`);
      }
    } catch {
      problems.push(`${name}=${JSON.stringify(value)} is not a URL`);
    }
    return value;
  };

  const timeZone = (name: string, fallback: string): string => {
    const value = text(name, fallback);
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
    } catch {
      problems.push(`${name}=${JSON.stringify(value)} is not an IANA time zone (e.g. Europe/Copenhagen)`);
    }
    return value;
  };
  const deadline = (name: string, fallback: string): string => {
    const value = text(name, fallback);
    if (!/^(daily|weekly:[1-7])@([01]\d|2[0-3]):[0-5]\d$/.test(value)) {
      problems.push(`${name}=${JSON.stringify(value)} must be daily@HH:MM or weekly:<1-7>@HH:MM (1 = Monday)`);
    }
    return value;
  };

  const socketPath = (name: string): { socketPath?: string } => {
    const value = env[name];
    if (value === undefined || value === '') return {};
    if (!value.startsWith('/')) problems.push(`${name}=${JSON.stringify(value)} must be an absolute path`);
    return { socketPath: value };
  };

  const flag = (name: string, fallback: boolean): boolean => {
    const raw = text(name, String(fallback)).toLowerCase();
    if (raw !== 'true' && raw !== 'false') {
      problems.push(`${name}=${JSON.stringify(env[name])} must be true or false`);
      return fallback;
    }
    return raw === 'true';
  };

  /** A secret, unset or long enough not to be guessed; its value is never echoed in a problem. */
  const secret = (name: string, minLength: number): string | null => {
    const value = env[name];
    if (value === undefined || value === '') return null;
    if (value.length < minLength)
      problems.push(`${name} must be at least ${minLength} characters (e.g. openssl rand -hex 32)`);
    return value;
  };

  const names = (name: string): string[] => {
    const listed = (env[name] ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    for (const entry of listed) {
      if (!PROJECTION_NAME.test(entry)) {
        problems.push(`${name} lists ${JSON.stringify(entry)}: projection names are letters, digits, _, . and -`);
      }
    }
    return listed;
  };

  const logLevel = text('LOG_LEVEL', 'info');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)} must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const config: TracershopConfig = {
    mysql: {
      host: text('MYSQL_HOST', '127.0.0.1'),
      port: integer('MYSQL_PORT', 3306, 1, 65535),
      user: text('MYSQL_USER', 'root'),
      password: env.MYSQL_PASSWORD ?? '',
      ...socketPath('MYSQL_SOCKET'),
    },
    databases: {
      events: database('EVENTS_DATABASE', 'tracershop_events'),
      record: database('RECORD_DATABASE', 'TracerShop'),
      web: database('WEB_DATABASE', 'tracershop_web'),
    },
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379') as string,
    eventStoreUrl: url('EVENTSTORE_URL', ['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:']),
    ports: {
      api: integer('API_PORT', 3000, 0, 65535),
      projector: integer('PROJECTOR_PORT', 3001, 0, 65535),
      worker: integer('WORKER_PORT', 3002, 0, 65535),
    },
    projector: {
      projections: (env.PROJECTOR_PROJECTIONS ?? '').trim() === '' ? null : names('PROJECTOR_PROJECTIONS'),
      excludedProjections: names('PROJECTOR_EXCLUDED_PROJECTIONS'),
    },
    systemActor: {
      id: text('SYSTEM_ACTOR_ID', 'system'),
      printedName: text('SYSTEM_ACTOR_NAME', 'Tracershop system'),
    },
    commands: {
      conflictRetries: integer('COMMAND_CONFLICT_RETRIES', 3, 0, 20),
      idempotencyTtlSeconds: integer('IDEMPOTENCY_TTL_SECONDS', 86_400, 60, 30 * 86_400),
    },
    queries: { minPositionTimeoutMs: integer('MIN_POSITION_TIMEOUT_MS', 5_000, 0, 60_000) },
    legacySync: {
      enabled: flag('LEGACY_SYNC', true),
      intervalMs: integer('LEGACY_SYNC_INTERVAL_MS', 500, 10, 600_000),
      batchSize: integer('LEGACY_SYNC_BATCH', 100, 1, 10_000),
    },
    incidents: { pollMs: integer('INCIDENT_POLL_MS', 2_000, 10, 600_000) },
    audit: { anchorKey: secret('AUDIT_ANCHOR_KEY', 32) },
    maxEventBytes: integer('MAX_EVENT_BYTES', 4 * 1024 * 1024, 1024, 16 * 1024 * 1024),
    legacyIds: {
      floor: integer('LEGACY_ID_FLOOR', 2, 0, 2_147_483_646),
      blockSize: integer('LEGACY_ID_BLOCK_SIZE', 50, 1, 10_000),
    },
    ordering: {
      timeZone: timeZone('BUSINESS_TIME_ZONE', 'Europe/Copenhagen'),
      activityDeadline: deadline('ACTIVITY_ORDER_DEADLINE', 'daily@13:00'),
      injectionDeadline: deadline('INJECTION_ORDER_DEADLINE', 'weekly:4@13:00'),
    },
    auth: {
      sessionAbsoluteSeconds: integer('SESSION_ABSOLUTE_SECONDS', 12 * 3600, 60, 7 * 86_400),
      sessionIdleSeconds: integer('SESSION_IDLE_SECONDS', 30 * 60, 10, 86_400),
      signingIdleSeconds: integer('SIGNING_IDLE_SECONDS', 5 * 60, 10, 3600),
      loginMaxFailures: integer('LOGIN_MAX_FAILURES', 5, 1, 100),
      loginFailureWindowSeconds: integer('LOGIN_FAILURE_WINDOW_SECONDS', 15 * 60, 10, 86_400),
      loginAddressMaxFailures: integer('LOGIN_ADDRESS_MAX_FAILURES', 30, 0, 100_000),
      lockoutSeconds: integer('LOGIN_LOCKOUT_SECONDS', 15 * 60, 1, 86_400),
      scryptCost: integer('PASSWORD_SCRYPT_COST', 15, 12, 20),
      initialAdmin: null,
    },
    realtime: {
      publish: flag('REALTIME_PUBLISH', true),
      tailIntervalMs: integer('REALTIME_TAIL_INTERVAL_MS', 20, 5, 10_000),
      socketBufferMessages: integer('REALTIME_SOCKET_BUFFER_MESSAGES', 1_000, 10, 100_000),
      connectionsPerMinute: integer('REALTIME_CONNECTIONS_PER_MINUTE', 60, 1, 100_000),
      joinsPerMinute: integer('REALTIME_JOINS_PER_MINUTE', 600, 1, 1_000_000),
      maxTopicsPerSocket: integer('REALTIME_MAX_TOPICS_PER_SOCKET', 50, 1, 10_000),
      reauthenticateSeconds: integer('REALTIME_REAUTHENTICATE_SECONDS', 30, 1, 86_400),
      projectionStatusIntervalMs: integer('REALTIME_PROJECTION_STATUS_INTERVAL_MS', 2_000, 100, 600_000),
      logRetentionHours: integer('REALTIME_LOG_RETENTION_HOURS', 24, 1, 24 * 366),
      logPrune: {
        intervalSeconds: integer('REALTIME_LOG_PRUNE_INTERVAL_SECONDS', 60, 1, 86_400),
        chunkRows: integer('REALTIME_LOG_PRUNE_CHUNK_ROWS', 1_000, 1, 100_000),
        pauseMs: integer('REALTIME_LOG_PRUNE_PAUSE_MS', 20, 0, 60_000),
      },
    },
    logLevel: logLevel as TracershopConfig['logLevel'],
  };
  const adminUsername = env.INITIAL_ADMIN_USERNAME;
  const adminPassword = env.INITIAL_ADMIN_PASSWORD;
  if (adminUsername || adminPassword) {
    if (!adminUsername || !adminPassword) {
      problems.push('INITIAL_ADMIN_USERNAME and INITIAL_ADMIN_PASSWORD go together');
    } else {
      config.auth.initialAdmin = {
        username: adminUsername,
        password: adminPassword,
        printedName: text('INITIAL_ADMIN_NAME', adminUsername),
      };
    }
  }
  const distinct = new Set(Object.values(config.databases).map((name) => name.toLowerCase()));
  if (distinct.size !== 3) problems.push('EVENTS_DATABASE, RECORD_DATABASE and WEB_DATABASE must differ');
  if (problems.length > 0) throw new ConfigurationError(problems);
  return config;
}
