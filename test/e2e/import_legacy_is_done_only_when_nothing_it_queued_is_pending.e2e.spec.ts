import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createConnection, type Connection } from 'mysql2/promise';
import { addDays } from '@tracershop/domain/catalog';
import { createHttpApp, createLogger } from '@tracershop/platform';
import { customerIdOfLegacyRow } from '../../apps/worker/src/legacy-sync/captured-catalog-changes';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { ADMIN, as, bootApp, configOnTheSameDatabases, F18_ISOTOPE, logIn, monday, type BootedApp } from './booted-app';
import { cliOn } from './cli-process';

/**
 * Regression: an import that stalled (no worker synced) left its changes queued; each rerun skipped
 * the steps whose rows were queued already without waiting for them, and the third printed
 * "nothing new to import" and exited 0 with the changes still pending.
 */

describe('cli import-legacy is done only when nothing it queued, in any run, is pending', () => {
  let app: BootedApp;
  let worker: NestFastifyApplication | undefined;
  let oldSystem: Connection;
  let admin: ReturnType<typeof as>;
  const today = new Date().toISOString().slice(0, 10);
  const closedDate = addDays(monday(3), 2);

  /** The cli as an operator runs it, on the app's databases. */
  const importLegacy = () => cliOn(app, 'import-legacy', '--from', today, '--stall-seconds', '1');

  async function pendingImports(): Promise<number> {
    const [rows] = await oldSystem.query(
      "SELECT COUNT(*) AS n FROM legacy_capture WHERE captured_by = 'import-legacy' AND outcome = 'pending'",
    );
    return Number((rows as Array<{ n: number }>)[0].n);
  }

  beforeAll(async () => {
    app = await bootApp();
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    const f18 = (await admin.post('/catalog/isotopes').send(F18_ISOTOPE).expect(201)).body.id as string;
    await admin
      .post('/catalog/tracers')
      .send({
        isotopeId: f18,
        inUse: true,
        shortName: 'FDG',
        clinicalName: 'FDG',
        kind: 'activity',
        vialTag: 'FDG',
        legacyId: 6,
      })
      .expect(201);

    // The old database as it stood before its capture triggers: a customer and a closed date
    oldSystem = await createConnection({ ...app.config.mysql, database: app.config.databases.record });
    await oldSystem.query('SET @tracershop_projection_write = 1');
    await oldSystem.query(
      "INSERT INTO Users (Id, Username, Realname, overhead, kundenr) VALUES (5, 'rigs', 'Rigshospitalet', 10, 7)",
    );
    await oldSystem.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (5, 4)');
    await oldSystem.query('INSERT INTO blockDeliverDate (BDID, ddate) VALUES (19, ?)', [closedDate]);
    await oldSystem.query('SET @tracershop_projection_write = NULL');
  });

  afterAll(async () => {
    await oldSystem?.end();
    await worker?.close();
    await app?.close();
  });

  it('given no worker syncing, every run stops on the changes still pending and exits 1, the third too', async () => {
    const first = await importLegacy();
    const second = await importLegacy();
    const third = await importLegacy();

    // The third run is not done: the changes queued before are still pending
    expect(third.stdout).not.toContain('nothing new to import');
    expect(third.code).toBe(1);
    expect(third.stderr).toContain(
      'UserRoles: the legacy sync finished none of the 1 pending changes for 1 s (1 import changes pending in all)',
    );
    expect(await pendingImports()).toBe(1);
    // The first queued the customer and stopped; the second waited for it before queuing anything that may need it
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('UserRoles: the legacy sync finished none of the 1 pending changes');
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('UserRoles: waiting for 1 changes an earlier run queued, still pending');
    expect(second.stderr).toContain('UserRoles: the legacy sync finished none of the 1 pending changes');
  });

  it('given a worker syncing, the next run goes on from there and is done once nothing is pending', async () => {
    const config = configOnTheSameDatabases(app, { LEGACY_SYNC_INTERVAL_MS: '25' });
    const logger = createLogger(config.logLevel, 'e2e-worker');
    worker = await createHttpApp(WorkerModule.register(config, logger), { config, logger });
    await worker.init();

    const run = await importLegacy();
    expect(run.stderr).toBe('');
    // (The worker may have taken the earlier runs' customer before this run began.)
    expect(run.stdout).toMatch(/UserRoles: 1 rows \(.*\), 1 known already, 0 changes/);
    expect(run.stdout).toMatch(/blockDeliverDate: 1 rows \(closed dates\), 0 known already, 1 changes: applied 1/);
    expect(run.stdout).toContain('import-legacy: done, nothing pending or open');
    expect(run.code).toBe(0);
    // Done means done: nothing the import queued is left for the sync, and the rows are Tracershop's
    expect(await pendingImports()).toBe(0);
    await admin.get(`/catalog/customers/${customerIdOfLegacyRow(5)}`).expect(200);
    await admin.get(`/catalog/closed-dates/${closedDate}`).expect(200);
  });
});
