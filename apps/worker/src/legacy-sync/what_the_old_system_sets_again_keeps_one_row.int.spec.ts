import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { CommandPipeline, type CommandContext } from '@tracershop/command-pipeline';
import { loadConfiguration } from '@tracershop/config';
import { OLD_SYSTEM_SOURCE } from '@tracershop/domain/legacy';
import { Position } from '@tracershop/event-store';
import { TracershopMetrics } from '@tracershop/platform';
import { LEGACY_PROJECTION_NAME } from '../../../../projections/legacy/legacy-projection';
import { catalogue, endpointId } from '../../../../projections/legacy/test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from '../../../../projections/legacy/test-support/legacy-test-bed';
import { catalogCommands, refsLoadedByHandler, type CatalogLookups } from '../../../api/src/catalog/catalog-commands';
import { LegacyInboundSync } from './legacy-inbound-sync';

/**
 * Regression (review legacy-projection, finding 3): after Tracershop reopened a date (revoked a
 * tracer), the old system closed it (granted it) again with a row of its own, which the record
 * refused or kept beside its own id; Tracershop's next reopening (revoke) then left the old system's
 * row, so the old system held the date closed (let the customer order). The record now takes the
 * old system's new row over, so the old system reads one row, and the record's reopening removes it.
 */
describe('a date or a tracer the old system sets again after Tracershop undid it', () => {
  let bed: LegacyTestBed;
  let pipeline: CommandPipeline;
  let sync: LegacyInboundSync;
  let catalog: ReturnType<typeof catalogCommands>;
  const christmasEve = '2026-12-24';

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_set_again');
    const config = loadConfiguration({ RECORD_DATABASE: bed.database, LEGACY_SYNC_INTERVAL_MS: '20' });
    pipeline = new CommandPipeline({ store: bed.store, conflictRetries: 3 });
    sync = new LegacyInboundSync(
      config,
      bed.reader,
      pipeline,
      pino({ level: 'silent' }),
      new TracershopMetrics('worker-spec'),
      bed.store,
    );
    // Closed dates and permissions read nothing from the catalogue read model, and every id here is given.
    catalog = catalogCommands(pipeline, {} as CatalogLookups, {
      allocate: () => Promise.reject(new Error('every legacy id of this spec is given')),
    });
    await bed.given(...catalogue);
  });

  afterAll(async () => {
    await sync.onApplicationShutdown();
    await bed.close();
  });

  const context = (reason: string, source?: CommandContext['source']): CommandContext => ({
    actor: { kind: 'user', id: 'user-peter', printedName: 'Peter Hansen', role: 'production' },
    correlationId: randomUUID(),
    causationId: randomUUID(),
    occurredAt: '2026-12-01T10:00:00.000Z',
    reason,
    ...(source ? { source } : {}),
  });
  const projected = async (position: string | null) => {
    if (position) await bed.engine.waitForPosition(LEGACY_PROJECTION_NAME, Position.parse(position), 10_000);
  };
  const at = '2026-12-01T10:00:00.000Z';

  it('given a date Tracershop closed and reopened, when the old system closes it again and Tracershop reopens it, then no row is left', async () => {
    await projected(
      (
        await pipeline.execute(
          catalog.closedDate,
          { type: 'CloseDate', date: christmasEve, reason: 'Service', legacyId: 2000, at },
          context('Service'),
        )
      ).position,
    );
    await projected(
      (
        await pipeline.execute(
          catalog.closedDate,
          { type: 'ReopenDate', date: christmasEve, reason: 'Service moved', at },
          context('Service moved'),
        )
      ).position,
    );

    // When the old system closes the date again (its own row), and the worker syncs it
    await bed.reader.query('INSERT INTO blockDeliverDate (BDID, ddate) VALUES (2001, ?)', [christmasEve]);
    expect(await sync.syncPending()).toBe(1);
    const [change] = (
      await bed.reader.query(
        "SELECT outcome, outcome_code AS code, events, position FROM legacy_capture WHERE table_name = 'blockDeliverDate'",
      )
    )[0] as Array<{ outcome: string; code: string | null; events: string; position: string }>;
    expect(change).toMatchObject({ outcome: 'applied', code: null, events: 'DateClosed' });
    await projected(change?.position ?? null);
    // Then the old system reads its own row, the one row of the date
    expect(await bed.positional('blockDeliverDate', 'BDID')).toEqual([[2001, christmasEve]]);

    // And when Tracershop reopens it, the old system takes orders for the date again
    const reopened = await pipeline.execute(
      catalog.closedDate,
      { type: 'ReopenDate', date: christmasEve, reason: 'Open after all', at },
      context('Open after all'),
    );
    expect(reopened.events).toEqual(['DateReopened']);
    await projected(reopened.position);
    expect(await bed.positional('blockDeliverDate', 'BDID')).toEqual([]);
  });

  it('given a tracer Tracershop revoked, when the old system grants it again and Tracershop revokes it, then the customer cannot order it there', async () => {
    const pair = { endpointId, tracerId: 'tracer-fet' };
    const fetRows = () => bed.rows('SELECT ID FROM TracerCustomer WHERE tracer_id = 8 AND customer_id = 42');
    await projected(
      (
        await pipeline.execute(
          catalog.tracerPermission,
          { type: 'RevokeTracerPermission', ...pair, reason: 'Study ended', at },
          context('Study ended'),
        )
      ).position,
    );
    expect(await fetRows()).toEqual([]);

    // When the old system grants it again (its row 53), and the sync sends the grant it plans for it
    await bed.reader.query('INSERT INTO TracerCustomer (tracer_id, customer_id, ID) VALUES (8, 42, 53)');
    const granted = await pipeline.execute(
      catalog.tracerPermission,
      { type: 'GrantTracerPermission', ...pair, legacyId: 53, at, refs: refsLoadedByHandler },
      context('Granted in the old system', {
        system: OLD_SYSTEM_SOURCE,
        table: 'TracerCustomer',
        primaryKey: '53',
        operation: 'insert',
      }),
    );
    expect(granted.events).toEqual(['TracerPermissionGranted']);
    await projected(granted.position);
    expect(await fetRows()).toEqual([{ ID: 53 }]);

    // Then Tracershop's revoke removes the row the old system reads
    const revoked = await pipeline.execute(
      catalog.tracerPermission,
      { type: 'RevokeTracerPermission', ...pair, reason: 'Study ended again', at },
      context('Study ended again'),
    );
    expect(revoked.events).toEqual(['TracerPermissionRevoked']);
    await projected(revoked.position);
    expect(await fetRows()).toEqual([]);
  });
});
