import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * Preloaded into the api (`node --require`) when BENCH_API_CPU_PROFILE is set: the first SIGWINCH
 * starts the V8 sampling profiler, the second writes the profile to BENCH_CPU_PROFILE_FILE. SIGWINCH
 * because Nest's shutdown hooks stop the app on SIGUSR2 and Node keeps SIGUSR1 for the inspector.
 * Plain JavaScript because it runs beside the compiled app, written to a temporary directory.
 */
const PRELOAD = `
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const session = new Session();
session.connect();
let profiling = false;
process.on('SIGWINCH', () => {
  if (!profiling) {
    profiling = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: 200 }, () => session.post('Profiler.start')));
    return;
  }
  profiling = false;
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(process.env.BENCH_CPU_PROFILE_FILE, JSON.stringify(result.profile));
  });
});
`;

export const PROFILER_TOGGLE_SIGNAL: NodeJS.Signals = 'SIGWINCH';

export interface CpuProfileHook {
  /** Node arguments and environment for the profiled child. */
  nodeArgs: string[];
  env: Record<string, string>;
  file: string;
}

export function cpuProfileHook(service = 'api'): CpuProfileHook {
  const directory = mkdtempSync(join(tmpdir(), 'tracershop-bench-'));
  const preload = join(directory, 'cpu-profile-preload.cjs');
  writeFileSync(preload, PRELOAD);
  const file = join(directory, `${service}.cpuprofile`);
  return { nodeArgs: ['--require', preload], env: { BENCH_CPU_PROFILE_FILE: file }, file };
}

/** Waits until the profiled child has written its profile. */
export async function profileWritten(file: string, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuProfileSummary {
  sampledMs: number;
  /** Self time by package (node_modules), app folder (dist/…), node built-in or V8 pseudo-frame. */
  selfByArea: Array<{ area: string; ms: number; share: number }>;
  /** Time with the function on the stack, for the app's own functions. */
  inclusiveAppFunctions: Array<{ name: string; ms: number; share: number }>;
}

/** The repository's own sources as a profiled process sees them: compiled (dist/) or run as TypeScript. */
const APP_SOURCE = /\/(?:dist\/)?((?:apps|libs|projections|bench|migrations)\/.*)$/;

function appPathOf(url: string): string | null {
  if (!url || url.includes('node_modules/')) return null;
  return APP_SOURCE.exec(url)?.[1] ?? null;
}

function areaOf(url: string, functionName: string): string {
  if (!url) return functionName || '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + 'node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  const app = appPathOf(url);
  if (app !== null) return app.split('/').slice(0, 3).join('/');
  return url;
}

/** Self time by area and inclusive time of the app's functions, from a `.cpuprofile`. */
export function summariseCpuProfile(file: string, top = 25): CpuProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalMicros = 0;
  profile.samples.forEach((sample, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    totalMicros += micros;
    const node = byId.get(sample);
    if (!node) return;
    const area = areaOf(node.callFrame.url, node.callFrame.functionName);
    self.set(area, (self.get(area) ?? 0) + micros);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parentOf.get(id)) {
      const { functionName, url } = byId.get(id)!.callFrame;
      // The app's own code only, not a package's.
      if (appPathOf(url) === null || !functionName) continue;
      const name = `${functionName} (${areaOf(url, functionName)})`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  });
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, top)
      .map(([name, micros]) => ({
        name,
        ms: Math.round(micros / 1000),
        share: Math.round((micros / totalMicros) * 1000) / 10,
      }));
  return {
    sampledMs: Math.round(totalMicros / 1000),
    selfByArea: ranked(self).map(({ name, ms, share }) => ({ area: name, ms, share })),
    inclusiveAppFunctions: ranked(inclusive),
  };
}

/**
 * Runs `work` under the V8 sampling profiler of this very process and writes the profile to
 * `file` (for the bench's own in-process work, such as a rebuild).
 */
export async function profileInProcess<T>(file: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    try {
      return await work();
    } finally {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
    }
  } finally {
    session.disconnect();
  }
}

/** A fresh file for a profile of `name`, in a temporary directory of its own. */
export function profileFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), 'tracershop-bench-')), `${name}.cpuprofile`);
}
