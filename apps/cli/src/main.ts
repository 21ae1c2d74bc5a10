/**
 * Operations from a shell:
 *   migrate                 create and migrate the event store and read-model databases
 *   status                  each projection's state, position, lag and failure
 *   rebuild <projection>    build the projection's current version into shadow tables, then swap
 *   retry <projection>      let a failed projection try its event again (after a fix)
 *   verify [stream]         check hash chains: one stream, or every stream
 * Exit codes: 0 ok, 1 a check failed or a step did not complete, 2 wrong usage or configuration.
 */
import 'reflect-metadata';
import {
  checkMysql,
  ConfigurationError,
  DependencyUnreachableError,
  loadConfiguration,
  type TracershopConfig,
} from '@tracershop/config';
import { verifyAllStreams, verifyStream, type EventStore } from '@tracershop/event-store';
import { ProjectionEngine, type ProjectionStatus } from '@tracershop/projections/engine';
import { allProjections } from '@tracershop/projections/all';
import { openEventStore, openReadModelDatabase } from '@tracershop/platform';

const USAGE = `usage: tracershop <command>
  migrate                 create and migrate every database
  status                  projections: state, position, lag, failure
  rebuild <projection>    rebuild into shadow tables and swap
  retry <projection>      retry a failed projection
  verify [stream]         verify hash chains (one stream or all)`;

interface Opened {
  store: EventStore;
  engine: ProjectionEngine;
  close(): Promise<void>;
}

async function open(config: TracershopConfig): Promise<Opened> {
  const store = await openEventStore(config);
  const record = await openReadModelDatabase(config, 'record', 5);
  const web = await openReadModelDatabase(config, 'web', 5);
  const engine = new ProjectionEngine({
    eventStore: store,
    databases: {
      record: { pool: record, database: config.databases.record },
      web: { pool: web, database: config.databases.web },
    },
    projections: allProjections,
    lagCounting: config.eventStoreUrl ? 'read-count' : 'position-difference',
  });
  return {
    store,
    engine,
    close: async () => {
      await engine.stop();
      await store.close();
      await Promise.all([record.end(), web.end()]);
    },
  };
}

function printStatus(statuses: ProjectionStatus[]): void {
  const rows = statuses.map((status) => [
    status.name,
    `v${status.checkpoint?.version ?? status.version}`,
    status.checkpoint?.status ?? 'not started',
    status.checkpoint?.position.toString() ?? '-',
    status.lag.events === null ? '?' : `${status.lag.events}${status.lag.capped ? '+' : ''}`,
    status.lag.ms === null ? '?' : `${status.lag.ms}`,
    status.failure ? `${status.failure.eventType} at ${status.failure.position}: ${status.failure.message}` : '',
  ]);
  const headers = ['projection', 'version', 'state', 'position', 'lag events', 'lag ms', 'failure'];
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  for (const row of [headers, ...rows])
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}

async function main(argv: string[]): Promise<number> {
  const [command, argument] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = loadConfiguration();
  await checkMysql(config);
  const opened = await open(config);
  try {
    switch (command) {
      case 'migrate':
        // Opening the store and the read-model databases created and migrated them.
        console.log(`migrated ${Object.values(config.databases).join(', ')}`);
        return 0;
      case 'status': {
        const statuses = await opened.engine.status();
        printStatus(statuses);
        return statuses.every((status) => status.healthy) ? 0 : 1;
      }
      case 'rebuild': {
        if (!argument) throw new UsageError('rebuild needs a projection name');
        const report = await opened.engine.rebuild(argument);
        console.log(
          JSON.stringify(report, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
        );
        return 0;
      }
      case 'retry':
        if (!argument) throw new UsageError('retry needs a projection name');
        await opened.engine.retry(argument);
        console.log(`${argument}: retry requested; the active runner tries the failed event again`);
        return 0;
      case 'verify': {
        if (argument) {
          const result = await verifyStream(opened.store, argument);
          console.log(
            JSON.stringify(result, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
          );
          return result.ok ? 0 : 1;
        }
        const report = await verifyAllStreams(opened.store);
        console.log(
          `verified ${report.streams} streams, ${report.events} events up to position ${report.upTo ?? '-'}: ` +
            (report.broken.length === 0 ? 'all chains intact' : `${report.broken.length} BROKEN`),
        );
        for (const broken of report.broken) {
          console.log(
            `  ${broken.streamId} breaks at revision ${broken.brokenAt}: ${broken.problem} (${broken.message})`,
          );
        }
        return report.broken.length === 0 ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await opened.close();
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigurationError) {
      console.error(`tracershop: ${error.message}\n${error instanceof UsageError ? USAGE : ''}`);
      process.exit(2);
    }
    if (error instanceof DependencyUnreachableError) {
      console.error(`tracershop: ${error.message}`);
      process.exit(1);
    }
    console.error(`tracershop: ${(error as Error).message}`);
    process.exit(1);
  },
);
