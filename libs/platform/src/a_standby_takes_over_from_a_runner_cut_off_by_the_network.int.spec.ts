import type { Pool } from 'mysql2/promise';
import { loadConfiguration, type TracershopConfig } from '@tracershop/config';
import { ProjectionEngine, type Projection, type RunnerState } from '@tracershop/projections/engine';
import { runnerLockName } from '../../../projections/engine/physical-names';
import { MYSQL_TEST_CONNECTION } from '../../../test/contract/mysql-test-database';
import { PartitionProxy } from '../../../test/fault/partition-proxy';
import { expectEveryEventCountedOnce } from '../../../test/projections/counting-expectations';
import { countingProjection } from '../../../test/projections/counting-projection';
import {
  openProjectionTestBed,
  silentLogger,
  type ProjectionTestBed,
} from '../../../test/projections/projection-test-bed';
import { openReadModelDatabase } from './databases';

/** Small bounds, so the test takes seconds: the batch session's idle transaction, the lock's keep-alive. */
const IDLE_TRANSACTION_SECONDS = 2;
/** The lock session's bound is 30 keep-alives, at least 3 s. */
const KEEP_ALIVE_MS = 100;

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe('a projection runner cut off by the network', () => {
  let bed: ProjectionTestBed;
  let proxy: PartitionProxy;
  const pools: Pool[] = [];
  const engines: ProjectionEngine[] = [];
  let releaseHandler: () => void = () => undefined;

  beforeEach(async () => {
    bed = await openProjectionTestBed('cutoff');
    proxy = await PartitionProxy.start(MYSQL_TEST_CONNECTION);
  });

  afterEach(async () => {
    releaseHandler();
    // Ends the cut-off sessions too: what they still wait for fails, and their runner stops.
    await proxy.close();
    await Promise.allSettled(engines.splice(0).map((engine) => engine.stop()));
    await Promise.allSettled(pools.splice(0).map((pool) => pool.end()));
    await bed.close();
  });

  /** The services' configuration for the test databases, reaching MySQL directly or through the proxy. */
  function configuration(throughProxy: boolean): TracershopConfig {
    const server = throughProxy ? proxy.connection(MYSQL_TEST_CONNECTION) : MYSQL_TEST_CONNECTION;
    return loadConfiguration({
      MYSQL_HOST: server.host ?? '127.0.0.1',
      MYSQL_PORT: String(server.port ?? 3306),
      MYSQL_SOCKET: server.socketPath ?? '',
      MYSQL_USER: MYSQL_TEST_CONNECTION.user ?? 'root',
      MYSQL_PASSWORD: MYSQL_TEST_CONNECTION.password ?? '',
      EVENTS_DATABASE: bed.eventsDatabase,
      RECORD_DATABASE: bed.recordDatabase,
    });
  }

  /** A projector's engine on a read-model pool as the services open it. */
  async function projector(
    throughProxy: boolean,
    projection: Projection,
    instanceId: string,
    states: RunnerState[],
  ): Promise<ProjectionEngine> {
    const pool = await openReadModelDatabase(configuration(throughProxy), 'record', 8, {
      batchStatements: true,
      idleTransactionTimeoutSeconds: IDLE_TRANSACTION_SECONDS,
    });
    pools.push(pool);
    const engine = new ProjectionEngine({
      eventStore: bed.store,
      databases: { record: { pool, database: bed.recordDatabase } },
      projections: [projection],
      maxBatchEvents: 50,
      lockRetryMs: 100,
      keepAliveMs: KEEP_ALIVE_MS,
      instanceId,
      logger: silentLogger,
      onRunnerStateChange: (_name, state) => states.push(state),
    });
    engines.push(engine);
    return engine;
  }

  async function reached(states: RunnerState[], state: RunnerState): Promise<void> {
    while (!states.includes(state)) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  it('given the active runner is cut off in the middle of a batch, when a standby runs, then it takes over once the server has ended the silent sessions, and counts every event once', async () => {
    // Given: the active runner holds its lock and, in the middle of its third batch, its checkpoint row.
    const head = await bed.append({ count: 300 });
    const counting = countingProjection();
    let handled = 0;
    let inBatch: () => void = () => undefined;
    const midBatch = new Promise<void>((resolve) => (inBatch = resolve));
    const released = new Promise<void>((resolve) => (releaseHandler = resolve));
    const stalling: Projection = {
      ...counting,
      async handle(event, tx) {
        await counting.handle(event, tx);
        handled += 1;
        if (handled !== 120) return;
        inBatch();
        await released;
      },
    };
    const activeStates: RunnerState[] = [];
    const active = await projector(true, stalling, 'active', activeStates);
    active.start();
    await within(20_000, 'the active runner reaching its third batch', midBatch);
    proxy.partition();
    const lockName = runnerLockName(bed.recordDatabase, 'counting');
    const [{ holder }] = await bed.rows('SELECT IS_USED_LOCK(?) AS holder', [lockName]);
    expect(holder).not.toBeNull();
    // ER_LOCK_WAIT_TIMEOUT (MariaDB) or ER_LOCK_NOWAIT (MySQL): the row is locked.
    const refused = await bed
      .rows("SELECT position FROM projection_checkpoints WHERE name = 'counting' AND slot = 'live' FOR UPDATE NOWAIT")
      .then(
        () => null,
        (error: { errno?: number }) => error.errno,
      );
    expect([1205, 3572]).toContain(refused);

    // When
    const standbyStates: RunnerState[] = [];
    const standby = await projector(false, countingProjection(), 'standby', standbyStates);
    const started = Date.now();
    standby.start();

    // Then: the server ended the silent lock session (3 s) and batch session (2 s); nothing waits for hours.
    await within(15_000, 'the standby taking over', reached(standbyStates, 'running'));
    const takeoverMs = Date.now() - started;
    await standby.waitForPosition('counting', head, 30_000);
    await expectEveryEventCountedOnce(bed);
    const [after] = await bed.rows("SELECT active_instance FROM projection_checkpoints WHERE name = 'counting'");
    expect(after.active_instance).toBe('standby');
    const [{ gone }] = await bed.rows('SELECT COUNT(*) AS gone FROM information_schema.PROCESSLIST WHERE ID = ?', [
      Number(holder),
    ]);
    expect(Number(gone)).toBe(0);
    console.info(`a standby took over ${takeoverMs} ms after the active runner was cut off`);
  });

  it('given a live active runner, when it holds its lock for longer than the bound, then it keeps it: its keep-alive keeps the session talking', async () => {
    // Given
    await bed.append({ count: 50 });
    const activeStates: RunnerState[] = [];
    const active = await projector(false, countingProjection(), 'active', activeStates);
    active.start();
    await within(10_000, 'the active runner starting', reached(activeStates, 'running'));
    const lockName = runnerLockName(bed.recordDatabase, 'counting');
    const [{ holder }] = await bed.rows('SELECT IS_USED_LOCK(?) AS holder', [lockName]);

    // When: twice the lock session's bound passes.
    const standbyStates: RunnerState[] = [];
    const standby = await projector(false, countingProjection(), 'standby', standbyStates);
    standby.start();
    await new Promise((resolve) => setTimeout(resolve, 6_000));

    // Then
    const [{ holder: stillHolder }] = await bed.rows('SELECT IS_USED_LOCK(?) AS holder', [lockName]);
    expect(stillHolder).toBe(holder);
    expect(activeStates).toEqual(['standby', 'running']);
    expect(standbyStates).toEqual(['standby']);
  });
});
