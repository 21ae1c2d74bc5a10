import { checkPasswordPolicy, requirePasswordPolicy, type PasswordProblemCode } from './password-policy';
import { thrownBy } from './identity-examples';

const anne = { username: 'anne.jensen', printedName: 'Anne-Marie Jensen' };
const codesOf = (password: string, owner = anne): PasswordProblemCode[] =>
  checkPasswordPolicy(password, owner).map((problem) => problem.code);

describe('checkPasswordPolicy', () => {
  it('accepts a long password unrelated to its owner', () => {
    expect(checkPasswordPolicy('correct horse battery', anne)).toEqual([]);
  });

  it('needs at least 12 characters', () => {
    expect(codesOf('Tr0ub4dor&3')).toEqual(['PASSWORD_TOO_SHORT']);
    expect(codesOf('Tr0ub4dor&3x')).toEqual([]);
    expect(codesOf('')).toEqual(['PASSWORD_TOO_SHORT']);
  });

  it('counts characters as the user types them, not UTF-16 units', () => {
    expect(codesOf('blåbærgrød🔒')).toEqual(['PASSWORD_TOO_SHORT']);
    expect(codesOf('blåbærgrød🔒🔑')).toEqual([]);
  });

  it('allows at most 256 characters', () => {
    expect(codesOf('ab'.repeat(128))).toEqual([]);
    expect(codesOf('ab'.repeat(128) + 'c')).toEqual(['PASSWORD_TOO_LONG']);
  });

  it('refuses the username, in any case', () => {
    expect(codesOf('my-ANNE.JENSEN-pass')).toEqual(['PASSWORD_CONTAINS_USERNAME', 'PASSWORD_CONTAINS_NAME']);
    expect(codesOf('xx-anne.jensen-xx', { username: 'anne.jensen', printedName: 'A J' })).toEqual([
      'PASSWORD_CONTAINS_USERNAME',
    ]);
  });

  it('refuses any part of the printed name of 3 or more characters, in any case', () => {
    expect(codesOf('summer-MARIE-2026')).toEqual(['PASSWORD_CONTAINS_NAME']);
    expect(codesOf('jensens-garden-9')).toEqual(['PASSWORD_CONTAINS_NAME']);
    expect(codesOf('Sørensen!Sørensen', { username: 'kso', printedName: 'Kim Søren Ø' })).toEqual([
      'PASSWORD_CONTAINS_NAME',
    ]);
  });

  it('ignores name parts shorter than 3 characters', () => {
    expect(codesOf('bobsled-in-winter', { username: 'bo.li', printedName: 'Bo Li' })).toEqual([]);
  });

  it('refuses one character repeated', () => {
    expect(codesOf('aaaaaaaaaaaaaaaa')).toEqual(['PASSWORD_SINGLE_CHARACTER']);
    expect(codesOf('aaaaaaaaaaaaaaab')).toEqual([]);
  });

  it('lists every problem at once', () => {
    expect(codesOf('anne')).toEqual(['PASSWORD_TOO_SHORT', 'PASSWORD_CONTAINS_NAME']);
  });
});

describe('requirePasswordPolicy', () => {
  it('passes a good password and throws one error listing the problems otherwise', () => {
    expect(() => requirePasswordPolicy('correct horse battery', anne)).not.toThrow();
    const error = thrownBy(() => requirePasswordPolicy('aaaa', anne));
    expect(error.code).toBe('PASSWORD_POLICY_VIOLATED');
    expect(error.kind).toBe('rule_violated');
    expect(error.details).toEqual({ field: 'password', problems: ['PASSWORD_TOO_SHORT', 'PASSWORD_SINGLE_CHARACTER'] });
  });
});
