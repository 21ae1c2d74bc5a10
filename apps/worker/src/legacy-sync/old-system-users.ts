import type { Pool, RowDataPacket } from 'mysql2/promise';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { CAPTURED } from '../../../../migrations/record/1795478400000-create-legacy-capture';
import type { CapturedRow } from './captured-change';

/**
 * The `Users` columns a row is read with, under the contract's names, as a captured change holds
 * them (the capture triggers' `rowJson`); not the login secret the old system owns
 * (legacy-tables.md): never read, as it is never written or captured.
 */
const READ: readonly string[] = CAPTURED.find(({ table }) => table === 'Users')?.columns ?? [];

/** How long the table's column names are used before they are read again (a later ALTER shows then). */
const COLUMNS_KEPT_FOR_MS = 60_000;

/** MySQL's "Unknown column": a name read before is gone. */
const BAD_FIELD = 1054;

export interface OldSystemUsersOptions {
  columnsKeptForMs?: number;
  now?: () => number;
}

/**
 * The old system's `Users` rows as its table holds them now, for a change that names a user but
 * not the user's columns (a `UserRoles` row). Each column comes under the contract's name
 * (`Kundenr AS kundenr`): the old database spells some otherwise (`Kundenr`, `Shortname`; column
 * names are case-insensitive), and the planner reads the contract's. Columns an old database lacks
 * (some were added by later scripts) are left out, as are its columns of its own.
 */
export class OldSystemUsers {
  private select: { sql: Promise<string>; readAt: number } | null = null;
  private readonly columnsKeptForMs: number;
  private readonly now: () => number;

  constructor(
    private readonly record: Pool,
    { columnsKeptForMs = COLUMNS_KEPT_FOR_MS, now = Date.now }: OldSystemUsersOptions = {},
  ) {
    this.columnsKeptForMs = columnsKeptForMs;
    this.now = now;
  }

  async row(id: number): Promise<CapturedRow | null> {
    try {
      return await this.read(id);
    } catch (error) {
      if ((error as { errno?: number }).errno !== BAD_FIELD) throw error;
      // A column was dropped or renamed since its name was read: read the names again, once.
      this.select = null;
      return this.read(id);
    }
  }

  private async read(id: number): Promise<CapturedRow | null> {
    const [rows] = await this.record.query<RowDataPacket[]>(await this.selectSql(), [id]);
    return (rows[0] as CapturedRow | undefined) ?? null;
  }

  private selectSql(): Promise<string> {
    const now = this.now();
    if (this.select && now - this.select.readAt < this.columnsKeptForMs) return this.select.sql;
    const sql = this.record
      .query<RowDataPacket[]>(
        // information_schema compares names case-insensitively on MariaDB, and the legacy table names
        // are case-sensitive (lower_case_table_names=0): BINARY, unless the server folds table names.
        `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'Users'
           AND (BINARY TABLE_NAME = 'Users' OR @@lower_case_table_names <> 0)`,
      )
      .then(([rows]) => {
        if (rows.length === 0) throw new Error('The record database has no Users table');
        const live = new Map(rows.map((row) => [String(row.name).toLowerCase(), String(row.name)]));
        const columns = READ.flatMap((name) => {
          const spelled = live.get(name.toLowerCase());
          return spelled === undefined ? [] : [`${quoteIdentifier(spelled)} AS ${quoteIdentifier(name)}`];
        });
        if (columns.length === 0) throw new Error('The Users table has none of the contract columns');
        return `SELECT ${columns.join(', ')} FROM \`Users\` WHERE \`Id\` = ?`;
      });
    const entry = { sql, readAt: now };
    this.select = entry;
    // A failed read is tried again next time.
    sql.catch(() => {
      if (this.select === entry) this.select = null;
    });
    return sql;
  }
}
