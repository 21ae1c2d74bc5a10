/**
 * The account the go-live import's queued changes name (`legacy-import.ts`): their events' actor is
 * `old-tracershop:import-legacy`. A trigger records the old system's `USER()` (`name@host`), never this.
 */
export const LEGACY_IMPORT_ACCOUNT = 'import-legacy';

/** What a capture trigger recorded about one change the old system made (table `legacy_capture`). */
export interface CapturedChange {
  id: number;
  table: string;
  operation: 'insert' | 'update' | 'delete';
  /** The row's primary key (`a:b` for a composite key). */
  rowKey: string;
  before: CapturedRow | null;
  after: CapturedRow | null;
  /** When the old system made the change (UTC, ISO 8601). */
  capturedAt: string;
  /** The old system's database account. */
  capturedBy: string;
}

export type CapturedRow = Readonly<Record<string, string | number | null>>;

export interface CaptureRecord {
  id: number | string;
  table_name: string;
  operation: string;
  row_key: string;
  before_row: string | null;
  after_row: string | null;
  captured_at: string;
  captured_by: string;
}

/** A `legacy_capture` row as read with `dateStrings` (`captured_at` as `YYYY-MM-DD HH:MM:SS.ffffff`, UTC). */
export function capturedChangeOf(record: CaptureRecord): CapturedChange {
  const row = (text: string | null): CapturedRow | null => (text === null ? null : (JSON.parse(text) as CapturedRow));
  return {
    id: Number(record.id),
    table: record.table_name,
    operation: record.operation as CapturedChange['operation'],
    rowKey: record.row_key,
    before: row(record.before_row),
    after: row(record.after_row),
    capturedAt: `${record.captured_at.replace(' ', 'T').slice(0, 23)}Z`,
    capturedBy: record.captured_by,
  };
}
