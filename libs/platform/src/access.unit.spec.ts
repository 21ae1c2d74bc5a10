import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '@tracershop/auth';
import { AccessGuard, APPLICATION_SCOPE, type AccessRule, type Authenticator } from './access';
import { HttpProblem } from './http-errors';

/** The guard on a route declaring `rule`, for a request whose credential fails with `failure` (or is `principal`'s). */
function guardedRequest(rule: AccessRule, failure: Error | Principal) {
  const reflector = {
    getAllAndOverride: (key: string) => (key === APPLICATION_SCOPE ? undefined : rule),
  } as unknown as Reflector;
  const authenticator: Authenticator = {
    authenticate: () => (failure instanceof Error ? Promise.reject(failure) : Promise.resolve(failure)),
  };
  const request = { tracershop: {} } as unknown as FastifyRequest;
  const context = {
    getHandler: () => undefined,
    getClass: () => undefined,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { check: () => new AccessGuard(reflector, authenticator).canActivate(context), request };
}

const sessionEnded = new HttpProblem(401, 'SESSION_ENDED', 'The session has ended; log in again');

describe('AccessGuard', () => {
  it('given the cookie of an ended session, when a public route is called, then it is let through as anonymous', async () => {
    const { check, request } = guardedRequest({ kind: 'public' }, sessionEnded);
    await expect(check()).resolves.toBe(true);
    expect(request.principal).toBeUndefined();
  });

  it('given the cookie of an ended session, when a protected route is called, then the 401 stands', async () => {
    const { check } = guardedRequest({ kind: 'roles', roles: ['admin'] }, sessionEnded);
    await expect(check()).rejects.toMatchObject({ status: 401, code: 'SESSION_ENDED' });
  });

  it('given an authenticator that cannot answer, when a public route is called, then that failure is not hidden', async () => {
    const { check } = guardedRequest({ kind: 'public' }, new Error('redis is down'));
    await expect(check()).rejects.toThrow('redis is down');
  });

  it('given a releaser who is also a shop member, when they place an order, then they act as shop member', async () => {
    const both: Principal = {
      kind: 'user',
      id: 'u1',
      username: 'bo',
      printedName: 'Bo Both',
      roles: [
        { role: 'releaser', customerIds: [], locationIds: [] },
        { role: 'shop', customerIds: ['c1'], locationIds: [] },
      ],
      releaseRights: [],
      credentialId: 's1',
      mustChangePassword: false,
    };
    const { check, request } = guardedRequest(
      { kind: 'roles', roles: ['admin', 'production', 'shop-admin', 'shop'] },
      both,
    );
    await expect(check()).resolves.toBe(true);
    expect(request.tracershop.actor).toMatchObject({ id: 'u1', role: 'shop' });
  });
});
