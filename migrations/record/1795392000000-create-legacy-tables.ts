import type { MigrationInterface, QueryRunner } from 'typeorm';
import { assertLegacyTablesInPlaceFit, type LegacyContractTable } from './legacy-tables-in-place';

/**
 * The old system's tables (shared/domain/legacy-tables.md), created only where they do not exist:
 * in production the old database already holds them, and nothing here may change or empty them.
 * The definitions equal those of the `legacy.tracershop` projection (projections/legacy), which
 * rebuilds its tables from them; `test/legacy/legacy_tables_match_the_contract.int.spec.ts` proves
 * it. Migrations are never edited: a later change of the DDL is a new migration.
 *
 * Also the two objects the projection never owns: `Roles` (the Zope role catalogue, only its
 * missing reference rows are added) and the `InsertOrder` procedure the old customer app calls.
 *
 * A table the old database already holds is kept as it is, so before anything is created it is
 * checked: every contract column present (columns of its own are fine) and, for the projection's
 * tables, InnoDB. Otherwise the migration fails, naming each table and what is wrong, and changes
 * nothing; the projection would fail on its first row, or commit rows apart from its checkpoint.
 */
const OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=latin1';

const TABLES: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS orders (
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
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS t_orders (
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
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS VAL (
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
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS Users (
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
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS UserRoles (
    Id_User INT NOT NULL,
    Id_Role INT NOT NULL,
    PRIMARY KEY (Id_User, Id_Role)
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS Tracers (
    id INT NOT NULL AUTO_INCREMENT,
    name VARCHAR(60) NULL,
    isotope INT NULL,
    in_use BOOL NOT NULL DEFAULT FALSE,
    n_injections INT NULL DEFAULT -1,
    order_block INT NULL,
    tracer_type INT NULL,
    longName VARCHAR(256) NULL,
    PRIMARY KEY (id)
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS TracerCustomer (
    tracer_id INT NULL,
    customer_id INT NULL,
    ID INT NOT NULL AUTO_INCREMENT,
    PRIMARY KEY (ID)
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS tracer_types (
    id INT NOT NULL AUTO_INCREMENT,
    description VARCHAR(300) NULL DEFAULT '',
    PRIMARY KEY (id)
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS isotopes (
    name VARCHAR(60) NULL,
    halflife INT NULL,
    id INT NOT NULL AUTO_INCREMENT,
    PRIMARY KEY (id)
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS deliverTimes (
    BID INT NULL,
    day TINYINT NULL,
    repeat_t TINYINT NULL,
    dtime TIME NULL,
    max INT NULL,
    DTID INT UNSIGNED NOT NULL AUTO_INCREMENT,
    run TINYINT NULL,
    PRIMARY KEY (DTID)
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS productionTimes (
    day TINYINT NULL,
    ptime TIME NULL,
    run TINYINT NULL,
    max INT NULL,
    PTID INT UNSIGNED NOT NULL AUTO_INCREMENT,
    PRIMARY KEY (PTID)
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS blockDeliverDate (
    BDID INT NOT NULL AUTO_INCREMENT,
    ddate DATE NULL,
    PRIMARY KEY (BDID)
  ) ${OPTIONS}`,
  `CREATE TABLE IF NOT EXISTS Roles (
    Id INT NOT NULL AUTO_INCREMENT,
    Rolename CHAR(20) NOT NULL,
    REALM CHAR(10) NULL,
    PRIMARY KEY (Id)
  ) ${OPTIONS}`,
];

/**
 * Each table of `TABLES` with the columns it creates, which are the contract's
 * (`an_old_database_the_legacy_projection_cannot_write_is_refused.int.spec.ts` proves it).
 */
export const LEGACY_CONTRACT_TABLES: readonly LegacyContractTable[] = TABLES.map((ddl) => {
  const [head = '', ...lines] = ddl.split('\n');
  const table = /CREATE TABLE IF NOT EXISTS (\w+) \($/.exec(head.trim())?.[1];
  if (!table) throw new Error(`Not a legacy table's DDL: ${head}`);
  const columns = lines
    .map((line) => /^\s*(\w+) /.exec(line)?.[1])
    .filter((column): column is string => column !== undefined && column !== 'PRIMARY');
  // Roles is Zope's and never written by the projection: its engine is the old system's business.
  return { table, columns, innoDb: table !== 'Roles' };
});

/** Reference rows, added only where their id is missing; existing rows stay as the old system has them. */
const REFERENCE_ROWS: readonly string[] = [
  `INSERT IGNORE INTO tracer_types (id, description) VALUES (1, 'Activity Tracer'), (2, 'Dose Tracer')`,
  `INSERT IGNORE INTO Roles (Id, Rolename, REALM) VALUES
    (1, 'Manager', '*'), (4, 'Kunde', '*'), (5, 'Transport', '*'), (6, 'Produktion', '*'), (7, 'Statistik', '*')`,
];

/**
 * Merge-or-insert of a customer's FDG order, as the 2021 customer app called it (`ProcedureInsertOrder.sql`,
 * `e224471`): the row of (BID, deliver_datetime, run) gets the amounts added and its totals
 * overwritten with them; without one, a new row in the shape of a fresh order. Two matching rows
 * make `SELECT … INTO` fail ("Result consisted of more than one row"): invariant O1.
 */
export const INSERT_ORDER = `
  CREATE PROCEDURE InsertOrder (
    IN InAmount INT,
    IN InAmountOverhead INT,
    IN InBID INT,
    IN InDeliverDateTime DATETIME,
    IN InComment VARCHAR(8000),
    IN InUsername VARCHAR(128),
    IN InRun INT
  )
  BEGIN
    DECLARE Matches INT DEFAULT 0;
    DECLARE MatchedOID INT DEFAULT NULL;
    DECLARE PreviousAmount INT DEFAULT 0;
    DECLARE PreviousAmountOverhead INT DEFAULT 0;
    SELECT COUNT(*) INTO Matches FROM orders
      WHERE BID = InBID AND deliver_datetime = InDeliverDateTime AND run = InRun;
    IF Matches = 0 THEN
      INSERT INTO orders (
        BID, amount, amount_o, total_amount, total_amount_o, deliver_datetime, run, status, COID,
        batchnr, frigivet_datetime, tracer, comment, userName
      ) VALUES (
        InBID, InAmount, InAmountOverhead, InAmount, InAmountOverhead, InDeliverDateTime, InRun, 1, -1,
        '', '0000-01-01 00:00:00', 6, InComment, InUsername
      );
    ELSE
      SELECT OID, IFNULL(amount, 0), IFNULL(amount_o, 0) INTO MatchedOID, PreviousAmount, PreviousAmountOverhead
        FROM orders WHERE BID = InBID AND deliver_datetime = InDeliverDateTime AND run = InRun;
      UPDATE orders SET
        amount = PreviousAmount + InAmount,
        amount_o = PreviousAmountOverhead + InAmountOverhead,
        total_amount = PreviousAmount + InAmount,
        total_amount_o = PreviousAmountOverhead + InAmountOverhead
      WHERE OID = MatchedOID;
    END IF;
  END`;

export class CreateLegacyTables1795392000000 implements MigrationInterface {
  readonly name = 'CreateLegacyTables1795392000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await assertLegacyTablesInPlaceFit(queryRunner, LEGACY_CONTRACT_TABLES);
    for (const ddl of TABLES) await queryRunner.query(ddl);
    for (const insert of REFERENCE_ROWS) await queryRunner.query(insert);
    const procedures: { found: string | number }[] = await queryRunner.query(
      `SELECT COUNT(*) AS found FROM information_schema.routines
       WHERE routine_schema = DATABASE() AND routine_name = 'InsertOrder' AND routine_type = 'PROCEDURE'`,
    );
    if (Number(procedures[0]?.found ?? 0) === 0) await queryRunner.query(INSERT_ORDER);
  }

  /** Nothing: these are the old system's tables, which it may have held before this migration ran. */
  async down(): Promise<void> {}
}
