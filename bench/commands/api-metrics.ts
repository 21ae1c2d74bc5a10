/** Prometheus series of the api that say where a command's time goes, summed over their labels. */
const SERIES = [
  'tracershop_command_duration_seconds_sum',
  'tracershop_command_duration_seconds_count',
  'tracershop_event_store_append_duration_seconds_sum',
  'tracershop_event_store_append_duration_seconds_count',
] as const;
type Series = (typeof SERIES)[number];

export type MetricTotals = Record<Series, number>;

/** Where the api's time per command went over an interval, from its own /metrics. */
export interface CommandTimeSplit {
  /** Pipeline runs (a command that claims names runs the pipeline more than once). */
  pipelineRuns: number;
  /** Mean time in the command pipeline: load, decide, append. */
  meanPipelineMs: number;
  appends: number;
  /** Mean time of one event-store append (the group commit included). */
  meanAppendMs: number;
}

export async function scrapeMetricTotals(apiUrl: string): Promise<MetricTotals> {
  const response = await fetch(`${apiUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  const totals = Object.fromEntries(SERIES.map((series) => [series, 0])) as MetricTotals;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.eE+-]+)$/.exec(line);
    if (match && (SERIES as readonly string[]).includes(match[1])) totals[match[1] as Series] += Number(match[2]);
  }
  return totals;
}

export function commandTimeSplit(before: MetricTotals, after: MetricTotals): CommandTimeSplit {
  const delta = (series: Series) => after[series] - before[series];
  const pipelineRuns = delta('tracershop_command_duration_seconds_count');
  const appends = delta('tracershop_event_store_append_duration_seconds_count');
  const meanMs = (sum: number, count: number) => (count > 0 ? Math.round((sum / count) * 1000 * 100) / 100 : 0);
  return {
    pipelineRuns,
    meanPipelineMs: meanMs(delta('tracershop_command_duration_seconds_sum'), pipelineRuns),
    appends,
    meanAppendMs: meanMs(delta('tracershop_event_store_append_duration_seconds_sum'), appends),
  };
}
