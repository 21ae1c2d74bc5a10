import { ruleViolated } from '../kernel';

/**
 * Part 11 §11.300 password controls. The handler checks the plain password here before hashing it;
 * the domain never sees the password itself, only the hash inside `SetPassword`.
 */
export const passwordLength = { min: 12, max: 256 } as const;

/** Parts of the printed name shorter than this are too common to forbid (`Bo`, `Li`). */
const MIN_NAME_PART_LENGTH = 3;

export type PasswordProblemCode =
  | 'PASSWORD_TOO_SHORT'
  | 'PASSWORD_TOO_LONG'
  | 'PASSWORD_CONTAINS_USERNAME'
  | 'PASSWORD_CONTAINS_NAME'
  | 'PASSWORD_SINGLE_CHARACTER';

export interface PasswordProblem {
  code: PasswordProblemCode;
  message: string;
}

export interface PasswordOwner {
  username: string;
  printedName: string;
}

const comparable = (text: string) => text.normalize('NFC').toLowerCase();

/** Letters and digits runs of the printed name: `Anne-Marie O'Neil` → anne, marie, neil. */
function namePartsOf(printedName: string): string[] {
  return comparable(printedName)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => [...part].length >= MIN_NAME_PART_LENGTH);
}

/** Every rule the password breaks; `[]` means it may be used. */
export function checkPasswordPolicy(password: string, owner: PasswordOwner): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  // Code points, not UTF-16 units: `æ` and an emoji are one character each to the user typing them.
  const characters = [...password];
  if (characters.length < passwordLength.min) {
    problems.push({ code: 'PASSWORD_TOO_SHORT', message: `Use at least ${passwordLength.min} characters` });
  }
  if (characters.length > passwordLength.max) {
    problems.push({ code: 'PASSWORD_TOO_LONG', message: `Use at most ${passwordLength.max} characters` });
  }
  const candidate = comparable(password);
  const username = comparable(owner.username.trim());
  if (username.length > 0 && candidate.includes(username)) {
    problems.push({ code: 'PASSWORD_CONTAINS_USERNAME', message: 'The password must not contain the username' });
  }
  if (namePartsOf(owner.printedName).some((part) => candidate.includes(part))) {
    problems.push({ code: 'PASSWORD_CONTAINS_NAME', message: 'The password must not contain a part of your name' });
  }
  if (characters.length > 0 && characters.every((character) => character === characters[0])) {
    problems.push({ code: 'PASSWORD_SINGLE_CHARACTER', message: 'The password must not repeat a single character' });
  }
  return problems;
}

/** The same check as one domain error, for handlers that answer with the first failure. */
export function requirePasswordPolicy(password: string, owner: PasswordOwner): void {
  const problems = checkPasswordPolicy(password, owner);
  if (problems.length > 0) {
    throw ruleViolated('PASSWORD_POLICY_VIOLATED', problems.map((problem) => problem.message).join('; '), {
      field: 'password',
      problems: problems.map((problem) => problem.code),
    });
  }
}
