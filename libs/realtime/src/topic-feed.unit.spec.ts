import {
  AFTER_POSITION_SEQ,
  keyAfterPositionText,
  messageKeyText,
  parseMessageKeyText,
  START_KEY,
  type MessageKey,
} from './message-key';
import type { RealtimeMessage } from './realtime-contract';
import { TopicFeed, type KeyedMessage } from './topic-feed';

const topic = 'production-day:2026-03-02';
const at = (position: number, seq = 0): KeyedMessage => {
  const key = { commit: BigInt(position), prepare: BigInt(position), seq };
  return {
    key,
    message: {
      type: 'order.updated',
      topic,
      position: String(position),
      key: messageKeyText(key),
      payload: { order: { orderId: `order-${position}-${seq}` } },
    } as unknown as RealtimeMessage,
  };
};
const after = (position: number): MessageKey => keyAfterPositionText(String(position)) as MessageKey;

function feedFrom(from: MessageKey, maxBuffered = 100, accept: () => boolean = () => true) {
  const sent: RealtimeMessage[] = [];
  const feed = new TopicFeed(topic, from, (message) => (accept() ? (sent.push(message), true) : false), maxBuffered);
  const positions = () => sent.map((message) => `${message.position}${message.type === 'order.updated' ? '' : '*'}`);
  const keys = () => sent.map((message) => message.key);
  return { feed, sent, positions, keys };
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
      key: '20',
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

  it('names the last message sent exactly: its key to resume after, its position only coarsely', () => {
    let room = 2;
    const { feed } = feedFrom(after(10), 10, () => room-- > 0);
    feed.goLive();
    feed.offerLive(at(11, 0));
    feed.offerLive(at(11, 2));
    expect(feed.offerLive(at(11, 4))).toBe('overflow');
    expect(feed.resumeKey).toBe('11#2');
    expect(feed.resumePosition).toBe('11');
  });
});

describe('TopicFeed: resuming inside one event', () => {
  // Event 11 logged three messages for the topic (seq 0, 2, 4; the odd ones went to another topic).
  const event11 = [at(11, 0), at(11, 2), at(11, 4)];

  it('given a client that received seq 0 of an event, when it resumes after that key, then it gets seq 2 and 4 of the event, then what follows, once', () => {
    const { feed, keys } = feedFrom(parseMessageKeyText('11#0') as MessageKey);
    // Live messages arriving during the catch-up, overlapping the log read at the seam.
    for (const entry of [event11[2], at(12)]) expect(feed.offerLive(entry)).toBe('buffered');
    expect(feed.offerLive(event11[0])).toBe('dropped');
    for (const entry of [event11[1], event11[2]]) expect(feed.catchUp(entry)).toBe('sent');
    expect(feed.goLive()).toBe('sent');
    expect(feed.offerLive(at(12))).toBe('dropped');
    expect(feed.offerLive(at(13))).toBe('sent');
    expect(keys()).toEqual(['11#2', '11#4', '12#0', '13#0']);
  });

  it('given the live tail is ahead of the log read, when the seam falls between two messages of one event, then the held rest of the event follows without a gap', () => {
    const { feed, keys } = feedFrom(parseMessageKeyText('10') as MessageKey);
    // The log page ended inside event 11; the held live messages continue it.
    for (const entry of [event11[1], event11[2], at(12)]) feed.offerLive(entry);
    feed.catchUp(event11[0]);
    feed.goLive();
    expect(keys()).toEqual(['11#0', '11#2', '11#4', '12#0']);
  });

  it('given only a position, when the client resumes from it, then the rest of that event is not sent (the whole event counts as received)', () => {
    const { feed, keys } = feedFrom(parseMessageKeyText('11') as MessageKey);
    for (const entry of [...event11, at(12)]) feed.catchUp(entry);
    expect(keys()).toEqual(['12#0']);
  });
});
