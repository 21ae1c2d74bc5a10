import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { machineSpeed } from './machine-speed';

export interface BenchRow {
  store: string;
  scenario: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms?: number;
  p99Ms?: number;
  note?: string;
}

/** Latency percentile (nearest rank) of samples in milliseconds. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function row(store: string, scenario: string, events: number, seconds: number, latencies?: number[]): BenchRow {
  return {
    store,
    scenario,
    events,
    seconds: round(seconds, 3),
    eventsPerSecond: Math.round(events / seconds),
    ...(latencies ? { p50Ms: round(percentile(latencies, 50), 2), p99Ms: round(percentile(latencies, 99), 2) } : {}),
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Prints the rows as a table and writes `bench/results/<name>.json` with the machine it ran on. */
export function report(name: string, rows: BenchRow[], context: Record<string, unknown> = {}): void {
  const headers = ['store', 'scenario', 'events', 'seconds', 'events/s', 'p50 ms', 'p99 ms', 'note'];
  const cells = rows.map((r) => [
    r.store,
    r.scenario,
    String(r.events),
    r.seconds.toFixed(3),
    String(r.eventsPerSecond),
    r.p50Ms?.toFixed(2) ?? '',
    r.p99Ms?.toFixed(2) ?? '',
    r.note ?? '',
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));

  const directory = join(__dirname, 'results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${name}.json`);
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    speed: machineSpeed(),
    // The services and the bench reach MariaDB as MYSQL_SOCKET says: a local socket costs less CPU per query.
    mysqlTransport: process.env.MYSQL_SOCKET ? 'unix socket' : 'tcp',
  };
  if (machine.speed) {
    const { atStart, atEnd } = machine.speed.referenceWorkMs;
    console.log(
      `\nmachine speed: the reference work took ${atStart} ms before the run, ${atEnd} ms after (lower is faster)`,
    );
  }
  console.log(`MySQL reached over ${machine.mysqlTransport}`);
  writeFileSync(
    file,
    `${JSON.stringify({ name, ranAt: new Date().toISOString(), machine, ...context, rows }, null, 2)}\n`,
  );
  console.log(`\nwrote ${file}`);
}
