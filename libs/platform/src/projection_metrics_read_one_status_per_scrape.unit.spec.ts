import type { ProjectionEngine, ProjectionStatus } from '@tracershop/projections/engine';
import { TracershopMetrics } from './metrics';
import { registerProjectionMetrics } from './projections.module';

/** A projection's status as the engine reports it; only what the gauges read matters here. */
const statusOf = (healthy: boolean, eventsApplied: number): ProjectionStatus =>
  ({
    name: 'record.catalog',
    healthy,
    checkpoint: { eventsApplied, lastBatchSize: 3 },
    lag: { events: healthy ? 0 : 5, ms: healthy ? 0 : 2_000 },
  }) as unknown as ProjectionStatus;

describe('projection gauges on /metrics', () => {
  it('given a projection that fails between two scrapes, then each scrape shows the state of its own moment, read once', async () => {
    const metrics = new TracershopMetrics('spec');
    let current = statusOf(true, 10);
    let reads = 0;
    const engine: Pick<ProjectionEngine, 'status'> = {
      status: async () => {
        reads++;
        return [current];
      },
    };
    registerProjectionMetrics(engine, metrics);
    const scrape = async () => {
      const text = await metrics.registry.metrics();
      const value = (name: string) =>
        Number(new RegExp(`^${name}\\{[^}]*projection="record.catalog"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
      return {
        failed: value('tracershop_projection_failed'),
        lagEvents: value('tracershop_projection_lag_events'),
        lagSeconds: value('tracershop_projection_lag_seconds'),
        applied: value('tracershop_projection_events_applied'),
        batch: value('tracershop_projection_last_batch_events'),
      };
    };

    expect(await scrape()).toEqual({ failed: 0, lagEvents: 0, lagSeconds: 0, applied: 10, batch: 3 });
    expect(reads).toBe(1);

    current = statusOf(false, 12);
    expect(await scrape()).toEqual({ failed: 1, lagEvents: 5, lagSeconds: 2, applied: 12, batch: 3 });
    expect(reads).toBe(2);
  });
});
