import { ADMIN, as, bootApp, createPerson, logIn, type BootedApp } from './booted-app';
import { connectRealtime, refusalOf, type RealtimeTestClient } from './realtime-client';

const IDLE_SECONDS = 10;

/**
 * Regression: every periodic re-authentication of a socket pushed its session's idle timer back,
 * so an unattended board kept its session (and the cookie's HTTP rights) alive until the absolute
 * expiry. Sockets now only check the idle timer; the user's HTTP requests push it back.
 */
describe('realtime re-checks and the session idle timeout', () => {
  let app: BootedApp;
  const clients: RealtimeTestClient[] = [];

  beforeAll(async () => {
    app = await bootApp(
      { SESSION_IDLE_SECONDS: String(IDLE_SECONDS), REALTIME_REAUTHENTICATE_SECONDS: '1' },
      { listen: true },
    );
  });

  afterAll(async () => {
    clients.forEach((client) => client.close());
    await app?.close();
  });

  it('given a session whose only use is an open socket, when the idle timeout passes, then the session lapses and the socket is disconnected; a session used over HTTP stays', async () => {
    const url = app.url as string;
    const adminToken = await logIn(app.server, ADMIN.username, ADMIN.password);
    const admin = as(app.server, adminToken);
    const unattended = await createPerson(app.server, admin, 'board.screen', { role: 'production' });
    const watched = await connectRealtime(url, { token: unattended.token });
    const used = await connectRealtime(url, { token: adminToken });
    clients.push(watched, used);
    expect(await watched.join('incidents')).toMatchObject({ ok: true });
    expect(await used.join('incidents')).toMatchObject({ ok: true });

    // The administrator keeps working over HTTP; the board's user does nothing.
    const keepAlive = setInterval(() => void admin.get('/auth/me').then(() => undefined), 2_000);
    try {
      expect(await watched.disconnected((IDLE_SECONDS + 8) * 1000)).toBe('io server disconnect');
    } finally {
      clearInterval(keepAlive);
    }

    const me = await unattended.client.get('/auth/me').expect(401);
    expect(me.body.error.code).toBe('SESSION_IDLE');
    expect(await refusalOf(url, { token: unattended.token })).toMatchObject({ code: 'SESSION_IDLE' });
    expect(used.socket.connected).toBe(true);
    await admin.get('/auth/me').expect(200);
  });
});
