import { AFTER_POSITION_SEQ, keyAfterPositionText, START_KEY, type MessageKey } from './message-key';
import type { RealtimeMessage } from './realtime-contract';
import { TopicFeed, type KeyedMessage } from './topic-feed';

const topic = 'production-day:2026-03-02';
const at = (position: number, seq = 0): KeyedMessage => ({
  key: { commit: BigInt(position), prepare: BigInt(position), seq },
  message: {
    type: 'order.updated',
    topic,
    position: String(position),
    payload: { order: { orderId: `order-${position}-${seq}` } },
  } as unknown as RealtimeMessage,
});
const after = (position: number): MessageKey => keyAfterPositionText(String(position)) as MessageKey;

function feedFrom(from: MessageKey, maxBuffered = 100, accept: () => boolean = () => true) {
  const sent: RealtimeMessage[] = [];
  const feed = new TopicFeed(topic, from, (message) => (accept() ? (sent.push(message), true) : false), maxBuffered);
  const positions = () => sent.map((message) => `${message.position}${message.type === 'order.updated' ? '' : '*'}`);
  return { feed, sent, positions };
}

describe('TopicFeed: the seam between catch-up and live', () => {
  it('holds live messages while catching up and sends only those after the last sent, once', () => {
    const { feed, positions } = feedFrom(after(10));
    // Live messages arrive while the log is read: some the log will also return, some newer.
    for (const position of [12, 13, 14]) expect(feed.offerLive(at(position))).toBe('buffered');
    expect(feed.offerLive(at(9))).toBe('dropped');
    for (const position of [11, 12, 13]) expect(feed.catchUp(at(position))).toBe('sent');
    expect(feed.goLive()).toBe('sent');
    expect(feed.offerLive(at(14))).toBe('dropped');
    expect(feed.offerLive(at(15))).toBe('sent');
    expect(positions()).toEqual(['11', '12', '13', '14', '15']);
    expect(feed.resumePosition).toBe('15');
  });

  it('several messages of one event are kept; a repeat of any of them is not', () => {
    const { feed, positions } = feedFrom(after(10));
    feed.offerLive(at(11, 1));
    feed.catchUp(at(11, 0));
    feed.goLive();
    feed.offerLive(at(11, 0));
    feed.offerLive(at(11, 1));
    expect(positions()).toEqual(['11', '11']);
  });

  it('after a snapshot at a position, only later messages follow', () => {
    const { feed, positions } = feedFrom(START_KEY);
    feed.offerLive(at(20));
    feed.offerLive(at(21));
    const snapshot: RealtimeMessage = {
      type: 'production-day.snapshot',
      topic,
      position: '20',
      payload: { date: '2026-03-02', orders: [], ghosts: [] },
    };
    feed.sentSnapshot(snapshot, { commit: 20n, prepare: 20n, seq: AFTER_POSITION_SEQ });
    feed.goLive();
    feed.offerLive(at(21));
    feed.offerLive(at(22));
    expect(positions()).toEqual(['20*', '21', '22']);
  });

  it('holds at most maxBuffered live messages while catching up', () => {
    const { feed } = feedFrom(after(0), 3);
    for (const position of [1, 2, 3]) expect(feed.offerLive(at(position))).toBe('buffered');
    expect(feed.offerLive(at(4))).toBe('overflow');
    expect(feed.heldCount).toBe(3);
    expect(feed.resumePosition).toBe('0');
  });

  it('reports overflow when the socket refuses, and keeps the last position delivered', () => {
    let room = 2;
    const { feed } = feedFrom(after(0), 10, () => room-- > 0);
    feed.goLive();
    expect(feed.offerLive(at(1))).toBe('sent');
    expect(feed.offerLive(at(2))).toBe('sent');
    expect(feed.offerLive(at(3))).toBe('overflow');
    expect(feed.resumePosition).toBe('2');
  });
});
