import { DomainError } from '../kernel';
import { parseValFile } from './val-file';

/** A VAL file as the dispenser writes it: `key:` padded to 12 characters, CRLF line ends. */
const valFile = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([key, value]) => `${`${key}:`.padEnd(12)}${value}`)
    .join('\r\n');

const herlevVial = {
  customer: '2-herlev',
  part: '0',
  charge: 'FDG-261123-2',
  depotpos: '3',
  filldate: '23.11.26',
  filltime: '07:12:30',
  activity: '600,5 MBq;',
  volume: '2.5 ml',
  gros: '12.40 g',
  tare: '9.90 g',
  net: '2.50 g',
  product: '18F-FDG',
};

function refusal(text: string): { code: string; details: unknown } {
  try {
    parseValFile(text);
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error('the VAL file was accepted');
}

describe('a VAL file from the dispenser', () => {
  it('given every key, when read, then it is one vial with its measurements', () => {
    expect(parseValFile(valFile(herlevVial))).toEqual({
      lot: 'FDG-261123-2',
      fillDate: '2026-11-23',
      fillTime: '07:12:30',
      dispenserNumber: 2,
      activityMBq: 600.5,
      volumeMl: 2.5,
      depotPosition: 3,
      grossG: 12.4,
      tareG: 9.9,
      netG: 2.5,
      product: '18F-FDG',
    });
  });

  it('given the older dispenser’s forms, then they read alike: `MBq` without `;`, `:` in the lot, d.m.yy, LF line ends', () => {
    const older = valFile({ ...herlevVial, charge: 'FDG:261123:2', filldate: '3.2.26', activity: '600.5 MBq' });
    expect(parseValFile(older.replaceAll('\r\n', '\n'))).toMatchObject({
      lot: 'FDG-261123-2',
      fillDate: '2026-02-03',
      activityMBq: 600.5,
    });
  });

  it('given no weights, depot position or product, then they take their defaults', () => {
    const { customer, charge, filldate, filltime, activity, volume } = herlevVial;
    expect(parseValFile(valFile({ customer, charge, filldate, filltime, activity, volume }))).toMatchObject({
      depotPosition: 0,
      grossG: 0,
      tareG: 0,
      netG: 0,
      product: '',
    });
  });

  it('given QC and rinse vials, then their dispenser numbers are kept as written (99 QC, 98 rinse)', () => {
    expect(parseValFile(valFile({ ...herlevVial, customer: '99-QC' })).dispenserNumber).toBe(99);
    expect(parseValFile(valFile({ ...herlevVial, customer: '98-skyl' })).dispenserNumber).toBe(98);
  });

  it('given keys it does not know, then they are ignored', () => {
    const withExtras = valFile({ ...herlevVial, use_before: '23/11/26 17:12', dispenser: 'UK465' });
    expect(parseValFile(withExtras).lot).toBe('FDG-261123-2');
  });

  it.each([
    [{ customer: 'herlev' }, 'customer'],
    [{ charge: '' }, 'charge'],
    [{ filltime: '7:12' }, 'filltime'],
    [{ filltime: '24:00:00' }, 'filltime'],
    [{ filldate: '2026-11-23' }, 'filldate'],
    [{ filldate: '31.02.26' }, 'filldate'],
    [{ activity: '' }, 'activity'],
    [{ activity: 'much MBq' }, 'activity'],
    [{ volume: '2.5 l' }, 'volume'],
    [{ net: 'heavy' }, 'net'],
  ])('given %p, then the file is refused naming the key %p', (change, key) => {
    expect(refusal(valFile({ ...herlevVial, ...change }))).toMatchObject({
      code: 'INVALID_VAL_FILE',
      details: { key },
    });
  });
});
