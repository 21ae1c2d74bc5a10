import { Position } from '@tracershop/event-store';
import { projectionMetricsText, type ProjectionStatus } from './projection-status';

const status = (overrides: Partial<ProjectionStatus>): ProjectionStatus => ({
  name: 'order-summaries',
  target: 'record',
  version: 2,
  runner: {
    state: 'running',
    live: true,
    note: null,
    lastBatch: { at: new Date(), size: 12, durationMs: 30 },
    activeSince: null,
  },
  runnerFailure: null,
  checkpoint: {
    version: 2,
    position: Position.of(90n),
    status: 'running',
    eventsApplied: 80,
    lastBatchSize: 12,
    lastBatchAt: null,
    activeInstance: 'projector-1',
    updatedAt: new Date(),
  },
  failure: null,
  head: Position.of(99n),
  lag: { events: 9, capped: false, ms: 1_500 },
  rebuild: null,
  problems: [],
  healthy: true,
  ...overrides,
});

describe('projectionMetricsText', () => {
  it('renders lag, progress and failure per projection as Prometheus gauges', () => {
    const text = projectionMetricsText([status({}), status({ name: 'users', target: 'web', healthy: false })]);
    expect(text).toContain('tracershop_projection_lag_events{projection="order-summaries",target="record"} 9');
    expect(text).toContain('tracershop_projection_lag_seconds{projection="order-summaries",target="record"} 1.5');
    expect(text).toContain(
      'tracershop_projection_events_applied_total{projection="order-summaries",target="record"} 80',
    );
    expect(text).toContain('tracershop_projection_failed{projection="users",target="web"} 1');
    expect(text).toContain('tracershop_projection_last_batch_seconds{projection="users",target="web"} 0.03');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('leaves out what is unknown', () => {
    const text = projectionMetricsText([status({ lag: { events: null, capped: false, ms: null } })]);
    expect(text).not.toContain('tracershop_projection_lag_events{');
    expect(text).not.toContain('tracershop_projection_lag_seconds{');
  });
});
