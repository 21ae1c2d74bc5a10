import { ruleViolated } from '../kernel';
import { isCalendarDate, type CalendarDate } from '../catalog';
import { normaliseLotNumber } from './lot-number';
import type { VialMeasurements } from './vial';

/** A vial as the dispenser describes it in a VAL file, ready to be dispensed. */
export interface ValFileVial extends VialMeasurements {
  lot: string;
  fillDate: CalendarDate;
  fillTime: string;
}

const invalid = (message: string, details: Record<string, unknown>) =>
  ruleViolated('INVALID_VAL_FILE', message, details);

/** `<n> <unit>` with an optional `;` after the unit (the newer dispenser writes `MBq;`) and a decimal comma. */
function quantity(value: string | undefined, unit: string, key: string, fallback?: number): number {
  if (value === undefined || value.trim() === '') {
    if (fallback !== undefined) return fallback;
    throw invalid(`The VAL file has no ${key}`, { key });
  }
  const match = new RegExp(`^(-?\\d+(?:[.,]\\d+)?)\\s*(?:${unit})?;?$`, 'i').exec(value.trim());
  if (!match) throw invalid(`${key} "${value}" is not a number of ${unit}`, { key, value });
  return Number((match[1] as string).replace(',', '.'));
}

/** `dd.mm.yy`, also `d.m.yy`: two-digit years are this century, as the old dispenser script read them. */
function fillDateOf(value: string | undefined): CalendarDate {
  const match = /^(\d{1,2})\.(\d{1,2})\.(\d{2})$/.exec((value ?? '').trim());
  const date = match
    ? `20${match[3]}-${(match[2] as string).padStart(2, '0')}-${(match[1] as string).padStart(2, '0')}`
    : '';
  if (!isCalendarDate(date))
    throw invalid(`filldate "${value ?? ''}" is not a date dd.mm.yy`, { key: 'filldate', value });
  return date;
}

/**
 * Reads one VAL file (one vial): each line is `key:` padded to 12 characters, then the value.
 * Unknown keys are ignored (the dispenser adds some); the ones a vial needs must be there.
 */
export function parseValFile(text: string): ValFileVial {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_]+)\s*:(.*)$/.exec(line);
    if (match) fields.set((match[1] as string).toLowerCase(), (match[2] as string).trim());
  }
  const customer = /^(\d+)/.exec(fields.get('customer') ?? '');
  if (!customer)
    throw invalid('The VAL file has no customer number', { key: 'customer', value: fields.get('customer') });
  const lot = normaliseLotNumber(fields.get('charge') ?? '');
  if (lot === '') throw invalid('The VAL file has no charge (lot number)', { key: 'charge' });
  const fillTime = (fields.get('filltime') ?? '').trim();
  if (!/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.test(fillTime)) {
    throw invalid(`filltime "${fillTime}" is not HH:MM:SS`, { key: 'filltime', value: fillTime });
  }
  return {
    lot,
    fillDate: fillDateOf(fields.get('filldate')),
    fillTime,
    dispenserNumber: Number(customer[1]),
    activityMBq: quantity(fields.get('activity'), 'MBq', 'activity'),
    volumeMl: quantity(fields.get('volume'), 'ml', 'volume'),
    depotPosition: quantity(fields.get('depotpos'), '', 'depotpos', 0),
    grossG: quantity(fields.get('gros'), 'g', 'gros', 0),
    tareG: quantity(fields.get('tare'), 'g', 'tare', 0),
    netG: quantity(fields.get('net'), 'g', 'net', 0),
    product: (fields.get('product') ?? '').slice(0, 20),
  };
}
