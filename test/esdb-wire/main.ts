import { startEsdbWireServer } from './esdb-wire-server';

/** Runs the EventStoreDB wire-compatible test server until interrupted: `npx tsx test/esdb-wire/main.ts [port]`. */
async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? process.env.ESDB_WIRE_PORT ?? 2113);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`Invalid port ${process.argv[2]}`);
  const server = await startEsdbWireServer({ port });
  console.log(`EventStoreDB wire test server listening: ${server.url}`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
