import { isCalendarDate, type CalendarDate } from '../catalog';

/**
 * Lot numbers read `<vial tag>-YYMMDD-<n>`. The dispenser sometimes writes `:` where `-` belongs;
 * the old dispenser script replaced them, and so do we, before anything is stored.
 */
const LOT_PATTERN = /^(\w+)-(\d{6})-(\d+)$/;

export function normaliseLotNumber(lot: string): string {
  return lot.trim().replaceAll(':', '-');
}

export function parseLotNumber(lot: string): { vialTag: string; yymmdd: string; serial: number } | null {
  const match = LOT_PATTERN.exec(normaliseLotNumber(lot));
  if (!match) return null;
  return { vialTag: match[1] as string, yymmdd: match[2] as string, serial: Number(match[3]) };
}

/**
 * The date a lot's `YYMMDD` names (this century), or null when it names none (month 13, day 99):
 * a release certifies a lot of a real day.
 */
export function lotDateOf(lot: string): CalendarDate | null {
  const parsed = parseLotNumber(lot);
  if (!parsed) return null;
  const { yymmdd } = parsed;
  const date = `20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
  return isCalendarDate(date) ? date : null;
}
