interface ProjectionHealth {
  lagEvents?: number | null;
  failure?: unknown;
}

/**
 * Polls the api's /health until every projection has applied every event; returns how long that
 * took, or null when it did not within the timeout. A projection stopped on an event fails the
 * bench: the history would not be what the simulation meant.
 */
export async function projectionsCaughtUp(apiUrl: string, timeoutMs = 120_000): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    let projections: Record<string, ProjectionHealth | string> | undefined;
    try {
      const response = await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(5_000) });
      const health = (await response.json()) as {
        details?: { projections?: Record<string, ProjectionHealth | string> };
      };
      projections = health.details?.projections;
    } catch {
      // A slow answer under load: ask again.
    }
    if (projections) {
      const statuses = Object.entries(projections).filter(
        (entry): entry is [string, ProjectionHealth] => typeof entry[1] === 'object' && entry[1] !== null,
      );
      const failed = statuses.find(([, status]) => status.failure);
      if (failed) throw new Error(`projection ${failed[0]} stopped: ${JSON.stringify(failed[1].failure)}`);
      if (statuses.length > 0 && statuses.every(([, status]) => status.lagEvents === 0)) {
        return (performance.now() - started) / 1000;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}
