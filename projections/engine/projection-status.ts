import type { EventStore, Position } from '@tracershop/event-store';
import type { Checkpoint, CheckpointStatus, ProjectionFailure } from './checkpoint-store';
import type { ProjectionTarget } from './projection';
import type { RunnerSnapshot } from './projection-runner';

/**
 * This process's runner keeps failing: every attempt since `since` ended in an error (it stands by
 * and tries again with backoff, or resubscribes), with no batch committed in between.
 */
export interface RunnerFailure {
  /** The last attempt's error. */
  message: string;
  since: Date;
  lastAt: Date;
  attempts: number;
}

/**
 * How lag in events is measured:
 * - `position-difference`: head minus checkpoint. Exact, one query, for stores whose positions are
 *   gap-free counters (MySQL, memory). Counts every `$all` event, also those the projection skips.
 * - `read-count`: counts events read from the checkpoint, up to `LAG_COUNT_CAP`, for stores whose
 *   positions are log offsets (EventStoreDB). `capped` says the real lag is at least that.
 */
export type LagCounting = 'position-difference' | 'read-count';

export const LAG_COUNT_CAP = 10_000;

export interface ProjectionLag {
  /** `$all` events after the checkpoint; null when unknown (no checkpoint or store unreachable). */
  events: number | null;
  capped: boolean;
  /** How long the oldest unapplied event has waited (now minus its recordedAt); 0 when caught up. */
  ms: number | null;
}

/** For /health, /metrics and `cli status`; readable from any process (the database has all but `runner`). */
export interface ProjectionStatus {
  name: string;
  target: ProjectionTarget;
  /** The version this process's code builds. */
  version: number;
  /** This process's runner; `stopped` when this process does not run the projection. */
  runner: RunnerSnapshot;
  /** This process's runner failing attempt after attempt; null when its last attempt went well or it runs elsewhere. */
  runnerFailure: RunnerFailure | null;
  /** The live tables' committed checkpoint, whichever process wrote it; null before the first run. */
  checkpoint: {
    version: number;
    position: Position;
    status: CheckpointStatus;
    eventsApplied: number;
    lastBatchSize: number | null;
    lastBatchAt: Date | null;
    activeInstance: string | null;
    updatedAt: Date;
  } | null;
  failure: ProjectionFailure | null;
  head: Position | null;
  lag: ProjectionLag;
  /** A rebuild into shadow tables under way (or stopped on a failure). */
  rebuild: {
    version: number;
    position: Position;
    status: CheckpointStatus;
    eventsApplied: number;
    startedAt: Date;
    /** The shadow checkpoint's last change (its last batch). */
    updatedAt: Date;
    /** A swap began (its renames are recorded) and has not finished. */
    swapPending: boolean;
    failure: ProjectionFailure | null;
  } | null;
  /**
   * Why the projection is not healthy, one line each; empty when it is. A projection is unhealthy
   * when it stopped on an event it cannot apply; when this process's runner has failed attempt after
   * attempt for `unhealthyAfterMs` (one failure that the next attempt clears never counts); when a
   * swap has been left unfinished that long with no rebuild at work on it; or when the live tables
   * are older than this code and the rebuild that would bring them up to date stopped on an event.
   */
  problems: string[];
  /** `problems` is empty. */
  healthy: boolean;
}

export async function measureLag(
  eventStore: EventStore,
  checkpoint: Checkpoint | null,
  head: Position | null,
  counting: LagCounting,
): Promise<ProjectionLag> {
  if (!checkpoint) return { events: null, capped: false, ms: null };
  if (!head || !head.isAfter(checkpoint.position)) return { events: 0, capped: false, ms: 0 };
  const from = checkpoint.position.isStart() ? undefined : checkpoint.position;
  try {
    let events: number;
    let capped = false;
    if (counting === 'position-difference') {
      events = Number(head.commit - checkpoint.position.commit);
    } else {
      events = (await eventStore.readAll({ fromPosition: from, maxCount: LAG_COUNT_CAP })).length;
      capped = events >= LAG_COUNT_CAP;
    }
    const [oldest] = await eventStore.readAll({ fromPosition: from, maxCount: 1 });
    const recordedAt = oldest ? Date.parse(oldest.metadata.recordedAt) : Number.NaN;
    return { events, capped, ms: Number.isNaN(recordedAt) ? null : Math.max(0, Date.now() - recordedAt) };
  } catch {
    return { events: null, capped: false, ms: null };
  }
}

/** Prometheus text exposition of the statuses (the projector's /metrics). */
export function projectionMetricsText(statuses: readonly ProjectionStatus[]): string {
  const metrics: Array<[name: string, help: string, value: (status: ProjectionStatus) => number | null]> = [
    ['tracershop_projection_lag_events', '$all events after the checkpoint', (s) => s.lag.events],
    ['tracershop_projection_lag_seconds', 'Age of the oldest unapplied event', (s) => nullable(s.lag.ms, 1000)],
    ['tracershop_projection_events_applied_total', 'Events applied', (s) => s.checkpoint?.eventsApplied ?? null],
    [
      'tracershop_projection_failed',
      '1 when unhealthy: stopped on an event, its runner failing, or a swap left unfinished',
      (s) => (s.healthy ? 0 : 1),
    ],
    ['tracershop_projection_active', '1 when this process is the active runner', (s) => activeHere(s)],
    [
      'tracershop_projection_last_batch_size',
      'Events in the last committed batch',
      (s) => s.runner.lastBatch?.size ?? null,
    ],
    [
      'tracershop_projection_last_batch_seconds',
      'Duration of the last committed batch',
      (s) => nullable(s.runner.lastBatch?.durationMs ?? null, 1000),
    ],
  ];
  const lines: string[] = [];
  for (const [name, help, value] of metrics) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const status of statuses) {
      const measured = value(status);
      if (measured !== null) lines.push(`${name}{projection="${status.name}",target="${status.target}"} ${measured}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function nullable(value: number | null, divisor: number): number | null {
  return value === null ? null : value / divisor;
}

function activeHere(status: ProjectionStatus): number {
  return status.runner.state === 'running' || status.runner.state === 'failed' ? 1 : 0;
}
