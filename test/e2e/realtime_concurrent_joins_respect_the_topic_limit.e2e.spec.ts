import type { JoinReply } from '@tracershop/realtime';
import { ADMIN, bootApp, logIn, type BootedApp } from './booted-app';
import { connectRealtime, type RealtimeTestClient } from './realtime-client';

const MAX_TOPICS = 3;

/**
 * Regression: joins sent at once by one socket were all checked against the same number of topics
 * followed, before any of them registered its topic, so a burst got past `TOO_MANY_TOPICS` (and
 * started a snapshot transaction each on the shared record pool).
 */
describe('realtime: the topic limit per connection under concurrent joins', () => {
  let app: BootedApp;
  let client: RealtimeTestClient | undefined;

  beforeAll(async () => {
    app = await bootApp({ REALTIME_MAX_TOPICS_PER_SOCKET: String(MAX_TOPICS) }, { listen: true });
  });

  afterAll(async () => {
    client?.close();
    await app?.close();
  });

  it('given a socket, when it sends many joins of different topics at once, then only the limit of them are accepted and the rest are refused with TOO_MANY_TOPICS', async () => {
    const token = await logIn(app.server, ADMIN.username, ADMIN.password);
    client = await connectRealtime(app.url as string, { token });
    const topics = Array.from({ length: 12 }, (_, day) => `production-day:2031-03-${String(day + 1).padStart(2, '0')}`);

    const replies: JoinReply[] = await Promise.all(topics.map((topic) => client!.join(topic)));

    expect(replies.filter((reply) => reply.ok)).toHaveLength(MAX_TOPICS);
    const refusals = replies.flatMap((reply) => (reply.ok ? [] : [reply.error.code]));
    expect(refusals).toEqual(Array.from({ length: topics.length - MAX_TOPICS }, () => 'TOO_MANY_TOPICS'));
    await client.count((message) => message.type === 'production-day.snapshot', MAX_TOPICS);
  });

  it('given a join and a leave of one topic sent at once, when the socket then joins as many topics as it may, then the left topic no longer counts', async () => {
    const token = await logIn(app.server, ADMIN.username, ADMIN.password);
    const second = await connectRealtime(app.url as string, { token });
    try {
      const joined = second.join('production-day:2031-04-01');
      const left = new Promise((resolve) =>
        second.socket.emit('leave', { topic: 'production-day:2031-04-01' }, resolve),
      );
      expect((await joined).ok).toBe(true);
      await left;
      const others = ['2031-04-02', '2031-04-03', '2031-04-04'].map((day) => `production-day:${day}`);
      const replies = await Promise.all(others.map((topic) => second.join(topic)));
      expect(replies.map((reply) => reply.ok)).toEqual([true, true, true]);
    } finally {
      second.close();
    }
  });
});
