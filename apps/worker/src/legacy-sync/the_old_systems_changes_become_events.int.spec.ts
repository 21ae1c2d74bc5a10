import pino from 'pino';
import { CommandPipeline } from '@tracershop/command-pipeline';
import { loadConfiguration } from '@tracershop/config';
import type { RecordedEvent } from '@tracershop/event-store';
import { TracershopMetrics } from '@tracershop/platform';
import { catalogue } from '../../../../projections/legacy/test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from '../../../../projections/legacy/test-support/legacy-test-bed';
import { LegacyInboundSync } from './legacy-inbound-sync';

interface Outcome {
  id: number;
  table_name: string;
  outcome: string;
  outcome_code: string | null;
  events: string | null;
}

const VAL_COLUMNS = 'customer, charge, depotpos, filldate, filltime, volume, gros, tare, net, product, ID, activity';

describe("the old system's captured changes become events", () => {
  let bed: LegacyTestBed;
  let sync: LegacyInboundSync;

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_sync');
    const config = loadConfiguration({ RECORD_DATABASE: bed.database, LEGACY_SYNC_INTERVAL_MS: '20' });
    const pipeline = new CommandPipeline({ store: bed.store, conflictRetries: 3 });
    sync = new LegacyInboundSync(
      config,
      bed.reader,
      pipeline,
      pino({ level: 'silent' }),
      new TracershopMetrics('worker-spec'),
      bed.store,
    );
    // Given the catalogue, and a date Tracershop closed (projected as blockDeliverDate row 60)
    await bed.given(...catalogue, {
      type: 'DateClosed',
      data: { date: '2026-12-24', reason: 'Christmas Eve', legacyId: 60 },
    });
  });

  afterAll(async () => {
    await sync.onApplicationShutdown();
    await bed.close();
  });

  const outcomes = async (): Promise<Outcome[]> => {
    const [rows] = await bed.reader.query(
      'SELECT id, table_name, outcome, outcome_code, events FROM legacy_capture ORDER BY id',
    );
    return rows as Outcome[];
  };
  const allEvents = () => bed.store.readAll();
  const eventsOfType = async (type: string): Promise<RecordedEvent[]> =>
    (await allEvents()).filter((event) => event.type === type);

  it('when the old system dispenses a vial, closes and reopens dates, then each change is one event by the old system', async () => {
    await bed.reader.query(
      `INSERT INTO VAL (${VAL_COLUMNS}) VALUES ('2', 'FDG:261224:1', 3, '2026-12-24', '07:15:00', 12.5, 31.2, 18.7, 12.5, '18F', 71, 20500.25)`,
    );
    await bed.reader.query("INSERT INTO blockDeliverDate (BDID, ddate) VALUES (73, '2026-12-31')");
    await bed.reader.query('DELETE FROM blockDeliverDate WHERE BDID = 60');

    expect(await sync.syncPending()).toBe(3);

    expect((await outcomes()).map(({ table_name, outcome, events }) => [table_name, outcome, events])).toEqual([
      ['VAL', 'applied', 'VialDispensed'],
      ['blockDeliverDate', 'applied', 'DateClosed'],
      ['blockDeliverDate', 'applied', 'DateReopened'],
    ]);
    const [vial] = await eventsOfType('VialDispensed');
    expect(vial.data).toMatchObject({
      lot: 'FDG-261224-1',
      fillDate: '2026-12-24',
      fillTime: '07:15:00',
      activityMBq: 20500.25,
      volumeMl: 12.5,
      dispenserNumber: 2,
      depotPosition: 3,
      grossG: 31.2,
      tareG: 18.7,
      netG: 12.5,
      product: '18F',
      legacyValId: 71,
    });
    expect(vial.metadata.source).toEqual({
      system: 'old-tracershop',
      table: 'VAL',
      primaryKey: '71',
      operation: 'insert',
    });
    expect(vial.metadata.actor).toMatchObject({ kind: 'system', printedName: 'Old Tracershop' });
    expect(vial.metadata.reason).toBe('Dispensed in the old system');
    expect((await eventsOfType('DateClosed')).map((event) => event.data)).toContainEqual({
      date: '2026-12-31',
      reason: 'Closed in the old system',
      legacyId: 73,
    });
    expect((await eventsOfType('DateReopened')).map((event) => event.data)).toEqual([
      { date: '2026-12-24', reason: 'Reopened in the old system' },
    ]);
  });

  it('then the projection writes the same rows back, not second ones, and its writes are not captured again', async () => {
    await bed.caughtUp();

    expect(await bed.rows('SELECT status, failure_message FROM projection_checkpoints')).toEqual([
      { status: 'running', failure_message: null },
    ]);
    expect(await bed.positional('VAL', 'ID')).toEqual([
      ['2', 'FDG-261224-1', 3, '2026-12-24', '07:15:00', '12.50', '31.20', '18.70', '12.50', '18F', 71, '20500.25'],
    ]);
    expect(await bed.positional('blockDeliverDate', 'BDID')).toEqual([[73, '2026-12-31']]);
    expect((await outcomes()).length).toBe(3);
  });

  it('when a change is synced again (a crash before its outcome was recorded), then nothing is appended twice', async () => {
    const before = (await allEvents()).length;
    await bed.reader.query("UPDATE legacy_capture SET outcome = 'pending', events = NULL WHERE table_name = 'VAL'");

    expect(await sync.syncPending()).toBe(1);

    expect((await allEvents()).length).toBe(before);
    expect((await outcomes())[0]).toMatchObject({ table_name: 'VAL', outcome: 'unchanged', events: '' });
  });

  it('when the domain refuses a change or the sync does not translate it, then it is recorded, not dropped', async () => {
    await bed.reader.query(
      `INSERT INTO VAL (${VAL_COLUMNS}) VALUES ('2', '', 1, '2026-12-24', '08:00:00', 5, 0, 0, 0, '18F', 73, 9000)`,
    );
    await bed.reader.query("INSERT INTO isotopes (name, halflife, id) VALUES ('C-11', 1223, 1001)");
    const before = (await allEvents()).length;

    expect(await sync.syncPending()).toBe(2);

    expect(
      (await outcomes()).slice(-2).map(({ table_name, outcome, outcome_code }) => [table_name, outcome, outcome_code]),
    ).toEqual([
      ['VAL', 'rejected', 'INVALID_CAPTURED_ROW'],
      ['isotopes', 'unsupported', 'LEGACY_CHANGE_NOT_SYNCED'],
    ]);
    expect((await allEvents()).length).toBe(before);
  });

  it('when the worker runs, then it takes the sync lock and syncs new changes as they are captured', async () => {
    sync.onApplicationBootstrap();
    await bed.reader.query("INSERT INTO blockDeliverDate (BDID, ddate) VALUES (75, '2027-01-06')");

    for (let waited = 0; waited < 5_000; waited += 50) {
      const last = (await outcomes()).at(-1);
      if (last?.outcome !== 'pending') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await outcomes()).at(-1)).toMatchObject({ table_name: 'blockDeliverDate', outcome: 'applied' });
    expect(await sync.check()).toMatchObject({ healthy: true, details: { active: true, pending: 0 } });
  });

  it('when a change names what the read models cannot tell yet, then it stays pending and holds back the changes after it', async () => {
    // This bed runs no catalog read model: an old-system order cannot find its customer's endpoint yet.
    await sync.onApplicationShutdown();
    await bed.reader.query(
      "INSERT INTO orders (OID, BID, tracer, amount, deliver_datetime, status, COID) VALUES (1003, 42, 6, 450, '2027-01-04 08:00:00', 1, -1)",
    );
    await bed.reader.query("INSERT INTO blockDeliverDate (BDID, ddate) VALUES (77, '2027-01-07')");

    await expect(sync.syncPending(new AbortController().signal)).rejects.toMatchObject({ code: 'ER_NO_SUCH_TABLE' });

    expect((await outcomes()).slice(-2).map(({ table_name, outcome }) => [table_name, outcome])).toEqual([
      ['orders', 'pending'],
      ['blockDeliverDate', 'pending'],
    ]);
  });
});
