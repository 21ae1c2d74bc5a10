import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'tracershop_session';

/** The session or API token a request carries: `Authorization: Bearer`, else the session cookie. */
export function credentialOf(request: FastifyRequest): string | null {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+([A-Za-z0-9_-]{10,200})$/.exec(authorization.trim());
    return match ? match[1] : '';
  }
  const cookies = request.headers.cookie;
  if (typeof cookies !== 'string') return null;
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='));
  }
  return null;
}

/** HttpOnly, SameSite=Strict, and Secure when the request came over TLS (directly or via a proxy). */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  maxAgeSeconds: number,
): void {
  const secure = request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
  const attributes = [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
  ];
  if (secure) attributes.push('Secure');
  void reply.header('set-cookie', attributes.join('; '));
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
}
