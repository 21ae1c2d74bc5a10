import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** Starts a process's entry point as `npm start` would and returns how it ended. */
function start(service: 'api' | 'projector' | 'worker', env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'apps', service, 'src', 'main.ts')], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr };
}

describe('a process that cannot reach what it needs says so and exits', () => {
  it('given MySQL is not where configured, then the api names it, where it looked and the fix, and exits 1', () => {
    const { code, stderr } = start('api', { MYSQL_PORT: '1' });
    expect(code).toBe(1);
    expect(stderr).toContain('Cannot reach MySQL at 127.0.0.1:1 as root');
    expect(stderr).toContain('set MYSQL_HOST, MYSQL_PORT, MYSQL_USER and MYSQL_PASSWORD');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('given Redis is not where configured, then the worker names it and exits 1', () => {
    const { code, stderr } = start('worker', { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(code).toBe(1);
    expect(stderr).toContain('Cannot reach Redis at redis://127.0.0.1:1');
    expect(stderr).toContain('set REDIS_URL');
  });

  it('given an invalid setting, then the projector lists every problem and exits 2', () => {
    const { code, stderr } = start('projector', { MYSQL_PORT: 'many', RECORD_DATABASE: 'a b' });
    expect(code).toBe(2);
    expect(stderr).toContain('MYSQL_PORT="many" must be an integer');
    expect(stderr).toContain('RECORD_DATABASE="a b"');
  });

  it('given a projection name no projection has, then the projector names the known ones and exits 2', () => {
    const { code, stderr } = start('projector', { PROJECTOR_PROJECTIONS: 'live.dashbords' });
    expect(code).toBe(2);
    expect(stderr).toContain('PROJECTOR_PROJECTIONS names no projection "live.dashbords" (known: ');
    expect(stderr).toContain('live.dashboards');
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
