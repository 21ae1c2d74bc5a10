/**
 * A projector process for the fault tests, run through tsx: runs the counting projection against
 * `<events database>` into `<record database>` and reports its runner's states over IPC, until it
 * is killed (the point of the tests) or told to stop.
 *
 *   projector.worker.ts <events database> <record database> <instance id> <max batch events> [handler delay ms]
 *
 * A handler delay makes a slow projection, so a test can act while it is still catching up.
 */
import { createPool } from 'mysql2/promise';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import { ProjectionEngine, type Projection, type RunnerState } from '../../projections/engine';
import { MYSQL_TEST_CONNECTION } from '../contract/mysql-test-database';
import { countingProjection } from '../projections/counting-projection';

export type ProjectorMessage =
  { kind: 'loaded' } | { kind: 'state'; state: RunnerState } | { kind: 'failed'; error: string };
/** `go` starts the engine: a test loads processes ahead and starts them when it needs them. */
export type ProjectorCommand = { kind: 'go' } | { kind: 'stop' };

function send(message: ProjectorMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const [eventsDatabase, recordDatabase, instanceId, maxBatchEvents, handlerDelayMs] = process.argv.slice(2);
  const counting = countingProjection();
  const delay = Number(handlerDelayMs ?? 0);
  const projection: Projection =
    delay > 0
      ? {
          ...counting,
          handle: async (event, tx) => {
            await new Promise((resolve) => setTimeout(resolve, delay));
            await counting.handle(event, tx);
          },
        }
      : counting;
  const store = new MysqlEventStore({
    connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 2 },
    database: eventsDatabase,
  });
  const pool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 4 });
  const engine = new ProjectionEngine({
    eventStore: store,
    databases: { record: { pool, database: recordDatabase } },
    projections: [projection],
    maxBatchEvents: Number(maxBatchEvents),
    lockRetryMs: 100,
    instanceId,
    logger: {
      info: () => undefined,
      warn: () => undefined,
      error: (message, fields) => send({ kind: 'failed', error: `${message} ${JSON.stringify(fields)}` }),
    },
    onRunnerStateChange: (_name, state) => send({ kind: 'state', state }),
  });
  process.on('message', (command: ProjectorCommand) => {
    if (command.kind === 'go') {
      engine.start();
      return;
    }
    void (async () => {
      await engine.stop();
      await store.close();
      await pool.end();
      process.disconnect?.();
    })();
  });
  send({ kind: 'loaded' });
}

main().catch((error: unknown) => {
  send({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
