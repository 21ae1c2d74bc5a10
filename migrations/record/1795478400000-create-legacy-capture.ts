import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Capture of the old system's own writes (DESIGN.md, "Legacy parallel run"): a trigger on each
 * table the old system writes copies every change it makes into `legacy_capture`, in the old
 * system's own transaction, so a change is captured exactly when it commits. The worker turns
 * captured changes into commands and records the outcome on the row; nothing is deleted here.
 *
 * Tracershop's projections mark their sessions (`@tracershop_projection_write`), and the triggers
 * skip those writes: the projection's own rows must not come back as changes. An update that
 * changes no captured column (the old production app writes whole rows back) is not captured.
 * `Users.password` is never captured: captured changes become immutable events (legacy-tables.md).
 *
 * The triggers are (re)created on every run of this migration's `up`, and the merge of a legacy
 * rebuild keeps the live tables, so they stay in place across rebuilds.
 */
export interface CapturedTable {
  table: string;
  key: readonly string[];
  columns: readonly string[];
}

/** The tables the old system writes, their keys and the columns a change records (exported for `import-legacy`). */
export const CAPTURED: readonly CapturedTable[] = [
  {
    table: 'orders',
    key: ['OID'],
    columns: [
      'BID',
      'OID',
      'amount',
      'deliver_datetime',
      'status',
      'received_datetime',
      'batchnr',
      'run',
      'COID',
      'total_amount',
      'frigivet_amount',
      'frigivet_datetime',
      'amount_o',
      'total_amount_o',
      'price',
      'frigivet_af',
      'tracer',
      'volume',
      'doser',
      'dose_counter',
      'comment',
      'userName',
    ],
  },
  {
    table: 't_orders',
    key: ['OID'],
    columns: [
      'BID',
      'OID',
      'deliver_datetime',
      'status',
      'received_datetime',
      'batchnr',
      'run',
      'COID',
      'frigivet_amount',
      'frigivet_datetime',
      'price',
      'frigivet_af',
      'tracer',
      'volume',
      'n_injections',
      'anvendelse',
      'comment',
      'userName',
    ],
  },
  {
    table: 'VAL',
    key: ['ID'],
    columns: [
      'customer',
      'charge',
      'depotpos',
      'filldate',
      'filltime',
      'volume',
      'gros',
      'tare',
      'net',
      'product',
      'ID',
      'activity',
    ],
  },
  {
    table: 'Users',
    key: ['Id'],
    // Not `password`: the old system's login secret never leaves its table.
    columns: [
      'Id',
      'Username',
      'Realname',
      'EMail',
      'EMail2',
      'EMail3',
      'EMail4',
      'overhead',
      'kundenr',
      'tlf',
      'contact',
      'addr1',
      'addr2',
      'addr3',
      'addr4',
      'shortname',
      'title',
    ],
  },
  { table: 'UserRoles', key: ['Id_User', 'Id_Role'], columns: ['Id_User', 'Id_Role'] },
  {
    table: 'Tracers',
    key: ['id'],
    columns: ['id', 'name', 'isotope', 'in_use', 'n_injections', 'order_block', 'tracer_type', 'longName'],
  },
  { table: 'TracerCustomer', key: ['ID'], columns: ['tracer_id', 'customer_id', 'ID'] },
  { table: 'isotopes', key: ['id'], columns: ['name', 'halflife', 'id'] },
  { table: 'deliverTimes', key: ['DTID'], columns: ['BID', 'day', 'repeat_t', 'dtime', 'max', 'DTID', 'run'] },
  { table: 'productionTimes', key: ['PTID'], columns: ['day', 'ptime', 'run', 'max', 'PTID'] },
  { table: 'blockDeliverDate', key: ['BDID'], columns: ['BDID', 'ddate'] },
];

const OPERATIONS = [
  { operation: 'insert', timing: 'INSERT' },
  { operation: 'update', timing: 'UPDATE' },
  { operation: 'delete', timing: 'DELETE' },
] as const;

const triggerName = (table: string, operation: string) => `legacy_capture_${table}_${operation}`;

/** A row of the table (`NEW`, `OLD` or an alias) as the JSON a captured change holds. */
export const rowJson = (row: string, columns: readonly string[]) =>
  `JSON_OBJECT(${columns.map((column) => `'${column}', ${row}.\`${column}\``).join(', ')})`;

/** A row's key as `legacy_capture.row_key` holds it. */
export const rowKey = (row: string, key: readonly string[]) =>
  key.length === 1
    ? `${row}.\`${key[0]}\``
    : `CONCAT_WS(':', ${key.map((column) => `${row}.\`${column}\``).join(', ')})`;

function triggerDdl(
  { table, key, columns }: CapturedTable,
  { operation, timing }: (typeof OPERATIONS)[number],
): string {
  const before = operation === 'insert' ? 'NULL' : rowJson('OLD', columns);
  const after = operation === 'delete' ? 'NULL' : rowJson('NEW', columns);
  const keyOf = rowKey(operation === 'delete' ? 'OLD' : 'NEW', key);
  const capture = `INSERT INTO legacy_capture (table_name, operation, row_key, before_row, after_row, captured_at, captured_by)
        VALUES ('${table}', '${operation}', ${keyOf}, ${before}, ${after}, UTC_TIMESTAMP(6), USER());`;
  // The marked session's test comes first and alone: the projection's writes skip the rest at once.
  const body =
    operation === 'update'
      ? `IF NOT (${columns.map((column) => `OLD.\`${column}\` <=> NEW.\`${column}\``).join(' AND ')}) THEN
          ${capture}
        END IF;`
      : capture;
  return `CREATE TRIGGER \`${triggerName(table, operation)}\` AFTER ${timing} ON \`${table}\` FOR EACH ROW
    BEGIN
      IF @tracershop_projection_write IS NULL THEN
        ${body}
      END IF;
    END`;
}

/**
 * Each captured table with the columns the database has (an old database may lack some the
 * contract lists: some were added by later scripts); tables whose key columns are missing are left out.
 */
export function capturedColumnsPresent(
  existing: ReadonlyArray<{ table_name: string; column_name: string }>,
): CapturedTable[] {
  const has = new Set(existing.map((row) => `${row.table_name}.${row.column_name.toLowerCase()}`));
  return CAPTURED.map((captured) => ({
    ...captured,
    columns: captured.columns.filter((column) => has.has(`${captured.table}.${column.toLowerCase()}`)),
  })).filter((captured) => captured.key.every((column) => captured.columns.includes(column)));
}

export class CreateLegacyCapture1795478400000 implements MigrationInterface {
  readonly name = 'CreateLegacyCapture1795478400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS legacy_capture (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
        table_name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        operation ENUM('insert', 'update', 'delete') NOT NULL,
        row_key VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'the row''s primary key',
        before_row LONGTEXT CHARACTER SET utf8mb4 NULL COMMENT 'JSON of the row before the change',
        after_row LONGTEXT CHARACTER SET utf8mb4 NULL COMMENT 'JSON of the row after the change',
        captured_at DATETIME(6) NOT NULL COMMENT 'UTC, when the change was made',
        captured_by VARCHAR(300) CHARACTER SET utf8mb4 NOT NULL COMMENT 'the old system''s database account',
        outcome ENUM('pending', 'applied', 'unchanged', 'rejected', 'unsupported') NOT NULL DEFAULT 'pending',
        outcome_code VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
        outcome_message VARCHAR(2000) CHARACTER SET utf8mb4 NULL,
        outcome_details LONGTEXT CHARACTER SET utf8mb4 NULL COMMENT 'JSON',
        events VARCHAR(2000) CHARACTER SET ascii COLLATE ascii_bin NULL COMMENT 'event types appended',
        position VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL COMMENT 'global position of the last event appended',
        processed_at DATETIME(6) NULL COMMENT 'UTC',
        PRIMARY KEY (id),
        KEY legacy_capture_outcome (outcome, id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
    // An old database may lack columns the contract lists (some were added by later scripts):
    // each trigger captures the columns its table has.
    const existing: Array<{ table_name: string; column_name: string }> = await queryRunner.query(
      `SELECT table_name AS table_name, column_name AS column_name FROM information_schema.columns
       WHERE table_schema = DATABASE()`,
    );
    for (const captured of capturedColumnsPresent(existing)) {
      for (const operation of OPERATIONS) {
        await queryRunner.query(`DROP TRIGGER IF EXISTS \`${triggerName(captured.table, operation.operation)}\``);
        await queryRunner.query(triggerDdl(captured, operation));
      }
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table } of CAPTURED) {
      for (const { operation } of OPERATIONS) {
        await queryRunner.query(`DROP TRIGGER IF EXISTS \`${triggerName(table, operation)}\``);
      }
    }
    await queryRunner.query('DROP TABLE IF EXISTS legacy_capture');
  }
}
