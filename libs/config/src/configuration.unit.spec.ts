import { ConfigurationError, loadConfiguration } from './configuration';

describe('loadConfiguration', () => {
  it('given no variables, then the one-machine defaults apply', () => {
    const config = loadConfiguration({});
    expect(config.mysql).toEqual({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.eventStoreUrl).toBeUndefined();
    expect(config.databases).toEqual({ events: 'tracershop_events', record: 'TracerShop', web: 'tracershop_web' });
    expect(config.legacyIds).toEqual({ floor: 2, blockSize: 50 });
  });

  it('given legacy id settings, then they are checked and applied', () => {
    expect(loadConfiguration({ LEGACY_ID_FLOOR: '100000', LEGACY_ID_BLOCK_SIZE: '10' }).legacyIds).toEqual({
      floor: 100_000,
      blockSize: 10,
    });
    expect(() => loadConfiguration({ LEGACY_ID_FLOOR: '-1' })).toThrow(/LEGACY_ID_FLOOR="-1" must be an integer/);
    expect(() => loadConfiguration({ LEGACY_ID_BLOCK_SIZE: '0' })).toThrow(/LEGACY_ID_BLOCK_SIZE="0"/);
  });

  it('given a live log retention, then it is checked and applied; without one, a day', () => {
    expect(loadConfiguration({}).realtime.logRetentionHours).toBe(24);
    expect(loadConfiguration({ REALTIME_LOG_RETENTION_HOURS: '72' }).realtime.logRetentionHours).toBe(72);
    expect(() => loadConfiguration({ REALTIME_LOG_RETENTION_HOURS: '0' })).toThrow(
      /REALTIME_LOG_RETENTION_HOURS="0" must be an integer from 1/,
    );
    expect(() => loadConfiguration({ REALTIME_LOG_RETENTION_HOURS: '1.5' })).toThrow(/REALTIME_LOG_RETENTION_HOURS/);
  });

  it('given projector selections, then they are listed; without, the projector runs every projection', () => {
    expect(loadConfiguration({}).projector).toEqual({ projections: null, excludedProjections: [] });
    expect(
      loadConfiguration({ PROJECTOR_PROJECTIONS: ' live.dashboards ,', PROJECTOR_EXCLUDED_PROJECTIONS: '' }).projector,
    ).toEqual({ projections: ['live.dashboards'], excludedProjections: [] });
    expect(loadConfiguration({ PROJECTOR_EXCLUDED_PROJECTIONS: 'live.dashboards,web.identity' }).projector).toEqual({
      projections: null,
      excludedProjections: ['live.dashboards', 'web.identity'],
    });
    expect(() => loadConfiguration({ PROJECTOR_PROJECTIONS: 'record catalog' })).toThrow(
      /PROJECTOR_PROJECTIONS lists "record catalog"/,
    );
  });

  it('given log pruning settings, then they are checked and applied; without, a run a minute in chunks of 1,000 rows', () => {
    expect(loadConfiguration({}).realtime.logPrune).toEqual({ intervalSeconds: 60, chunkRows: 1_000, pauseMs: 20 });
    expect(
      loadConfiguration({
        REALTIME_LOG_PRUNE_INTERVAL_SECONDS: '5',
        REALTIME_LOG_PRUNE_CHUNK_ROWS: '200',
        REALTIME_LOG_PRUNE_PAUSE_MS: '0',
      }).realtime.logPrune,
    ).toEqual({ intervalSeconds: 5, chunkRows: 200, pauseMs: 0 });
    expect(() => loadConfiguration({ REALTIME_LOG_PRUNE_CHUNK_ROWS: '0' })).toThrow(
      /REALTIME_LOG_PRUNE_CHUNK_ROWS="0"/,
    );
  });

  it('given an audit anchor key, then it must be long enough and is never echoed; without one, anchors go unsigned', () => {
    expect(loadConfiguration({}).audit).toEqual({ anchorKey: null });
    const key = 'f'.repeat(64);
    expect(loadConfiguration({ AUDIT_ANCHOR_KEY: key }).audit).toEqual({ anchorKey: key });
    let refused: unknown;
    try {
      loadConfiguration({ AUDIT_ANCHOR_KEY: 'short-secret' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ConfigurationError);
    expect((refused as Error).message).toMatch(/AUDIT_ANCHOR_KEY must be at least 32 characters/);
    expect((refused as Error).message).not.toContain('short-secret');
  });

  it('given EVENTSTORE_URL, then the EventStoreDB store is chosen', () => {
    expect(loadConfiguration({ EVENTSTORE_URL: 'esdb://127.0.0.1:2113?tls=false' }).eventStoreUrl).toBe(
      'esdb://127.0.0.1:2113?tls=false',
    );
  });

  it('given no MYSQL_SOCKET, then MySQL is reached over TCP at host and port', () => {
    expect(loadConfiguration({}).mysql).toEqual({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  });

  it('given MYSQL_SOCKET, then MySQL is reached over that Unix socket', () => {
    expect(loadConfiguration({ MYSQL_SOCKET: '/run/mysqld/mysqld.sock' }).mysql.socketPath).toBe(
      '/run/mysqld/mysqld.sock',
    );
    expect(loadConfiguration({ MYSQL_SOCKET: '' }).mysql.socketPath).toBeUndefined();
  });

  it('given a relative MYSQL_SOCKET, then it is refused', () => {
    expect(() => loadConfiguration({ MYSQL_SOCKET: 'mysqld.sock' })).toThrow(
      /MYSQL_SOCKET="mysqld.sock" must be an absolute path/,
    );
  });

  it('given several bad values, then every problem is named at once', () => {
    let error: unknown;
    try {
      loadConfiguration({
        MYSQL_PORT: 'abc',
        RECORD_DATABASE: 'Tracer Shop',
        REDIS_URL: 'http://x',
        LOG_LEVEL: 'loud',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const problems = (error as ConfigurationError).problems.join('\n');
    expect(problems).toMatch(/MYSQL_PORT="abc" must be an integer/);
    expect(problems).toMatch(/RECORD_DATABASE="Tracer Shop"/);
    expect(problems).toMatch(/REDIS_URL="http:\/\/x" must start with redis:/);
    expect(problems).toMatch(/LOG_LEVEL="loud"/);
  });

  it('refuses one database name used twice', () => {
    expect(() => loadConfiguration({ WEB_DATABASE: 'TracerShop' })).toThrow(/must differ/);
  });
});
