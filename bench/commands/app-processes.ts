import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from '@tracershop/projections/live';
import { MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';
import { cpuProfileHook, PROFILER_TOGGLE_SIGNAL } from './cpu-profile';

export const REPO_ROOT = join(__dirname, '..', '..');
const SOURCE_DIRECTORIES = ['apps', 'libs', 'projections', 'migrations'];
const BUILD_CONFIGS = ['tsconfig.base.json', 'tsconfig.build.json', 'package.json'];
const API_MAIN = join(REPO_ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
const PROJECTOR_MAIN = join(REPO_ROOT, 'dist', 'apps', 'projector', 'src', 'main.js');
const HEALTH_TIMEOUT_MS = 60_000;
/**
 * BENCH_LIVE_PROJECTOR: `shared` (default, the production layout of docker-compose.yml) runs every
 * projection in one projector; `separate` runs the live projection in a projector of its own and
 * the other projections in the first (the layout for a machine with cores to spare).
 */
export const LIVE_PROJECTOR_LAYOUT = process.env.BENCH_LIVE_PROJECTOR ?? 'shared';
const STOP_TIMEOUT_MS = 10_000;
const OUTPUT_LINES_KEPT = 40;

export type BuildMode = 'auto' | 'always' | 'never';

export interface BuildOutcome {
  built: boolean;
  seconds: number;
  reason: string;
}

/** Newest modification time of the TypeScript sources the build compiles (specs excluded). */
function newestSourceTime(): number {
  let newest = Math.max(...BUILD_CONFIGS.map((file) => statSync(join(REPO_ROOT, file)).mtimeMs));
  const visit = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  for (const directory of SOURCE_DIRECTORIES) visit(join(REPO_ROOT, directory));
  return newest;
}

/** Why `dist/` must be rebuilt, or null when it is newer than every source. */
function staleBecause(): string | null {
  if (!existsSync(API_MAIN) || !existsSync(PROJECTOR_MAIN)) return 'dist/ has no api or projector';
  // tsc rewrites every output file, so one output's time is the time of the last build.
  const builtAt = Math.min(statSync(API_MAIN).mtimeMs, statSync(PROJECTOR_MAIN).mtimeMs);
  return newestSourceTime() > builtAt ? 'sources changed since the last build' : null;
}

/** Runs `npm run build` when dist/ is missing or older than the sources (or as `mode` says). */
export async function buildIfStale(mode: BuildMode, log: (line: string) => void): Promise<BuildOutcome> {
  const stale = mode === 'always' ? 'BENCH_BUILD=always' : staleBecause();
  if (mode === 'never' || stale === null) {
    return { built: false, seconds: 0, reason: mode === 'never' ? 'BENCH_BUILD=never' : 'dist/ is up to date' };
  }
  log(`building: npm run build (${stale}; takes 20-30 s)`);
  const started = performance.now();
  const output: string[] = [];
  const child = spawn('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`npm run build failed (exit ${code}):\n${output.join('').slice(-4000)}`);
  return { built: true, seconds: (performance.now() - started) / 1000, reason: stale };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A compiled service in a child process, with the tail of its output for when it fails. */
class ServiceProcess {
  readonly output: string[] = [];
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exit: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
      if (this.output.length > OUTPUT_LINES_KEPT) this.output.splice(0, this.output.length - OUTPUT_LINES_KEPT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exit = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
    });
  }

  static start(name: string, main: string, env: Record<string, string>, nodeArgs: string[] = []): ServiceProcess {
    const child = spawn(process.execPath, [...nodeArgs, main], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(name, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  signal(signal: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(signal);
  }

  describeFailure(): string {
    const how = this.exited ? `exited (${this.exited.signal ?? this.exited.code})` : 'is running';
    return `${this.name} ${how}; its last output:\n  ${this.output.join('\n  ') || '(none)'}`;
  }

  /** Resolves once `url` answers 200; fails when the process exits first or the timeout passes. */
  async waitUntilHealthy(url: string): Promise<void> {
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.describeFailure()}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `${this.name} did not answer 200 on ${url} within ${HEALTH_TIMEOUT_MS} ms; ${this.describeFailure()}`,
    );
  }

  /** SIGTERM (a clean Nest shutdown), SIGKILL when it takes longer than the timeout. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exit;
    clearTimeout(timer);
  }
}

/** The first administrator the api creates from its environment (trees with identity). */
const BENCH_ADMIN = { username: 'bench.admin', password: 'plutonium kettle meadow 42', printedName: 'Bench Admin' };

export interface RunningTracershop {
  apiUrl: string;
  projectorUrl: string;
  apiPid: number;
  projectorPid: number;
  /** The live projection's own projector (BENCH_LIVE_PROJECTOR=separate), or null. */
  liveProjectorPid: number | null;
  databases: { events: string; record: string; web: string };
  /** Headers every command needs: the admin's bearer token when the api has logins, else none. */
  headers: Record<string, string>;
  /** When asked for: starts the api's CPU profiler, and stops it (the profile goes to `file`). */
  apiProfiler: { toggle(): void; file: string } | null;
  /** The same for the (first) projector. */
  projectorProfiler: { toggle(): void; file: string } | null;
  /** Stops both processes and drops the databases; safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * The api and the projector as in production (`node dist/apps/<name>/src/main.js`), each in its
 * own process on fresh databases with a random suffix, so the load generator never shares their
 * event loop and a run never sees another run's data.
 */
export async function startTracershop(
  log: (line: string) => void,
  options: { profileApi?: boolean; profileProjector?: boolean } = {},
): Promise<RunningTracershop> {
  const suffix = randomBytes(4).toString('hex');
  const databases = {
    events: `bench_cmd_events_${suffix}`,
    record: `bench_cmd_record_${suffix}`,
    web: `bench_cmd_web_${suffix}`,
  };
  if (LIVE_PROJECTOR_LAYOUT !== 'separate' && LIVE_PROJECTOR_LAYOUT !== 'shared') {
    throw new Error(`BENCH_LIVE_PROJECTOR=${LIVE_PROJECTOR_LAYOUT}: separate or shared`);
  }
  const separateLive = LIVE_PROJECTOR_LAYOUT === 'separate';
  const [apiPort, projectorPort, liveProjectorPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    EVENTS_DATABASE: databases.events,
    RECORD_DATABASE: databases.record,
    WEB_DATABASE: databases.web,
    API_PORT: String(apiPort),
    PROJECTOR_PORT: String(projectorPort),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    INITIAL_ADMIN_USERNAME: BENCH_ADMIN.username,
    INITIAL_ADMIN_PASSWORD: BENCH_ADMIN.password,
    INITIAL_ADMIN_NAME: BENCH_ADMIN.printedName,
    // Only the one login hashes a password; the cheapest cost the configuration allows keeps it quick.
    PASSWORD_SCRYPT_COST: '12',
  };
  const services: ServiceProcess[] = [];
  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      await Promise.allSettled(services.map((service) => service.stop()));
      await dropDatabases(Object.values(databases));
      await deleteRedisKeys(`tracershop:${databases.web}:*`);
    })());
  try {
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const projectorUrl = `http://127.0.0.1:${projectorPort}`;
    // The projector first: it creates the read-model tables the api reads while it boots.
    const projectorProfile = options.profileProjector ? cpuProfileHook('projector') : null;
    const projector = ServiceProcess.start(
      'projector',
      PROJECTOR_MAIN,
      {
        ...env,
        ...projectorProfile?.env,
        ...(separateLive ? { PROJECTOR_EXCLUDED_PROJECTIONS: LIVE_DASHBOARDS_PROJECTION_NAME } : {}),
      },
      projectorProfile?.nodeArgs,
    );
    services.push(projector);
    const liveProjector = separateLive
      ? ServiceProcess.start('live projector', PROJECTOR_MAIN, {
          ...env,
          PROJECTOR_PORT: String(liveProjectorPort),
          PROJECTOR_PROJECTIONS: LIVE_DASHBOARDS_PROJECTION_NAME,
        })
      : null;
    if (liveProjector) services.push(liveProjector);
    const projectorProfiler = projectorProfile && {
      toggle: () => projector.signal(PROFILER_TOGGLE_SIGNAL),
      file: projectorProfile.file,
    };
    await projector.waitUntilHealthy(`${projectorUrl}/health`);
    await liveProjector?.waitUntilHealthy(`http://127.0.0.1:${liveProjectorPort}/health`);
    const profile = options.profileApi ? cpuProfileHook() : null;
    const api = ServiceProcess.start('api', API_MAIN, { ...env, ...profile?.env }, profile?.nodeArgs);
    services.push(api);
    const apiProfiler = profile && { toggle: () => api.signal(PROFILER_TOGGLE_SIGNAL), file: profile.file };
    await api.waitUntilHealthy(`${apiUrl}/health`);
    const headers = await logInAsAdmin(apiUrl);
    log(
      `api pid ${api.pid} on ${apiUrl}, projector pid ${projector.pid} on ${projectorUrl}` +
        (liveProjector ? `, live projector pid ${liveProjector.pid}` : ' (live projection included)') +
        (headers.authorization ? `; logged in as ${BENCH_ADMIN.username}` : '; the api has no logins'),
    );
    return {
      apiUrl,
      projectorUrl,
      apiPid: api.pid,
      projectorPid: projector.pid,
      liveProjectorPid: liveProjector?.pid ?? null,
      databases,
      headers,
      apiProfiler,
      projectorProfiler,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The app's processes by name, for CPU shares. */
export function appProcesses(app: RunningTracershop): Record<string, number> {
  return {
    api: app.apiPid,
    projector: app.projectorPid,
    ...(app.liveProjectorPid === null ? {} : { 'live projector': app.liveProjectorPid }),
  };
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
}

/**
 * The bearer token of the first administrator (whose first password must be changed first), once
 * `/auth/me` accepts it; no headers when the api has no `/auth/login`.
 */
async function logInAsAdmin(apiUrl: string): Promise<Record<string, string>> {
  const logIn = async (password: string) => {
    const response = await postJson(`${apiUrl}/auth/login`, { username: BENCH_ADMIN.username, password });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`POST /auth/login answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { token: string; user: { mustChangePassword: boolean } };
  };
  let session = await logIn(BENCH_ADMIN.password);
  if (session === null) return {};
  if (session.user.mustChangePassword) {
    const newPassword = `${BENCH_ADMIN.password} renewed`;
    const changed = await postJson(
      `${apiUrl}/auth/password`,
      { currentPassword: BENCH_ADMIN.password, newPassword },
      { authorization: `Bearer ${session.token}` },
    );
    if (!changed.ok) throw new Error(`POST /auth/password answered ${changed.status}: ${await changed.text()}`);
    session = await logIn(newPassword);
    if (session === null) throw new Error('POST /auth/login went away');
  }
  const headers = { authorization: `Bearer ${session.token}` };
  // The session is a read model: it may take the projector a moment to show it.
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    const me = await fetch(`${apiUrl}/auth/me`, { headers, signal: AbortSignal.timeout(5_000) });
    await me.arrayBuffer();
    if (me.ok) return headers;
    if (Date.now() > deadline) throw new Error(`GET /auth/me answered ${me.status} to the new session`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The api's sessions and setup token live in Redis under the web database's name. */
async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  try {
    await redis.connect();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export async function dropDatabases(names: readonly string[]): Promise<void> {
  const admin = await createConnection({ ...MYSQL_TEST_CONNECTION, database: undefined });
  try {
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
  } finally {
    await admin.end();
  }
}
