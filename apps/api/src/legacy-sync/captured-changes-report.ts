import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'mysql2/promise';
import { CAPTURE_OUTCOMES, type CaptureOutcome } from '@tracershop/domain/legacy';
import { RECORD_DATABASE } from '@tracershop/platform';
import { legacySyncTables } from '@tracershop/projections/record';

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
  /** Who closed a rejected or unsupported change, when and why; null while it is open. */
  reconciliation: { reason: string; by: { id: string; printedName: string }; at: string; position: string } | null;
}

export interface CapturedChangesPage {
  items: CapturedChangeView[];
  nextCursor: string | null;
  /** Every captured change by outcome, whatever the filters; `open`: rejected or unsupported, not reconciled. */
  counts: Record<CaptureOutcome | 'open', number>;
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
  reason: string | null;
  reconciled_by_id: string | null;
  reconciled_by_name: string | null;
  reconciled_at: string | null;
  reconciled_position: string | null;
}

const utc = (value: string | null) => (value === null ? null : `${value.replace(' ', 'T')}Z`);
const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

const RECONCILIATIONS = `\`${legacySyncTables.reconciliations}\``;
/** Each captured change with its reconciliation, if any (the two tables of the record database). */
const CHANGES = `legacy_capture c LEFT JOIN ${RECONCILIATIONS} r ON r.capture_id = c.id AND r.captured_at = c.captured_at`;
/** The same before the projector has created the reconciliations (a fresh database): none yet. */
const CHANGES_BEFORE_RECONCILIATIONS = `legacy_capture c LEFT JOIN (SELECT NULL AS capture_id, NULL AS reason,
  NULL AS reconciled_by_id, NULL AS reconciled_by_name, NULL AS reconciled_at, NULL AS position) r ON FALSE`;
const OPEN = "c.outcome IN ('rejected', 'unsupported') AND r.capture_id IS NULL";

/** Reads `legacy_capture`: what became of each change the old system made itself. */
@Injectable()
export class CapturedChangesReport {
  constructor(@Inject(RECORD_DATABASE) private readonly record: Pool) {}

  /** Runs a query over `CHANGES` (the `FROM` part it is given), or over none reconciled while that table is missing. */
  private async over<R>(query: (from: string) => string, params: unknown[]): Promise<R> {
    try {
      return (await this.record.query(query(CHANGES), params))[0] as R;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ER_NO_SUCH_TABLE') throw error;
      return (await this.record.query(query(CHANGES_BEFORE_RECONCILIATIONS), params))[0] as R;
    }
  }

  async list(filter: {
    outcome?: CaptureOutcome;
    table?: string;
    /** true: only changes still open; false: only the others. */
    open?: boolean;
    limit: number;
    after: string | null;
  }): Promise<CapturedChangesPage> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.outcome !== undefined) {
      conditions.push('c.outcome = ?');
      params.push(filter.outcome);
    }
    if (filter.table !== undefined) {
      conditions.push('c.table_name = ?');
      params.push(filter.table);
    }
    if (filter.open !== undefined) conditions.push(filter.open ? `(${OPEN})` : `NOT (${OPEN})`);
    if (filter.after !== null) {
      conditions.push('c.id > ?');
      params.push(filter.after);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const found = await this.changes(where, params, filter.limit + 1);
    const page = found.slice(0, filter.limit);
    return {
      items: page,
      nextCursor: found.length > filter.limit ? String(page[page.length - 1]?.id) : null,
      counts: await this.counts(),
    };
  }

  /** One captured change (to reconcile it), or null. */
  async get(id: string): Promise<CapturedChangeView | null> {
    const [change] = await this.changes('WHERE c.id = ?', [id], 1);
    return change ?? null;
  }

  /** Every captured change by outcome, and how many are open (rejected or unsupported, not reconciled). */
  async counts(): Promise<Record<CaptureOutcome | 'open', number>> {
    const rows = await this.over<Array<{ outcome: CaptureOutcome; changes: unknown; open: unknown }>>(
      (from) => `SELECT c.outcome, COUNT(*) AS changes, SUM(${OPEN}) AS open FROM ${from} GROUP BY c.outcome`,
      [],
    );
    const counts = Object.fromEntries([...CAPTURE_OUTCOMES, 'open'].map((outcome) => [outcome, 0])) as Record<
      CaptureOutcome | 'open',
      number
    >;
    for (const row of rows) {
      counts[row.outcome] = Number(row.changes);
      counts.open += Number(row.open ?? 0);
    }
    return counts;
  }

  /** Captured changes with their reconciliations, in id order. */
  private async changes(where: string, params: unknown[], limit: number): Promise<CapturedChangeView[]> {
    const rows = await this.over<CaptureRow[]>(
      (from) => `SELECT c.id, c.table_name, c.operation, c.row_key, c.before_row, c.after_row,
              DATE_FORMAT(c.captured_at, '%Y-%m-%d %H:%i:%s.%f') AS captured_at, c.captured_by, c.outcome,
              c.outcome_code, c.outcome_message, c.outcome_details, c.events, c.position,
              DATE_FORMAT(c.processed_at, '%Y-%m-%d %H:%i:%s.%f') AS processed_at,
              r.reason, r.reconciled_by_id, r.reconciled_by_name,
              DATE_FORMAT(r.reconciled_at, '%Y-%m-%d %H:%i:%s.%f') AS reconciled_at, r.position AS reconciled_position
       FROM ${from} ${where} ORDER BY c.id LIMIT ?`,
      [...params, limit],
    );
    return rows.map((row) => ({
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
      reconciliation:
        row.reason === null
          ? null
          : {
              reason: row.reason,
              by: { id: String(row.reconciled_by_id), printedName: String(row.reconciled_by_name) },
              at: utc(row.reconciled_at) ?? '',
              position: String(row.reconciled_position),
            },
    }));
  }
}
