/**
 * `npm run bench -- <name>`: runs one benchmark, prints its table and writes bench/results/<name>.json.
 * Benchmarks measure; they never assert timings.
 */
import { measureSpeedAtStart } from './machine-speed';

const benchmarks: Record<string, () => Promise<void>> = {
  'event-store': async () => (await import('./event-store.bench')).run(),
  commands: async () => (await import('./commands.bench')).run(),
  ordering: async () => (await import('./ordering.bench')).run(),
  realtime: async () => (await import('./realtime.bench')).run(),
  'mysql-transport': async () => (await import('./mysql-transport.bench')).run(),
  'subscription-reads': async () => (await import('./subscription-reads.bench')).run(),
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const bench = name ? benchmarks[name] : undefined;
  if (!bench) {
    console.error(`usage: npm run bench -- <name>\nbenchmarks: ${Object.keys(benchmarks).join(', ')}`);
    process.exit(2);
  }
  // Before anything else runs: how fast the machine is today, to compare this run with others.
  measureSpeedAtStart();
  await bench();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
