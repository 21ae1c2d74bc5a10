import { hash, randomBytes, randomUUID } from 'node:crypto';

/** Session tokens and API tokens: 256 random bits, shown once, stored only as their SHA-256. */
export interface IssuedToken {
  /** The id under which the token is stored (safe to show and log). */
  id: string;
  /** The secret, given to the client once. */
  token: string;
  /** What is stored. */
  hash: string;
}

export type TokenKind = 'session' | 'api';

const PREFIX: Record<TokenKind, string> = { session: 'tss_', api: 'tsk_' };

export function issueToken(kind: TokenKind): IssuedToken {
  const token = `${PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
  return { id: randomUUID(), token, hash: hashToken(token) };
}

/** Every authenticated request hashes its token: the one-shot digest costs a third of a Hash object. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export function tokenKindOf(token: string): TokenKind | null {
  if (token.startsWith(PREFIX.session)) return 'session';
  if (token.startsWith(PREFIX.api)) return 'api';
  return null;
}
