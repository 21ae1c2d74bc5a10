/**
 * The old system's tables in the record database (shared/domain/legacy-tables.md is the contract:
 * names, column order, types), and the legacy projection's own side table.
 *
 * Column order is the contract's: the old exports split `SELECT *` by position. Types are the
 * contract's where it states them (recon); where it says `?` the choice is ours and marked
 * "guessed" below, to be checked with `SHOW CREATE TABLE` on the live server before cutover.
 * `Users.title` exists live at an unknown position; it is appended last.
 *
 * Charset latin1 (the VAL files are ISO-8859-1 and the old clients predate utf8mb4). Engine InnoDB,
 * not the old MyISAM default: the projection commits its rows and its checkpoint in one transaction.
 *
 * The migration `migrations/record/1795392000000-create-legacy-tables.ts` creates the same tables
 * where they are missing; `test/legacy/legacy_tables_match_the_contract.int.spec.ts` proves both
 * definitions equal.
 */

export const legacyContractTables = [
  'orders',
  't_orders',
  'VAL',
  'Users',
  'UserRoles',
  'Tracers',
  'TracerCustomer',
  'tracer_types',
  'isotopes',
  'deliverTimes',
  'productionTimes',
  'blockDeliverDate',
] as const;
export type LegacyContractTable = (typeof legacyContractTables)[number];

/** The projection's own state (ids, catalogue and delivery days), rebuilt with it. */
export const LEGACY_STATE_TABLE = 'legacy_state';
export type LegacyTable = LegacyContractTable | typeof LEGACY_STATE_TABLE;

export const LEGACY_TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=latin1';

/** Column names in contract order, for the DDL spec and for positional reads. */
export const legacyColumns: Readonly<Record<LegacyContractTable, readonly string[]>> = {
  orders: [
    'BID',
    'OID',
    'order_time',
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
  t_orders: [
    'BID',
    'OID',
    'order_time',
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
  VAL: [
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
  Users: [
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
    'password',
    'title',
  ],
  UserRoles: ['Id_User', 'Id_Role'],
  Tracers: ['id', 'name', 'isotope', 'in_use', 'n_injections', 'order_block', 'tracer_type', 'longName'],
  TracerCustomer: ['tracer_id', 'customer_id', 'ID'],
  tracer_types: ['id', 'description'],
  isotopes: ['name', 'halflife', 'id'],
  deliverTimes: ['BID', 'day', 'repeat_t', 'dtime', 'max', 'DTID', 'run'],
  productionTimes: ['day', 'ptime', 'run', 'max', 'PTID'],
  blockDeliverDate: ['BDID', 'ddate'],
};

/**
 * Columns the old system owns: the projection's rows leave them out, so it never writes them, and a
 * rebuild's merge keeps what the old system put there (its login secret, its receipt and price
 * columns of the order rows).
 */
export const legacyColumnsNotOwned: Readonly<Partial<Record<LegacyContractTable, readonly string[]>>> = {
  Users: ['password'],
  orders: ['received_datetime', 'price', 'doser', 'dose_counter'],
  t_orders: ['received_datetime', 'run', 'COID', 'frigivet_amount', 'price', 'volume'],
};

/** `tracer_types` is reference data the old system expects; every (re)build creates it with its rows. */
export const LEGACY_TRACER_TYPES: readonly { id: number; description: string }[] = [
  { id: 1, description: 'Activity Tracer' },
  { id: 2, description: 'Dose Tracer' },
];

const tracerTypeRows = LEGACY_TRACER_TYPES.map(
  ({ id, description }, index) =>
    `SELECT ${id}${index === 0 ? ' AS id' : ''}, '${description}'${index === 0 ? ' AS description' : ''}`,
).join(' UNION ALL ');

/** Logical table name → DDL of the quoted physical name (live or shadow), as the engine wants it. */
export const legacyTableDefinitions: Readonly<Record<LegacyTable, (table: string) => string>> = {
  orders: (table) => `
    CREATE TABLE ${table} (
      BID INT NULL,
      OID INT NOT NULL AUTO_INCREMENT,
      order_time TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
      amount INT NULL,
      deliver_datetime DATETIME NULL,
      status TINYINT NULL,
      received_datetime DATETIME NULL COMMENT 'type guessed',
      batchnr VARCHAR(20) NULL,
      run TINYINT NULL,
      COID INT NULL,
      total_amount INT NULL,
      frigivet_amount INT NULL,
      frigivet_datetime DATETIME NULL,
      amount_o INT UNSIGNED NULL,
      total_amount_o INT UNSIGNED NULL,
      price DECIMAL(10,2) NULL COMMENT 'type guessed',
      frigivet_af INT NULL,
      tracer INT NOT NULL,
      volume DECIMAL(6,2) NULL,
      doser DECIMAL(6,1) NULL,
      dose_counter INT NULL COMMENT 'type guessed',
      comment VARCHAR(8000) NULL,
      userName VARCHAR(128) NULL,
      PRIMARY KEY (OID)
    ) ${LEGACY_TABLE_OPTIONS}`,

  t_orders: (table) => `
    CREATE TABLE ${table} (
      BID INT NULL,
      OID INT NOT NULL AUTO_INCREMENT,
      order_time TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
      deliver_datetime DATETIME NULL,
      status TINYINT NULL,
      received_datetime DATETIME NULL COMMENT 'type guessed',
      batchnr VARCHAR(20) NULL,
      run TINYINT NULL,
      COID INT NULL,
      frigivet_amount INT NULL COMMENT 'type guessed',
      frigivet_datetime DATETIME NULL,
      price DECIMAL(10,2) NULL COMMENT 'type guessed',
      frigivet_af INT NULL,
      tracer INT NULL,
      volume DECIMAL(6,2) NULL COMMENT 'type guessed',
      n_injections TINYINT NULL,
      anvendelse VARCHAR(10) NULL,
      comment VARCHAR(8000) NULL,
      userName VARCHAR(128) NULL,
      PRIMARY KEY (OID)
    ) ${LEGACY_TABLE_OPTIONS}`,

  VAL: (table) => `
    CREATE TABLE ${table} (
      customer VARCHAR(20) NULL,
      charge VARCHAR(20) NULL,
      depotpos TINYINT(4) NULL,
      filldate DATE NULL,
      filltime TIME NULL,
      volume DECIMAL(7,2) NULL,
      gros DECIMAL(7,2) NULL,
      tare DECIMAL(7,2) NULL,
      net DECIMAL(7,2) NULL,
      product VARCHAR(20) NULL,
      ID INT UNSIGNED NOT NULL AUTO_INCREMENT,
      activity DECIMAL(9,2) NULL,
      PRIMARY KEY (ID)
    ) ${LEGACY_TABLE_OPTIONS}`,

  Users: (table) => `
    CREATE TABLE ${table} (
      Id INT NOT NULL AUTO_INCREMENT,
      Username CHAR(60) NOT NULL,
      Realname CHAR(50) NULL,
      EMail CHAR(60) NULL,
      EMail2 CHAR(60) NULL,
      EMail3 CHAR(60) NULL,
      EMail4 CHAR(60) NULL,
      overhead INT NULL,
      kundenr INT NULL,
      tlf INT NULL,
      contact VARCHAR(60) NULL,
      addr1 VARCHAR(60) NULL,
      addr2 VARCHAR(60) NULL,
      addr3 VARCHAR(60) NULL,
      addr4 VARCHAR(60) NULL,
      shortname VARCHAR(30) NULL,
      password VARCHAR(32) NULL COMMENT 'not owned: the old system''s login secret',
      title VARCHAR(60) NULL COMMENT 'position and type guessed',
      PRIMARY KEY (Id)
    ) ${LEGACY_TABLE_OPTIONS}`,

  UserRoles: (table) => `
    CREATE TABLE ${table} (
      Id_User INT NOT NULL,
      Id_Role INT NOT NULL,
      PRIMARY KEY (Id_User, Id_Role)
    ) ${LEGACY_TABLE_OPTIONS}`,

  Tracers: (table) => `
    CREATE TABLE ${table} (
      id INT NOT NULL AUTO_INCREMENT,
      name VARCHAR(60) NULL,
      isotope INT NULL,
      in_use BOOL NOT NULL DEFAULT FALSE,
      n_injections INT NULL DEFAULT -1,
      order_block INT NULL,
      tracer_type INT NULL,
      longName VARCHAR(256) NULL,
      PRIMARY KEY (id)
    ) ${LEGACY_TABLE_OPTIONS}`,

  TracerCustomer: (table) => `
    CREATE TABLE ${table} (
      tracer_id INT NULL,
      customer_id INT NULL,
      ID INT NOT NULL AUTO_INCREMENT,
      PRIMARY KEY (ID)
    ) ${LEGACY_TABLE_OPTIONS}`,

  // Created with its two rows, so a rebuilt table holds them too.
  tracer_types: (table) => `
    CREATE TABLE ${table} (
      id INT NOT NULL AUTO_INCREMENT,
      description VARCHAR(300) NULL DEFAULT '',
      PRIMARY KEY (id)
    ) ${LEGACY_TABLE_OPTIONS} ${tracerTypeRows}`,

  isotopes: (table) => `
    CREATE TABLE ${table} (
      name VARCHAR(60) NULL,
      halflife INT NULL,
      id INT NOT NULL AUTO_INCREMENT,
      PRIMARY KEY (id)
    ) ${LEGACY_TABLE_OPTIONS}`,

  deliverTimes: (table) => `
    CREATE TABLE ${table} (
      BID INT NULL,
      day TINYINT NULL,
      repeat_t TINYINT NULL,
      dtime TIME NULL,
      max INT NULL,
      DTID INT UNSIGNED NOT NULL AUTO_INCREMENT,
      run TINYINT NULL,
      PRIMARY KEY (DTID)
    ) ${LEGACY_TABLE_OPTIONS}`,

  productionTimes: (table) => `
    CREATE TABLE ${table} (
      day TINYINT NULL,
      ptime TIME NULL,
      run TINYINT NULL,
      max INT NULL,
      PTID INT UNSIGNED NOT NULL AUTO_INCREMENT,
      PRIMARY KEY (PTID)
    ) ${LEGACY_TABLE_OPTIONS}`,

  blockDeliverDate: (table) => `
    CREATE TABLE ${table} (
      BDID INT NOT NULL AUTO_INCREMENT,
      ddate DATE NULL,
      PRIMARY KEY (BDID)
    ) ${LEGACY_TABLE_OPTIONS}`,

  /**
   * What the legacy rows are derived from: catalogue entities (kind `isotope`, `tracer`, …), staff
   * users, vials, and each delivery day's orders with the rows they were given (`deliveryDay`).
   * `parent_id` finds the slots of a production run.
   */
  legacy_state: (table) => `
    CREATE TABLE ${table} (
      kind VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      id VARCHAR(700) COLLATE utf8mb4_bin NOT NULL,
      parent_id VARCHAR(700) COLLATE utf8mb4_bin NULL,
      state LONGTEXT NOT NULL COMMENT 'JSON',
      PRIMARY KEY (kind, id),
      KEY legacy_state_parent (kind, parent_id)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
};
