import { conflict, notFound, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import {
  requireCalendarDate,
  requireInstant,
  requireInteger,
  requireReason,
  type CalendarDate,
  type IsoInstant,
} from '../catalog';
import { normaliseLotNumber, parseLotNumber } from './lot-number';

/**
 * A dispensed vial. The same vial may arrive twice (a VAL file and the old dispenser script's own
 * `VAL` row), so its identity is its lot number and fill moment: the stream name is derived from
 * them and a second arrival with the same values changes nothing.
 */
export const vialIdOf = (lot: string, fillDate: CalendarDate, fillTime: string) =>
  `${normaliseLotNumber(lot)}@${fillDate}T${fillTime}`;
export const vialStreamName = (vialId: string) => `ordering.vial-${vialId}`;

/** Dispenser customer numbers that own no customer: quality control and rinse. */
export const QC_DISPENSER_NUMBER = 99;
export const RINSE_DISPENSER_NUMBER = 98;

export interface VialMeasurements {
  activityMBq: number;
  volumeMl: number;
  /** Legacy `VAL.customer`: the customer's dispenser number (99 QC, 98 rinse). */
  dispenserNumber: number;
  depotPosition: number;
  grossG: number;
  tareG: number;
  netG: number;
  /** Product text from the VAL file; manual vials use `18F`. */
  product: string;
}

export interface Vial extends VialMeasurements {
  vialId: string;
  lot: string;
  fillDate: CalendarDate;
  /** `HH:MM:SS`, as the dispenser writes it. */
  fillTime: string;
  /** Legacy `VAL.ID`, allocated before the append. */
  legacyValId: number;
}

export type VialState =
  | { status: 'absent' }
  | (Vial & {
      status: 'dispensed';
      assignedTo: { releaseId: string; streamId: string } | null;
      /**
       * Why the vial was voided (recorded in error: a mistyped lot number or fill time, a vial that
       * never existed), or null. A voided vial is released by no one until it is restored.
       */
      voidReason: string | null;
    });

// Commands

export interface DispenseVial extends Omit<Vial, 'vialId'> {
  type: 'DispenseVial';
  /**
   * The old system's own `VAL` row (the legacy sync): `legacyValId` names a row that exists, so
   * for a vial recorded under another row it is a second row of the same vial, not a retry.
   */
  fromOldSystemRow: boolean;
  at: IsoInstant;
}
export interface CorrectVial {
  type: 'CorrectVial';
  vialId: string;
  changes: Partial<VialMeasurements>;
  reason: string;
  at: IsoInstant;
}
export interface AssignVial {
  type: 'AssignVial';
  vialId: string;
  releaseId: string;
  /** The delivery day stream that recorded the release. */
  streamId: string;
  /**
   * What the release records (and its signature covers) of the vial: a vial corrected since it
   * was read for the release refuses, so a release never records values its vial no longer has.
   */
  recorded?: Pick<VialMeasurements, 'activityMBq' | 'volumeMl' | 'dispenserNumber'> & { lot: string };
  at: IsoInstant;
}
export interface UnassignVial {
  type: 'UnassignVial';
  vialId: string;
  releaseId: string;
  reason: string;
  at: IsoInstant;
}
/**
 * A vial recorded in error is voided, never deleted: its lot number and fill time are its identity,
 * so a mistyped one is voided and the vial dispensed again with the right values.
 */
export interface VoidVial {
  type: 'VoidVial';
  vialId: string;
  reason: string;
  at: IsoInstant;
}
/** A vial voided in error is restored. */
export interface RestoreVial {
  type: 'RestoreVial';
  vialId: string;
  reason: string;
  at: IsoInstant;
}
export type VialCommand = DispenseVial | CorrectVial | AssignVial | UnassignVial | VoidVial | RestoreVial;

// Events

export type VialDispensed = DomainEvent<'VialDispensed', Vial>;
export type VialCorrected = DomainEvent<
  'VialCorrected',
  {
    vialId: string;
    changes: { [K in keyof VialMeasurements]?: { from: VialMeasurements[K]; to: VialMeasurements[K] } };
    reason: string;
  }
>;
export type VialAssigned = DomainEvent<'VialAssigned', { vialId: string; releaseId: string; streamId: string }>;
export type VialUnassigned = DomainEvent<'VialUnassigned', { vialId: string; releaseId: string; reason: string }>;
export type VialVoided = DomainEvent<'VialVoided', { vialId: string; reason: string }>;
export type VialRestored = DomainEvent<'VialRestored', { vialId: string; reason: string }>;
export type VialEvent = VialDispensed | VialCorrected | VialAssigned | VialUnassigned | VialVoided | VialRestored;

const TIME_WITH_SECONDS = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

/**
 * What the old system's `VAL` row holds (legacy-tables.md): `charge` VARCHAR(20), `volume`, `gros`,
 * `tare` and `net` DECIMAL(7,2), `activity` DECIMAL(9,2). A vial beyond them would be cut short
 * there, or stop the record's projection: it is refused here, wherever it comes from (typed in, a
 * VAL file, the old system).
 */
const LOT_MAX_LENGTH = 20;
const ACTIVITY_MAX = 9_999_999;
const GRAMS_OR_ML_MAX = 99_999;

function validMeasurements(values: VialMeasurements): VialMeasurements {
  const nonNegative = (value: number, field: string, max = GRAMS_OR_ML_MAX) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
      throw ruleViolated('INVALID_VIAL', `${field} must be a number from 0 to ${max.toLocaleString('en')}`, {
        field,
        value,
      });
    }
    return value;
  };
  if (!(values.activityMBq > 0)) {
    throw ruleViolated('INVALID_VIAL', 'activityMBq must be positive', { field: 'activityMBq' });
  }
  return {
    activityMBq: nonNegative(values.activityMBq, 'activityMBq', ACTIVITY_MAX),
    volumeMl: nonNegative(values.volumeMl, 'volumeMl'),
    dispenserNumber: requireInteger(values.dispenserNumber, 'dispenserNumber', {
      min: 0,
      max: 2_147_483_647,
      code: 'INVALID_VIAL',
    }),
    depotPosition: requireInteger(values.depotPosition, 'depotPosition', { min: 0, max: 127, code: 'INVALID_VIAL' }),
    grossG: nonNegative(values.grossG, 'grossG'),
    tareG: nonNegative(values.tareG, 'tareG'),
    netG: nonNegative(values.netG, 'netG'),
    product: typeof values.product === 'string' && values.product.length <= 20 ? values.product : fail('product'),
  };
}

function fail(field: string): never {
  throw ruleViolated('INVALID_VIAL', `${field} is not valid`, { field });
}

const measurementKeys: (keyof VialMeasurements)[] = [
  'activityMBq',
  'volumeMl',
  'dispenserNumber',
  'depotPosition',
  'grossG',
  'tareG',
  'netG',
  'product',
];

function requireDispensed(
  state: VialState,
  vialId: string,
): asserts state is Extract<VialState, { status: 'dispensed' }> {
  if (state.status === 'absent') throw notFound('VIAL_NOT_FOUND', `No vial ${vialId} has been dispensed`, { vialId });
}

/** A voided vial is neither corrected nor released until it is restored. */
export function refuseVoided(state: VialState, vialId: string): void {
  if (state.status === 'dispensed' && state.voidReason !== null) {
    throw conflict('VIAL_VOIDED', `Vial ${vialId} was voided (${state.voidReason}); restore it first`, {
      vialId,
      voidReason: state.voidReason,
    });
  }
}

export const vialDecider: Decider<VialCommand, VialEvent, VialState> = {
  initialState: () => ({ status: 'absent' }),
  evolve(state, event) {
    switch (event.type) {
      case 'VialDispensed':
        return { ...event.data, status: 'dispensed', assignedTo: null, voidReason: null };
      case 'VialCorrected': {
        if (state.status === 'absent') return state;
        const next = { ...state } as Record<string, unknown>;
        for (const [key, change] of Object.entries(event.data.changes)) next[key] = change?.to;
        return next as VialState;
      }
      case 'VialAssigned':
        return state.status === 'absent'
          ? state
          : { ...state, assignedTo: { releaseId: event.data.releaseId, streamId: event.data.streamId } };
      case 'VialUnassigned':
        return state.status === 'absent' ? state : { ...state, assignedTo: null };
      case 'VialVoided':
        return state.status === 'absent' ? state : { ...state, voidReason: event.data.reason };
      case 'VialRestored':
        return state.status === 'absent' ? state : { ...state, voidReason: null };
    }
  },
  decide(command, state) {
    requireInstant(command.at);
    switch (command.type) {
      case 'DispenseVial': {
        const lot = normaliseLotNumber(command.lot);
        if (!parseLotNumber(lot) || lot.length > LOT_MAX_LENGTH) {
          throw ruleViolated(
            'INVALID_LOT_NUMBER',
            `"${command.lot}" is not a lot number TAG-YYMMDD-n of at most ${LOT_MAX_LENGTH} characters`,
            { lot },
          );
        }
        const fillDate = requireCalendarDate(command.fillDate, 'fillDate');
        if (!TIME_WITH_SECONDS.test(command.fillTime)) fail('fillTime');
        const vial: Vial = {
          vialId: vialIdOf(lot, fillDate, command.fillTime),
          lot,
          fillDate,
          fillTime: command.fillTime,
          ...validMeasurements(command),
          legacyValId: requireInteger(command.legacyValId, 'legacyValId', {
            min: 1,
            max: 4_294_967_295,
            code: 'INVALID_LEGACY_ID',
          }),
        };
        if (state.status === 'dispensed') {
          const differing = measurementKeys.filter((key) => state[key] !== vial[key]);
          if (differing.length > 0) {
            throw conflict('VIAL_ALREADY_DISPENSED', `Vial ${vial.vialId} was dispensed with other values`, {
              vialId: vial.vialId,
              fields: differing,
            });
          }
          // Both the old system's script and Tracershop recorded the vial: refused, so the
          // reconciliation report lists the old system's extra row instead of passing over it.
          if (command.fromOldSystemRow && vial.legacyValId !== state.legacyValId) {
            throw conflict(
              'VIAL_IN_ANOTHER_ROW',
              `Vial ${vial.vialId} is VAL row ${state.legacyValId}; the old system's row ${vial.legacyValId} records it again`,
              { vialId: vial.vialId, legacyValId: state.legacyValId, duplicateLegacyValId: vial.legacyValId },
            );
          }
          return [];
        }
        return [{ type: 'VialDispensed', data: vial }];
      }
      case 'CorrectVial': {
        requireDispensed(state, command.vialId);
        const reason = requireReason(command.reason);
        refuseVoided(state, command.vialId);
        if (state.assignedTo) {
          throw conflict('VIAL_ASSIGNED', 'An assigned vial is corrected through a correction of its release', {
            vialId: command.vialId,
            releaseId: state.assignedTo.releaseId,
          });
        }
        // A field given as undefined (an optional field the request left out) changes nothing.
        const given = Object.fromEntries(Object.entries(command.changes).filter(([, value]) => value !== undefined));
        const next = validMeasurements({ ...state, ...given });
        const changes: VialCorrected['data']['changes'] = {};
        for (const key of measurementKeys) {
          if (key in given && next[key] !== state[key]) {
            (changes as Record<string, unknown>)[key] = { from: state[key], to: next[key] };
          }
        }
        if (Object.keys(changes).length === 0) return [];
        return [{ type: 'VialCorrected', data: { vialId: command.vialId, changes, reason } }];
      }
      case 'AssignVial': {
        requireDispensed(state, command.vialId);
        refuseVoided(state, command.vialId);
        const { recorded } = command;
        if (
          recorded &&
          (recorded.lot !== state.lot ||
            recorded.activityMBq !== state.activityMBq ||
            recorded.volumeMl !== state.volumeMl ||
            recorded.dispenserNumber !== state.dispenserNumber)
        ) {
          throw conflict(
            'VIAL_CHANGED',
            `Vial ${command.vialId} was corrected while it was being released; release again`,
            {
              vialId: command.vialId,
            },
          );
        }
        if (state.assignedTo?.releaseId === command.releaseId) return [];
        if (state.assignedTo) {
          throw conflict('VIAL_ALREADY_ASSIGNED', `Vial ${command.vialId} already belongs to another release`, {
            vialId: command.vialId,
            releaseId: state.assignedTo.releaseId,
          });
        }
        return [
          {
            type: 'VialAssigned',
            data: { vialId: command.vialId, releaseId: command.releaseId, streamId: command.streamId },
          },
        ];
      }
      case 'UnassignVial': {
        requireDispensed(state, command.vialId);
        if (state.assignedTo?.releaseId !== command.releaseId) return [];
        const reason = requireReason(command.reason);
        return [{ type: 'VialUnassigned', data: { vialId: command.vialId, releaseId: command.releaseId, reason } }];
      }
      case 'VoidVial': {
        requireDispensed(state, command.vialId);
        const reason = requireReason(command.reason);
        if (state.voidReason !== null) return [];
        if (state.assignedTo) {
          throw conflict(
            'VIAL_ASSIGNED',
            'A vial in a release is voided after a correction of its release gives it back',
            { vialId: command.vialId, releaseId: state.assignedTo.releaseId },
          );
        }
        return [{ type: 'VialVoided', data: { vialId: command.vialId, reason } }];
      }
      case 'RestoreVial': {
        requireDispensed(state, command.vialId);
        const reason = requireReason(command.reason);
        if (state.voidReason === null) return [];
        return [{ type: 'VialRestored', data: { vialId: command.vialId, reason } }];
      }
    }
  },
};
