import { LEGACY_PROJECTION_NAME } from './legacy-projection';
import { legacyContractTables, legacyColumns, LEGACY_STATE_TABLE } from './legacy-tables';
import {
  catalogue,
  dayCommand,
  fdgSlots,
  moveRefs,
  openDays,
  peter,
  placeFdg,
  placeFet,
  staff,
  states,
  vialDispensed,
} from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

const reason = 'Rebuild spec';

describe('rebuild of legacy.tracershop', () => {
  let bed: LegacyTestBed;

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_rebuild');
  });

  afterAll(async () => {
    await bed.close();
  });

  /** Definition (without the counter) and every row of each table, positionally. */
  async function snapshot(): Promise<Record<string, { definition: string; rows: unknown[][] }>> {
    const tables: Record<string, { definition: string; rows: unknown[][] }> = {};
    for (const table of [...legacyContractTables, LEGACY_STATE_TABLE] as const) {
      const [[created]] = (await bed.reader.query(`SHOW CREATE TABLE \`${table}\``)) as unknown as [
        Record<string, string>[],
      ];
      const orderBy =
        table === LEGACY_STATE_TABLE ? 'kind, id' : legacyColumns[table].map((column) => `\`${column}\``).join(', ');
      tables[table] = {
        definition: String(created?.['Create Table']).replace(/ AUTO_INCREMENT=\d+/, ''),
        rows: await bed.positional(table, orderBy),
      };
    }
    return tables;
  }

  async function autoIncrement(table: string): Promise<number> {
    const [[created]] = (await bed.reader.query(`SHOW CREATE TABLE \`${table}\``)) as unknown as [
      Record<string, string>[],
    ];
    return Number(/AUTO_INCREMENT=(\d+)/.exec(String(created?.['Create Table']))?.[1] ?? 1);
  }

  it('rebuilds identical tables with the same ids, keeping passwords and AUTO_INCREMENT counters', async () => {
    await bed.given(...catalogue, ...staff);
    await bed.decideDay(placeFdg('order-1', 1002, '08:00', 1000, 'Første'));
    await bed.decideDay(placeFdg('order-2', 1004, '08:00', 500));
    await bed.decideDay(placeFdg('order-3', 1006, '10:30', 1000));
    await bed.decideDay(placeFet('inj-1', 2002, '11:15', 4));
    for (const orderId of ['order-1', 'order-2', 'order-3', 'inj-1']) {
      await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId });
    }
    await bed.decideDay({
      type: 'MoveOrderToSlot',
      ...dayCommand,
      orderId: 'order-3',
      targetSlotId: 'slot-0900',
      reason,
      ghostLegacyOid: 9000,
      secondGhostLegacyOid: 990010,
      timeZone: 'Europe/Copenhagen',
      refs: moveRefs('09:00', '10:30'),
    });
    const vials = [
      vialDispensed('FDG-260302-1', '07:12:40', 5002, 2500.4, 5.2),
      vialDispensed('FDG-260302-2', '07:15:02', 5004, 1200.7, 3.1),
    ];
    await bed.given(...vials);
    await bed.decideDay({
      type: 'ReleaseSlot',
      ...dayCommand,
      at: '2026-03-02T06:30:00.000Z',
      releaseId: 'release-1',
      slotId: 'slot-0800',
      orderIds: ['order-1', 'order-2'],
      vials: vials.map((vial, index) => ({
        vialId: vial.data.vialId,
        state: bed.vialState(vial.data.vialId),
        extraRowLegacyOid: 7000 + 2 * index,
      })),
      releasedBy: peter,
      signatureMeaning: 'release',
      releaseRightTracerIds: ['tracer-fdg'],
      today: '2026-03-02',
      confirmOtherDate: false,
      refs: { tracer: states.fdg, customer: states.customer },
    });
    await bed.given({ type: 'DateClosed', data: { date: '2026-12-24', reason, legacyId: 60 } });

    // What the old system holds beside our rows: passwords, and ids it allocated and deleted.
    await bed.pool.query("UPDATE Users SET password = 'zope-secret' WHERE Id = 42");
    await bed.pool.query("UPDATE Users SET password = 'other' WHERE Id = 17");
    for (const table of legacyContractTables) {
      if (table === 'UserRoles') continue;
      await bed.pool.query(`ALTER TABLE \`${table}\` AUTO_INCREMENT = 20001`);
    }
    const before = await snapshot();
    for (const table of legacyContractTables) expect([table, before[table]?.rows.length]).not.toEqual([table, 0]);
    expect(before.orders?.rows.map((row) => row[1])).toEqual([1002, 1006, 7002, 9000]);

    const report = await bed.engine.rebuild(LEGACY_PROJECTION_NAME);

    expect(report).toMatchObject({ projection: LEGACY_PROJECTION_NAME, version: 5, replacedVersion: 5 });
    const after = await snapshot();
    expect(after).toEqual(before);
    expect(await bed.rows('SELECT Id, password FROM Users ORDER BY Id')).toEqual([
      { Id: 15, password: null },
      { Id: 17, password: 'other' },
      { Id: 42, password: 'zope-secret' },
    ]);
    for (const table of legacyContractTables) {
      if (table !== 'UserRoles') expect([table, await autoIncrement(table)]).toEqual([table, 20001]);
    }
    const leftovers = await bed.rows(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE '%\\_\\_v%'",
      [bed.database],
    );
    expect(leftovers).toEqual([]);
    // Roles is not the projection's: the rebuild left it alone.
    expect(await bed.positional('Roles', 'Id')).toHaveLength(5);

    // The live runner goes on from the rebuilt tables.
    await bed.decideDay({
      type: 'RestoreOrder',
      ...dayCommand,
      orderId: 'order-3',
      reason,
      ghostLegacyOid: 9002,
      refs: { slot: fdgSlots['10:30'].slot, productionRun: fdgSlots['10:30'].run, closedDays: openDays },
    });
    expect((await bed.positional('orders', 'OID')).map((row) => [row[1], row[8], row[9]])).toEqual([
      [1002, 1, -1],
      [1006, 2, -1],
      [7002, 1, 1002],
    ]);
  });

  it('given batches of a few events, then later batches build on what the first wrote: identical tables', async () => {
    // Given the history so far as the live runner projected it (the day above, moved and restored)
    await bed.caughtUp();
    const before = await snapshot();

    // When it is rebuilt three events per shadow transaction: only the first starts on empty tables
    const report = await bed.rebuildInBatchesOf(3);

    // Then every row is the same, the states the later batches changed replacing what earlier ones wrote
    expect(report.eventsRead).toBeGreaterThan(9);
    expect(await snapshot()).toEqual(before);
  });
});
