import { conflict, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from '../catalog/calendar';
import { requireInstant, requireInteger, requireOneOf } from '../catalog/field-validation';

/**
 * Ids of the old system's tables (`Users.Id`, `Tracers.id`, `deliverTimes.DTID` …) for the rows
 * Tracershop creates. They live in the events that create the rows, so a projection rebuild writes
 * the same ids again, and they never collide with the ids the old system allocates:
 *
 * - the old system's MySQL connections allocate ODD ids (`auto_increment_increment = 2`,
 *   `auto_increment_offset = 1`);
 * - Tracershop hands out only EVEN ids, in blocks reserved by `LegacyIdBlockReserved` on
 *   `legacy.idBlock-<table>`. The append's expected revision decides races between processes, so
 *   no two blocks overlap; a block starts above a floor (configured, and `MAX(id) + 1` of the
 *   legacy table), so ids the old data already holds are skipped too.
 *
 * Ids of a block a process did not use before it stopped are never handed out: gaps are fine.
 */
export const legacyIdTables = [
  'Users',
  'orders',
  't_orders',
  'VAL',
  'Tracers',
  'isotopes',
  'deliverTimes',
  'productionTimes',
  'blockDeliverDate',
  'TracerCustomer',
] as const;
export type LegacyIdTable = (typeof legacyIdTables)[number];

/** Even ids only: every second id belongs to the old system. */
export const LEGACY_ID_STEP = 2;

/**
 * Whether a legacy row's id is Tracershop's: an even id within the range its blocks reserved for
 * the table (the old system allocates odd ids, and its older rows lie below the first block).
 */
export function isReservedLegacyId(id: number, range: { firstId: number; lastId: number }): boolean {
  return id % LEGACY_ID_STEP === 0 && id >= range.firstId && id <= range.lastId;
}
/** The legacy id columns are signed INT (some UNSIGNED); the smaller range holds for all. */
export const LEGACY_ID_MAX = 2_147_483_647;
export const LEGACY_ID_BLOCK_MAX_SIZE = 10_000;

export const legacyIdBlockStreamName = (table: LegacyIdTable) => `legacy.idBlock-${table}`;

// Commands

export interface ReserveLegacyIdBlock {
  type: 'ReserveLegacyIdBlock';
  table: LegacyIdTable;
  /** How many ids: 1 … 10 000. */
  size: number;
  /** The block starts at or above it: the configured floor, and `MAX(id) + 1` of the legacy table. */
  floor: number;
  at: IsoInstant;
}

export type LegacyIdBlockCommand = ReserveLegacyIdBlock;

// Events

export interface LegacyIdBlockReservedData {
  table: LegacyIdTable;
  /** Even; the ids are firstId, firstId + step, … lastId. */
  firstId: number;
  lastId: number;
  step: typeof LEGACY_ID_STEP;
}

export type LegacyIdBlockReserved = DomainEvent<'LegacyIdBlockReserved', LegacyIdBlockReservedData>;
export type LegacyIdBlockEvent = LegacyIdBlockReserved;

/** The ids a reserved block holds, in order. */
export function legacyIdsOf(block: LegacyIdBlockReservedData): number[] {
  const ids: number[] = [];
  for (let id = block.firstId; id <= block.lastId; id += block.step) ids.push(id);
  return ids;
}

// State

export interface LegacyIdBlockState {
  /** The lowest id no block of this table has reserved yet (0 before the first block). */
  nextId: number;
}

// Rules

/** Rounds up to the next even number. */
const evenAtOrAbove = (value: number) => (value % 2 === 0 ? value : value + 1);

function decide(command: LegacyIdBlockCommand, state: LegacyIdBlockState): LegacyIdBlockEvent[] {
  requireInstant(command.at);
  const table = requireOneOf(command.table, legacyIdTables, 'table', 'INVALID_LEGACY_ID_TABLE');
  const size = requireInteger(command.size, 'size', {
    min: 1,
    max: LEGACY_ID_BLOCK_MAX_SIZE,
    code: 'INVALID_LEGACY_ID_BLOCK_SIZE',
  });
  const floor = requireInteger(command.floor, 'floor', {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    code: 'INVALID_LEGACY_ID_FLOOR',
  });
  const firstId = Math.max(evenAtOrAbove(Math.max(state.nextId, floor)), LEGACY_ID_STEP);
  const lastId = firstId + LEGACY_ID_STEP * (size - 1);
  if (lastId > LEGACY_ID_MAX) {
    throw ruleViolated('LEGACY_ID_SPACE_EXHAUSTED', `${table} has no ${size} even ids left below ${LEGACY_ID_MAX}`, {
      table,
      firstId,
      lastId,
      max: LEGACY_ID_MAX,
    });
  }
  return [{ type: 'LegacyIdBlockReserved', data: { table, firstId, lastId, step: LEGACY_ID_STEP } }];
}

function evolve(state: LegacyIdBlockState, event: LegacyIdBlockEvent): LegacyIdBlockState {
  return { nextId: Math.max(state.nextId, event.data.lastId + event.data.step) };
}

export const legacyIdBlockDecider: Decider<LegacyIdBlockCommand, LegacyIdBlockEvent, LegacyIdBlockState> = {
  initialState: () => ({ nextId: 0 }),
  evolve,
  decide,
};

/**
 * The schema version written into each event's envelope (see the catalogue's for the rule).
 * The Record type makes a new event type without a version a compile error.
 */
export const legacyEventSchemaVersions: Readonly<Record<LegacyIdBlockEvent['type'], number>> = {
  LegacyIdBlockReserved: 1,
};

export const legacyEventTypes = Object.keys(legacyEventSchemaVersions) as LegacyIdBlockEvent['type'][];

// For the aggregates that carry a legacy id

/** A legacy id in a command: a positive INT, allocated by the handler or given for a carried-over row. */
export function requireLegacyId(value: unknown, field = 'legacyId'): number {
  return requireInteger(value, field, { min: 1, max: LEGACY_ID_MAX, code: 'INVALID_LEGACY_ID' });
}

/**
 * For handlers: a legacy id a client gave explicitly must be the one the record already holds, if
 * it holds one (an allocated id simply yields to the held one; the decider keeps that).
 */
export function requireGivenLegacyIdHeld(held: number | null | undefined, given: number | undefined): void {
  if (given === undefined || held === null || held === undefined || held === given) return;
  throw conflict('LEGACY_ID_MISMATCH', `This record keeps legacy id ${held}, not ${given}`, {
    field: 'legacyId',
    held,
    given,
  });
}
