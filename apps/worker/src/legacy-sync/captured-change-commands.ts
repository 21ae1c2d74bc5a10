import type { CommandDefinition } from '@tracershop/command-pipeline';
import type { ClosedDateCommand, ClosedDateEvent, ClosedDateState } from '@tracershop/domain/catalog';
import { ruleViolated, type DomainEvent } from '@tracershop/domain/kernel';
import { normaliseLotNumber, type VialCommand, type VialEvent, type VialState } from '@tracershop/domain/ordering';
import type { CapturedChange, CapturedRow } from './captured-change';

/** One command a captured change becomes, with the reason its events carry. */
export interface PlannedCommand {
  definition: CommandDefinition<unknown, DomainEvent, unknown>;
  command: unknown;
  reason: string;
}

/**
 * What to do with a captured change: the commands that make the new system agree with it (in
 * order), or why the sync does not translate changes of that kind (listed for reconciliation).
 */
export type CapturePlan =
  { kind: 'commands'; commands: PlannedCommand[] } | { kind: 'unsupported'; code: string; message: string };

/** The command definitions a plan may use. */
export interface CapturedChangeDefinitions {
  closedDate: CommandDefinition<ClosedDateCommand, ClosedDateEvent, ClosedDateState>;
  vial: CommandDefinition<VialCommand, VialEvent, VialState>;
}

const planned = <C, E extends DomainEvent, S>(
  definition: CommandDefinition<C, E, S>,
  command: C,
  reason: string,
): PlannedCommand => ({
  definition: definition as unknown as CommandDefinition<unknown, DomainEvent, unknown>,
  command,
  reason,
});

const unsupported = (change: CapturedChange, message: string): CapturePlan => ({
  kind: 'unsupported',
  code: 'LEGACY_CHANGE_NOT_SYNCED',
  message: `${change.operation} of ${change.table} ${change.rowKey}: ${message}`,
});

const invalidRow = (change: CapturedChange, column: string, problem: string) =>
  ruleViolated('INVALID_CAPTURED_ROW', `${change.table} ${change.rowKey}: ${column} ${problem}`, {
    table: change.table,
    rowKey: change.rowKey,
    column,
  });

function text(change: CapturedChange, row: CapturedRow, column: string): string {
  const value = row[column];
  if (value === null || value === undefined || String(value).trim() === '') {
    throw invalidRow(change, column, 'is empty');
  }
  return String(value).trim();
}

function numberOf(change: CapturedChange, row: CapturedRow, column: string, fallback?: number): number {
  const value = row[column];
  if ((value === null || value === undefined) && fallback !== undefined) return fallback;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || String(value).trim() === '' || !Number.isFinite(parsed)) {
    throw invalidRow(change, column, `is not a number (${JSON.stringify(value ?? null)})`);
  }
  return parsed;
}

/** `HH:MM:SS` of a TIME value (the server may add fractions). */
function timeOf(change: CapturedChange, row: CapturedRow, column: string): string {
  const value = text(change, row, column);
  const match = /^(\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(value);
  if (!match) throw invalidRow(change, column, `is not a time of day (${JSON.stringify(value)})`);
  return `${match[1]}:${match[2]}:${match[3]}`;
}

/**
 * A vial the old system's dispenser script recorded: dispensed in the new system with the row's
 * own `VAL.ID`, so the legacy projection writes the same row and never a second one.
 */
function vialRow(change: CapturedChange, definitions: CapturedChangeDefinitions): CapturePlan {
  if (change.operation !== 'insert' || !change.after) {
    return unsupported(change, 'a dispensed vial is corrected in Tracershop (POST /ordering/vials/:id/correct)');
  }
  const row = change.after;
  return {
    kind: 'commands',
    commands: [
      planned(
        definitions.vial,
        {
          type: 'DispenseVial',
          lot: normaliseLotNumber(text(change, row, 'charge')),
          fillDate: text(change, row, 'filldate'),
          fillTime: timeOf(change, row, 'filltime'),
          activityMBq: numberOf(change, row, 'activity'),
          volumeMl: numberOf(change, row, 'volume'),
          dispenserNumber: numberOf(change, row, 'customer'),
          depotPosition: numberOf(change, row, 'depotpos', 0),
          grossG: numberOf(change, row, 'gros', 0),
          tareG: numberOf(change, row, 'tare', 0),
          netG: numberOf(change, row, 'net', 0),
          product: row.product === null || row.product === undefined ? '18F' : String(row.product),
          legacyValId: numberOf(change, row, 'ID'),
          at: change.capturedAt,
        },
        'Dispensed in the old system',
      ),
    ],
  };
}

/** A date the old system closed (row inserted) or reopened (row deleted). */
function closedDateRow(change: CapturedChange, definitions: CapturedChangeDefinitions): CapturePlan {
  if (change.operation === 'insert' && change.after) {
    const reason = 'Closed in the old system';
    return {
      kind: 'commands',
      commands: [
        planned(
          definitions.closedDate,
          {
            type: 'CloseDate',
            date: text(change, change.after, 'ddate'),
            reason,
            legacyId: numberOf(change, change.after, 'BDID'),
            at: change.capturedAt,
          },
          reason,
        ),
      ],
    };
  }
  if (change.operation === 'delete' && change.before) {
    const reason = 'Reopened in the old system';
    return {
      kind: 'commands',
      commands: [
        planned(
          definitions.closedDate,
          { type: 'ReopenDate', date: text(change, change.before, 'ddate'), reason, at: change.capturedAt },
          reason,
        ),
      ],
    };
  }
  return unsupported(change, 'a closed date row changed in place; close and reopen dates instead');
}

/**
 * The commands a captured change becomes. Tables and operations the sync does not translate yet
 * are `unsupported`: recorded and listed, never dropped or guessed at.
 */
export function planCapturedChange(change: CapturedChange, definitions: CapturedChangeDefinitions): CapturePlan {
  switch (change.table) {
    case 'VAL':
      return vialRow(change, definitions);
    case 'blockDeliverDate':
      return closedDateRow(change, definitions);
    default:
      return unsupported(change, 'changes of this table are not synced into Tracershop yet; make them there');
  }
}
