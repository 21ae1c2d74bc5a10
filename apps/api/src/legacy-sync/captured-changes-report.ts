import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import { CAPTURE_OUTCOMES, type CaptureOutcome } from '@tracershop/domain/legacy';
import { RECORD_DATABASE } from '@tracershop/platform';

export interface CapturedChangeView {
  id: string;
  table: string;
  operation: string;
  rowKey: string;
  before: unknown;
  after: unknown;
  /** When the old system made the change (UTC). */
  capturedAt: string;
  /** The old system's database account. */
  capturedBy: string;
  outcome: CaptureOutcome;
  code: string | null;
  message: string | null;
  details: unknown;
  /** Event types the change appended. */
  events: string[];
  /** Global position of its last event, for read-your-writes on the read models. */
  position: string | null;
  processedAt: string | null;
}

export interface CapturedChangesPage {
  items: CapturedChangeView[];
  nextCursor: string | null;
  /** Every captured change by outcome, whatever the filters. */
  counts: Record<CaptureOutcome, number>;
}

interface CaptureRow {
  id: string;
  table_name: string;
  operation: string;
  row_key: string;
  before_row: string | null;
  after_row: string | null;
  captured_at: string;
  captured_by: string;
  outcome: CaptureOutcome;
  outcome_code: string | null;
  outcome_message: string | null;
  outcome_details: string | null;
  events: string | null;
  position: string | null;
  processed_at: string | null;
}

const utc = (value: string | null) => (value === null ? null : `${value.replace(' ', 'T')}Z`);
const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** Reads `legacy_capture`: what became of each change the old system made itself. */
@Injectable()
export class CapturedChangesReport {
  constructor(@Inject(RECORD_DATABASE) private readonly record: Pool) {}

  async list(filter: {
    outcome?: CaptureOutcome;
    table?: string;
    limit: number;
    after: string | null;
  }): Promise<CapturedChangesPage> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.outcome !== undefined) {
      conditions.push('outcome = ?');
      params.push(filter.outcome);
    }
    if (filter.table !== undefined) {
      conditions.push('table_name = ?');
      params.push(filter.table);
    }
    if (filter.after !== null) {
      conditions.push('id > ?');
      params.push(filter.after);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const [rows] = await this.record.query(
      `SELECT id, table_name, operation, row_key, before_row, after_row,
              DATE_FORMAT(captured_at, '%Y-%m-%d %H:%i:%s.%f') AS captured_at, captured_by, outcome,
              outcome_code, outcome_message, outcome_details, events, position,
              DATE_FORMAT(processed_at, '%Y-%m-%d %H:%i:%s.%f') AS processed_at
       FROM legacy_capture ${where} ORDER BY id LIMIT ?`,
      [...params, filter.limit + 1],
    );
    const found = rows as CaptureRow[];
    const page = found.slice(0, filter.limit);
    return {
      items: page.map((row) => ({
        id: String(row.id),
        table: row.table_name,
        operation: row.operation,
        rowKey: row.row_key,
        before: json(row.before_row),
        after: json(row.after_row),
        capturedAt: utc(row.captured_at) ?? '',
        capturedBy: row.captured_by,
        outcome: row.outcome,
        code: row.outcome_code,
        message: row.outcome_message,
        details: json(row.outcome_details),
        events: row.events ? row.events.split(',') : [],
        position: row.position,
        processedAt: utc(row.processed_at),
      })),
      nextCursor: found.length > filter.limit ? String(page[page.length - 1]?.id) : null,
      counts: await this.counts(),
    };
  }

  private async counts(): Promise<Record<CaptureOutcome, number>> {
    const [rows] = await this.record.query('SELECT outcome, COUNT(*) AS changes FROM legacy_capture GROUP BY outcome');
    const counts = Object.fromEntries(CAPTURE_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
      CaptureOutcome,
      number
    >;
    for (const row of rows as Array<{ outcome: CaptureOutcome; changes: unknown }>)
      counts[row.outcome] = Number(row.changes);
    return counts;
  }
}
