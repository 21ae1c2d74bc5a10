import { createHash } from 'node:crypto';

/**
 * How fast this machine runs a fixed piece of single-threaded work of the kind the services do
 * (JSON in and out, SHA-256, maps and sorting), in milliseconds: lower is faster. Shared 2-core
 * machines differ from day to day by a factor of two or three for the same code, so each result
 * carries this figure, measured before and after the run, to compare runs of different days.
 */
export interface MachineSpeed {
  /** Median of the repeats of the reference work, before and after the benchmark. */
  referenceWorkMs: { atStart: number; atEnd: number | null };
}

const EVENTS = 6_000;
const REPEATS = 7;

function referenceWork(): number {
  const events = Array.from({ length: EVENTS }, (_, index) => ({
    type: index % 3 === 0 ? 'OrderPlaced' : 'OrderAccepted',
    data: { orderId: `order-${index}`, activityMBq: 100 + (index % 977), slotId: `slot-${index % 60}`, comment: null },
    metadata: { eventId: `e-${index}`, recordedAt: new Date(1_700_000_000_000 + index * 1_000).toISOString() },
  }));
  const bySlot = new Map<string, string[]>();
  let previous = '';
  for (const event of events) {
    const text = JSON.stringify(event);
    const parsed = JSON.parse(text) as typeof event;
    previous = createHash('sha256').update(previous).update(text).digest('hex');
    const list = bySlot.get(parsed.data.slotId) ?? [];
    list.push(previous);
    bySlot.set(parsed.data.slotId, list);
  }
  return [...bySlot.values()].flat().sort().length;
}

function medianMs(): number {
  referenceWork();
  const times: number[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const started = performance.now();
    referenceWork();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(REPEATS / 2)] * 100) / 100;
}

let atStart: number | null = null;

/** Measures the reference work before the benchmark starts (bench/run.ts). */
export function measureSpeedAtStart(): void {
  atStart = medianMs();
}

/** The figures for the result file; the work is measured again now, after the benchmark. */
export function machineSpeed(): MachineSpeed | null {
  if (atStart === null) return null;
  return { referenceWorkMs: { atStart, atEnd: medianMs() } };
}
