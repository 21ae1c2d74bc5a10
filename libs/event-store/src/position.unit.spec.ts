import { InvalidPositionError } from './errors';
import { Position } from './position';

describe('Position', () => {
  it('orders by commit, then prepare', () => {
    expect(Position.of(5n).isBefore(Position.of(6n))).toBe(true);
    expect(Position.of(5n, 9n).isAfter(Position.of(5n, 3n))).toBe(true);
    expect(Position.START.isBefore(Position.of(0n))).toBe(true);
  });

  it.each(['0', '42', '18446744073709551615', '10/7', 'start'])('round-trips %s', (text) => {
    expect(Position.parse(text).toString()).toBe(text);
  });

  it('serialises to JSON as its string form', () => {
    expect(JSON.stringify({ p: Position.of(12n, 10n) })).toBe('{"p":"12/10"}');
  });

  it.each(['', '-1', 'abc', '1/', '1/2/3', ' 1', '123456789012345678901'])('refuses %p', (text) => {
    expect(() => Position.parse(text)).toThrow(InvalidPositionError);
  });
});
