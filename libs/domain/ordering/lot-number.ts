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
