import { normaliseLotNumber, parseLotNumber } from './lot-number';

describe('Lot numbers', () => {
  it('read <vial tag>-YYMMDD-<n>', () => {
    expect(parseLotNumber('FDG-260302-1')).toEqual({ vialTag: 'FDG', yymmdd: '260302', serial: 1 });
    expect(parseLotNumber('C11_MET-260302-12')).toEqual({ vialTag: 'C11_MET', yymmdd: '260302', serial: 12 });
  });

  it('accept ":" where the dispenser wrote it instead of "-"', () => {
    expect(parseLotNumber('FDG:260302:3')).toEqual({ vialTag: 'FDG', yymmdd: '260302', serial: 3 });
    expect(normaliseLotNumber(' FDG:260302:3 ')).toBe('FDG-260302-3');
  });

  it.each(['FDG260302-1', 'FDG-26030-1', 'FDG-2603021-1', 'FDG-260302-', 'FDG-260302-1a', '-260302-1', 'FDG-260302'])(
    'do not match %p',
    (lot) => {
      expect(parseLotNumber(lot)).toBeNull();
    },
  );
});
