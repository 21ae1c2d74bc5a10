/** Per projection: the largest and the last lag (events in $all after its checkpoint) the api's /health showed. */
export type ProjectionLags = Record<string, { max: number; last: number }>;

const POLL_EVERY_MS = 1_000;

/**
 * Polls the api's /health once a second while the load runs and keeps each projection's largest
 * lag: which read model falls behind (the live projection's lag is delivery latency).
 */
export class ProjectionLagSampler {
  private readonly lags: ProjectionLags = {};
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(private readonly apiUrl: string) {}

  start(): void {
    this.timer = setInterval(() => void this.poll(), POLL_EVERY_MS);
  }

  stop(): ProjectionLags {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.lags;
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const response = await fetch(`${this.apiUrl}/health`, { signal: AbortSignal.timeout(5_000) });
      const health = (await response.json()) as { details?: { projections?: Record<string, unknown> } };
      for (const [name, status] of Object.entries(health.details?.projections ?? {})) {
        const lag = (status as { lagEvents?: unknown } | null)?.lagEvents;
        if (typeof lag !== 'number') continue;
        const seen = (this.lags[name] ??= { max: 0, last: 0 });
        seen.max = Math.max(seen.max, lag);
        seen.last = lag;
      }
    } catch {
      // A slow answer under load: the next poll.
    } finally {
      this.polling = false;
    }
  }
}
