import { createConnection, type Connection } from 'mysql2/promise';
import request from 'supertest';
import { ProjectionEngine, type ProjectionStatus } from '@tracershop/projections/engine';
import { BOOKINGS_PROJECTION_NAME, LEGACY_SYNC_PROJECTION_NAME } from '@tracershop/projections/record';
import { bootApp, type BootedApp } from './booted-app';
import { cliOn } from './cli-process';

/**
 * Regression: a projection whose runner looped on an error (a swap it could not finish) showed as
 * healthy on the projector's /health and /metrics and in `cli status` (exit 0) while its lag grew;
 * the 503 body, when there was one, said nothing of which projection failed.
 */

const STUCK = BOOKINGS_PROJECTION_NAME;

describe('a projection stuck on an error is reported unhealthy', () => {
  let app: BootedApp;
  let record: Connection;

  const cli = (...args: string[]) => cliOn(app, ...args);

  async function statusOf(name: string): Promise<ProjectionStatus> {
    const status = (await app.projector.get(ProjectionEngine).status()).find((each) => each.name === name);
    if (!status) throw new Error(`no projection ${name}`);
    return status;
  }

  async function until<T>(what: string, read: () => Promise<T>, holds: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await read();
      if (holds(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within 30 s (last: ${JSON.stringify(value)})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    app = await bootApp();
    await app.projector.getHttpAdapter().getInstance().ready();
    record = await createConnection({ ...app.config.mysql, database: app.config.databases.record });
    const bookings = await until(
      'the bookings runner is active',
      () => statusOf(STUCK),
      (s) => s.runner.state === 'running',
    );

    // Given a swap of the bookings projection recorded and left unfinished, in a way nobody can finish it
    const renames = [{ live: 'bookings', shadow: 'bookings__v99_shadow', old: `retired_${'x'.repeat(70)}` }];
    await record.query(
      `INSERT INTO projection_checkpoints (name, slot, version, axis, position, status, events_applied, swap_tables,
         started_at, updated_at)
       VALUES (?, 'shadow', ?, 'all', 'start', 'rebuilding', 0, ?, UTC_TIMESTAMP(6) - INTERVAL 1 HOUR,
         UTC_TIMESTAMP(6) - INTERVAL 1 HOUR)`,
      [STUCK, bookings.version, JSON.stringify(renames)],
    );
    // and its runner made to take its lock again (a rebuild asks it to hand over, then withdraws), so
    // it tries to finish that swap each time it takes the lock
    await record.query(
      "UPDATE projection_checkpoints SET handover_requested_at = UTC_TIMESTAMP(6) WHERE name = ? AND slot = 'live'",
      [STUCK],
    );
    await until(
      'the runner hands over',
      () => statusOf(STUCK),
      (s) => s.runner.state === 'standby',
    );
    await record.query(
      "UPDATE projection_checkpoints SET handover_requested_at = NULL WHERE name = ? AND slot = 'live'",
      [STUCK],
    );
    // And a rebuild of another projection that stopped on an event, while its live tables are as new
    const legacySync = await statusOf(LEGACY_SYNC_PROJECTION_NAME);
    await record.query(
      `INSERT INTO projection_checkpoints (name, slot, version, axis, position, status, events_applied, failed_position,
         failed_event_id, failed_event_type, failure_message, failed_at, started_at, updated_at)
       VALUES (?, 'shadow', ?, 'all', 'start', 'failed', 0, '7', 'e-7', 'CapturedChangeApplied',
         'cannot apply this', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))`,
      [LEGACY_SYNC_PROJECTION_NAME, legacySync.version],
    );
  });

  afterAll(async () => {
    await record?.end();
    await app?.close();
  });

  it("the projector's /health answers 503 and names the projection, its problems and its runner's error", async () => {
    const answer = await until(
      "the runner's failures reach /health",
      () => request(app.projector.getHttpServer()).get('/health'),
      (response) =>
        JSON.stringify(response.body).includes('the runner has failed') &&
        JSON.stringify(response.body).includes('left unfinished'),
    );
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: 'NOT_READY', message: 'Not ready: projections' });
    const projections = answer.body.error.details.error.projections;
    expect(projections.status).toBe('down');
    expect(projections[STUCK]).toMatchObject({
      healthy: false,
      state: 'running',
      runner: 'standby',
      runnerFailure: { message: expect.stringContaining('Invalid database name'), attempts: expect.any(Number) },
      problems: [
        expect.stringMatching(/^the runner has failed \d+ attempts in a row since .*: Invalid database name/),
        expect.stringMatching(/^a swap to version \d+ was left unfinished/),
      ],
      rebuild: { swapPending: true },
    });
    // The others are healthy, a rebuild that stopped beside up-to-date live tables included
    expect(projections[LEGACY_SYNC_PROJECTION_NAME]).toMatchObject({
      healthy: true,
      rebuild: { status: 'failed', failure: { eventType: 'CapturedChangeApplied', message: 'cannot apply this' } },
    });
    // And the dependencies' checks are there as before
    expect(answer.body.error.details.info).toMatchObject({ mysql: { status: 'up' }, redis: { status: 'up' } });
  });

  it("the projector's /metrics counts it failed", async () => {
    const metrics = await request(app.projector.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      new RegExp(`^tracershop_projection_failed\\{[^}]*projection="${STUCK}"[^}]*\\} 1$`, 'm'),
    );
    expect(metrics.text).toMatch(
      new RegExp(`^tracershop_projection_failed\\{[^}]*projection="${LEGACY_SYNC_PROJECTION_NAME}"[^}]*\\} 0$`, 'm'),
    );
  });

  it('cli status shows the rebuilds and the problems, and exits 1', async () => {
    const run = await cli('status');
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^projection\s+version\s+state\s+position\s+lag events\s+lag ms\s+rebuild\s+health$/m);
    expect(run.stdout).toMatch(new RegExp(`^${STUCK.replace('.', '\\.')}\\s.*\\sv\\d+ swapping\\s+UNHEALTHY$`, 'm'));
    expect(run.stdout).toMatch(/^record\.legacySync\s.*\sv\d+ stopped at 7\s+ok$/m);
    expect(run.stdout).toMatch(
      new RegExp(`^${STUCK.replace('.', '\\.')}: a swap to version \\d+ was left unfinished`, 'm'),
    );
    expect(run.stdout).toMatch(
      /^record\.legacySync: the rebuild of version \d+ stopped at CapturedChangeApplied e-7 \(7\): cannot apply this; `cli rebuild record\.legacySync` runs it again$/m,
    );
    expect(run.code).toBe(1);
  });
});
