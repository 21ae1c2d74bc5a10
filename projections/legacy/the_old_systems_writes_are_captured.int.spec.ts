import { LEGACY_PROJECTION_NAME } from './legacy-projection';
import { catalogue, staff } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

interface CapturedRow {
  id: number;
  table_name: string;
  operation: string;
  row_key: string;
  before_row: string | null;
  after_row: string | null;
  captured_by: string;
  outcome: string;
}

describe("the old system's writes are captured, the projection's are not", () => {
  let bed: LegacyTestBed;

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_capture');
  });

  afterAll(async () => {
    await bed.close();
  });

  const captured = async (): Promise<CapturedRow[]> => {
    const [rows] = await bed.reader.query('SELECT * FROM legacy_capture ORDER BY id');
    return rows as CapturedRow[];
  };
  const json = (text: string | null) => (text === null ? null : (JSON.parse(text) as Record<string, unknown>));

  it('given the projection writes customers, staff and a closed date, then nothing is captured', async () => {
    await bed.given(...catalogue, ...staff, {
      type: 'DateClosed',
      data: { date: '2026-12-24', reason: 'Christmas Eve', legacyId: 60 },
    });
    expect((await bed.positional('blockDeliverDate', 'BDID')).length).toBe(1);
    expect(await captured()).toEqual([]);
  });

  it('when the old system inserts, updates and deletes rows, then each change is captured with its row', async () => {
    await bed.reader.query(
      `INSERT INTO VAL (customer, charge, depotpos, filldate, filltime, volume, gros, tare, net, product, ID, activity)
       VALUES ('2', 'FDG-261224-1', 3, '2026-12-24', '07:15:00', 12.5, 0, 0, 0, '18F', 71, 20500.25)`,
    );
    await bed.reader.query('INSERT INTO blockDeliverDate (BDID, ddate) VALUES (73, ?)', ['2026-12-31']);
    await bed.reader.query('UPDATE blockDeliverDate SET ddate = ? WHERE BDID = 73', ['2027-01-01']);
    await bed.reader.query('DELETE FROM blockDeliverDate WHERE BDID = 60');

    const rows = await captured();
    expect(
      rows.map(({ table_name, operation, row_key, outcome }) => [table_name, operation, row_key, outcome]),
    ).toEqual([
      ['VAL', 'insert', '71', 'pending'],
      ['blockDeliverDate', 'insert', '73', 'pending'],
      ['blockDeliverDate', 'update', '73', 'pending'],
      ['blockDeliverDate', 'delete', '60', 'pending'],
    ]);
    expect(json(rows[0].after_row)).toEqual({
      customer: '2',
      charge: 'FDG-261224-1',
      depotpos: 3,
      filldate: '2026-12-24',
      filltime: '07:15:00',
      volume: 12.5,
      gros: 0,
      tare: 0,
      net: 0,
      product: '18F',
      ID: 71,
      activity: 20500.25,
    });
    expect(rows[0].before_row).toBeNull();
    expect([json(rows[2].before_row), json(rows[2].after_row)]).toEqual([
      { BDID: 73, ddate: '2026-12-31' },
      { BDID: 73, ddate: '2027-01-01' },
    ]);
    expect([json(rows[3].before_row), rows[3].after_row]).toEqual([{ BDID: 60, ddate: '2026-12-24' }, null]);
    expect(rows[0].captured_by).toMatch(/@/);
  });

  it('when the old system writes a row back unchanged or changes only a password, then nothing is captured', async () => {
    const before = (await captured()).length;
    await bed.reader.query('UPDATE VAL SET charge = charge, activity = activity WHERE ID = 71');
    await bed.reader.query("UPDATE Users SET password = 'the old system''s secret' WHERE Id = 42");

    expect((await captured()).length).toBe(before);
    await bed.reader.query("UPDATE Users SET tlf = 44884488, password = 'another secret' WHERE Id = 42");
    const [last] = (await captured()).slice(-1);
    expect([last.table_name, last.operation, last.row_key]).toEqual(['Users', 'update', '42']);
    expect(json(last.after_row)).toMatchObject({ Id: 42, tlf: 44884488 });
    expect(last.after_row).not.toMatch(/secret/);
    expect(last.before_row).not.toMatch(/secret/);
  });

  it('when a change of the old system rolls back, then its capture rolls back with it', async () => {
    const before = (await captured()).length;
    const connection = await bed.reader.getConnection();
    try {
      await connection.query('START TRANSACTION');
      await connection.query("INSERT INTO blockDeliverDate (BDID, ddate) VALUES (75, '2027-01-06')");
      await connection.query('ROLLBACK');
    } finally {
      connection.release();
    }
    expect((await captured()).length).toBe(before);
  });

  it("when a rebuild merges the projection's rows back into the live tables, then nothing is captured", async () => {
    // Given the old system deleted the projection's closed date (captured above)
    const before = (await captured()).length;

    // When a rebuild merges the events' rows into the live tables again
    await bed.engine.rebuild(LEGACY_PROJECTION_NAME);

    // Then the closed date is back, and the merge's writes were not taken for the old system's
    expect(await bed.positional('blockDeliverDate', 'BDID')).toEqual([
      [60, '2026-12-24'],
      [73, '2027-01-01'],
    ]);
    expect((await captured()).length).toBe(before);
  });
});
