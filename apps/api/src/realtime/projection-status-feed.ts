import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { TracershopConfig } from '@tracershop/config';
import { PINO_LOGGER, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { ProjectionEngine, type ProjectionStatus } from '@tracershop/projections/engine';
import type { ProjectionStatusView, RealtimeMessage } from '@tracershop/realtime';
import { RealtimeHub } from './realtime-hub';

export const PROJECTION_STATUS_TOPIC = 'projection-status';

export function statusViewOf(status: ProjectionStatus): ProjectionStatusView {
  const failure = status.failure ?? status.rebuild?.failure ?? null;
  return {
    name: status.name,
    state: status.checkpoint?.status ?? 'not started',
    position: status.checkpoint?.position.toString() ?? null,
    lagEvents: status.lag.events,
    failure: failure
      ? { position: failure.position.toString(), eventId: failure.eventId, message: failure.message }
      : null,
  };
}

/**
 * The projection-status topic. Projections report through their checkpoint rows, which any process
 * can read, so each api instance polls them (`REALTIME_PROJECTION_STATUS_INTERVAL_MS`) while one of
 * its sockets follows the topic, and sends `projection-status.updated` for each projection whose
 * view changed since the last poll. Its messages are not logged: a join always gets a snapshot.
 */
@Injectable()
export class ProjectionStatusFeed implements BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private last = new Map<string, string>();
  private polling = false;

  constructor(
    @Inject(ProjectionEngine) private readonly engine: ProjectionEngine,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    private readonly hub: RealtimeHub,
  ) {}

  /** The snapshot message, and polling from now on. */
  async snapshot(): Promise<RealtimeMessage<'projection-status.snapshot'>> {
    const statuses = await this.engine.status();
    const projections = statuses.map(statusViewOf);
    // Seeds the comparison for the first follower; with earlier followers, a newer view than the
    // last poll's is broadcast at the next poll (a repeat for this one, harmless).
    for (const view of projections) if (!this.last.has(view.name)) this.last.set(view.name, JSON.stringify(view));
    this.ensurePolling();
    const position = statuses.find((status) => status.head)?.head?.toString() ?? 'start';
    // Not logged: a join always gets a snapshot, so the key only mirrors the position.
    return {
      type: 'projection-status.snapshot',
      topic: PROJECTION_STATUS_TOPIC,
      position,
      key: position,
      payload: { projections },
    };
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private ensurePolling(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.config.realtime.projectionStatusIntervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    if (this.hub.followerCount(PROJECTION_STATUS_TOPIC) === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.last.clear();
      return;
    }
    this.polling = true;
    try {
      for (const status of await this.engine.status()) {
        const view = statusViewOf(status);
        const text = JSON.stringify(view);
        const previous = this.last.get(view.name);
        this.last.set(view.name, text);
        if (previous === text) continue;
        const position = view.position ?? 'start';
        this.hub.broadcastUnlogged({
          type: 'projection-status.updated',
          topic: PROJECTION_STATUS_TOPIC,
          position,
          key: position,
          payload: { projection: view },
        });
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'realtime: polling projection status failed');
    } finally {
      this.polling = false;
    }
  }
}
