import type { Pool, RowDataPacket } from 'mysql2/promise';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import type { CapturedRow } from './captured-change';

/** The login secret the old system owns (legacy-tables.md): never read, as it is never written. */
const NOT_READ = 'password';

/**
 * The old system's `Users` rows as its table holds them now, for a change that names a user but
 * not the user's columns (a `UserRoles` row). Reads the columns the table has (an old database may
 * lack later ones), never the password.
 */
export class OldSystemUsers {
  private columns: Promise<string[]> | null = null;

  constructor(private readonly record: Pool) {}

  async row(id: number): Promise<CapturedRow | null> {
    const columns = await this.readableColumns();
    const [rows] = await this.record.query<RowDataPacket[]>(
      `SELECT ${columns.map(quoteIdentifier).join(', ')} FROM \`Users\` WHERE \`Id\` = ?`,
      [id],
    );
    return (rows[0] as CapturedRow | undefined) ?? null;
  }

  private readableColumns(): Promise<string[]> {
    this.columns ??= this.record
      .query<RowDataPacket[]>(
        // BINARY: information_schema compares names case-insensitively; the legacy names are case-sensitive.
        `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = DATABASE() AND BINARY TABLE_NAME = 'Users' ORDER BY ORDINAL_POSITION`,
      )
      .then(([rows]) => {
        const names = rows.map((row) => String(row.name)).filter((name) => name.toLowerCase() !== NOT_READ);
        if (names.length === 0) throw new Error('The record database has no Users table');
        return names;
      });
    // A failed read is tried again next time.
    this.columns.catch(() => {
      this.columns = null;
    });
    return this.columns;
  }
}
