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
});
