import { sqlInteger, sqlNullableString, sqlString } from './sql-text';

/** What the server reads from a literal sqlString wrote. */
function readBack(literal: string): string {
  if (literal.startsWith("X'")) return Buffer.from(literal.slice(2, -1), 'hex').toString('utf8');
  expect(literal).toMatch(/^'[^'\\\0]*'$/);
  return literal.slice(1, -1);
}

describe('SQL literals for the append path', () => {
  it('quotes text as it is when nothing needs escaping, double quotes and line breaks included', () => {
    expect(sqlString('{"a":"b c"}')).toBe(`'{"a":"b c"}'`);
    expect(sqlString('')).toBe(`''`);
    expect(sqlString('æøå 😀\n\t')).toBe(`'æøå 😀\n\t'`);
  });

  it('writes text with a quote, a backslash or NUL as hex, which no sql_mode reads differently', () => {
    expect(sqlString(`it's`)).toBe(`X'${Buffer.from(`it's`).toString('hex')}'`);
    for (const text of [`a'b`, 'a\\b', '{"q":"say \\"hi\\""}', 'nul\0', `'; DROP TABLE events; --`, "\\'"]) {
      expect(sqlString(text)).toMatch(/^X'[0-9a-f]*'$/);
      expect(readBack(sqlString(text))).toBe(text);
    }
  });

  it('writes NULL and integers, and refuses what is not an integer', () => {
    expect(sqlNullableString(null)).toBe('NULL');
    expect(sqlNullableString('x')).toBe(`'x'`);
    expect(sqlInteger(-1n)).toBe('-1');
    expect(sqlInteger(42)).toBe('42');
    expect(() => sqlInteger(1.5)).toThrow(TypeError);
    expect(() => sqlInteger(Number.NaN)).toThrow(TypeError);
  });
});
