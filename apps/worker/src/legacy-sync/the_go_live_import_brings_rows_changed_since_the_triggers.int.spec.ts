import { catalogue } from '../../../../projections/legacy/test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from '../../../../projections/legacy/test-support/legacy-test-bed';
import { importLegacy } from './legacy-import';

const order = (oid: number, amount: number) =>
  `INSERT INTO orders (OID, BID, tracer, amount, deliver_datetime, status, run, COID, userName)
   VALUES (${oid}, 42, 6, ${amount}, '2027-03-01 08:00:00', 1, 1, -1, 'herlev')`;

describe('the go-live import brings the rows the old system had before its triggers, also those it changed since', () => {
  let bed: LegacyTestBed;

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_import_known');
    await bed.given(...catalogue);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given open orders written before the triggers, one of them edited since, and one inserted since, when the import counts them, then only the one whose insert was captured is known', async () => {
    // Written before the capture triggers existed: the triggers skip a session marked so.
    const connection = await bed.reader.getConnection();
    try {
      await connection.query('SET @tracershop_projection_write = 1');
      await connection.query(order(1101, 500));
      await connection.query(order(1103, 700));
    } finally {
      await connection.query('SET @tracershop_projection_write = NULL');
      connection.release();
    }
    // Since the triggers: the customer edits 1101 and orders 1105.
    await bed.reader.query('UPDATE orders SET amount = 600 WHERE OID = 1101');
    await bed.reader.query(order(1105, 300));

    const report = await importLegacy({
      record: bed.reader,
      waitForPosition: async () => undefined,
      from: '2027-01-01',
      dryRun: true,
    });

    expect(report.steps.find((step) => step.table === 'orders')).toMatchObject({ rows: 3, known: 1, queued: 2 });
  });
});
