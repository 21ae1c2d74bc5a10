import type { Logger } from 'pino';
import type { Principal } from '@tracershop/auth';
import type { TracershopConfig } from '@tracershop/config';
import { RealtimeRefusal, type RealtimeAccess, type SocketCredential } from './realtime-access';
import type { RealtimeClient, RealtimeHub } from './realtime-hub';
import { RealtimeSessions } from './realtime-sessions';

const config = { realtime: { reauthenticateSeconds: 30 } } as TracershopConfig;
const logger = { warn: () => undefined, info: () => undefined } as unknown as Logger;

function client(id: string, credential: SocketCredential): RealtimeClient {
  return {
    socket: { id, disconnect: jest.fn() },
    principal: { id: 'before' } as Principal,
    credential,
    feeds: new Map(),
  } as unknown as RealtimeClient;
}

function sessionsOver(clients: RealtimeClient[], authenticate: (credential: SocketCredential) => Promise<Principal>) {
  const access = { authenticate: jest.fn(authenticate) };
  const hub = { allClients: () => clients, remove: jest.fn() };
  const sessions = new RealtimeSessions(
    access as unknown as RealtimeAccess,
    hub as unknown as RealtimeHub,
    {} as never,
    config,
    logger,
  );
  return { sessions, access, hub };
}

describe('RealtimeSessions', () => {
  it('given sockets that share a credential, when a round re-authenticates them, then the credential is authenticated once for all of them', async () => {
    const alice = { cookie: 'session=alice' };
    const clients = [client('s1', alice), client('s2', { cookie: 'session=bob' }), client('s3', { ...alice })];
    const { sessions, access } = sessionsOver(clients, async (credential) =>
      Promise.resolve({ id: credential.cookie === alice.cookie ? 'alice' : 'bob' } as Principal),
    );
    await sessions.recheckAll();
    expect(access.authenticate).toHaveBeenCalledTimes(2);
    expect(clients.map((each) => each.principal.id)).toEqual(['alice', 'bob', 'alice']);
  });

  it('given a round still running, when the next one is due, then it does not start a second', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const clients = [client('s1', { cookie: 'session=alice' })];
    const { sessions, access } = sessionsOver(clients, async () => {
      await held;
      return { id: 'alice' } as Principal;
    });
    const first = sessions.recheckAll();
    await sessions.recheckAll();
    release();
    await first;
    expect(access.authenticate).toHaveBeenCalledTimes(1);
  });

  it('given a credential that no longer authenticates, when a round runs, then every socket using it is ended', async () => {
    const revoked = { authorization: 'Bearer revoked' };
    const clients = [client('s1', revoked), client('s2', { cookie: 'session=bob' }), client('s3', { ...revoked })];
    const { sessions, access, hub } = sessionsOver(clients, async (credential) => {
      if (credential.authorization) throw new RealtimeRefusal('unauthenticated', 'The token was revoked');
      return Promise.resolve({ id: 'bob' } as Principal);
    });
    await sessions.recheckAll();
    expect(access.authenticate).toHaveBeenCalledTimes(2);
    expect(hub.remove.mock.calls.map(([ended]) => (ended as RealtimeClient).socket.id)).toEqual(['s1', 's3']);
    expect(clients[1].socket.disconnect).not.toHaveBeenCalled();
  });
});
