import type { Logger } from 'pino';
import type { Socket } from 'socket.io';
import type { TracershopConfig } from '@tracershop/config';
import type { LiveReadModel } from '@tracershop/projections/live';
import {
  compareKeys,
  keyAfterPositionText,
  SocketOutbox,
  START_KEY,
  toWireKey,
  TopicFeed,
  type KeyedMessage,
  type MessageKey,
  type RealtimeMessage,
} from '@tracershop/realtime';
import { RealtimeHub, type LogBatch, type RealtimeClient } from './realtime-hub';

const topic = 'production-day:2026-03-02';
const entry = (position: number): KeyedMessage => ({
  key: { commit: BigInt(position), prepare: BigInt(position), seq: 0 },
  message: { type: 'order.updated', topic, position: String(position), payload: {} } as unknown as RealtimeMessage,
});

/** The log as the projection wrote it: positions 1..n, of which those up to `prunedThrough` are gone. */
function logOf(positions: number[], prunedThrough = 0): LiveReadModel {
  const horizon = prunedThrough === 0 ? START_KEY : { ...entry(prunedThrough).key };
  const log = positions.map(entry).filter((item) => compareKeys(item.key, horizon) > 0);
  return {
    logHead: async () => START_KEY,
    logAfter: async (key: MessageKey, limit: number) =>
      log.filter((item) => compareKeys(item.key, key) > 0).slice(0, limit),
    prunedThrough: async () => horizon,
  } as unknown as LiveReadModel;
}

const config = { realtime: { socketBufferMessages: 4 } } as TracershopConfig;
const logger = { warn: () => undefined, info: () => undefined, error: () => undefined } as unknown as Logger;

/** A client that reads at once, or a slow one whose every message stays queued. */
function client(id: string, slow = false) {
  const received: RealtimeMessage[] = [];
  const backlog = () => (slow ? received.length : 0);
  const socket = {
    id,
    conn: { close: jest.fn() },
    disconnect: jest.fn(),
  } as unknown as Socket;
  const realtimeClient: RealtimeClient = {
    socket,
    principal: { id } as RealtimeClient['principal'],
    credential: {},
    outbox: new SocketOutbox(backlog, (message) => received.push(message), 4),
    feeds: new Map(),
  };
  return { client: realtimeClient, received, socket };
}

const batch = (after: number, positions: number[]): LogBatch => ({
  after: toWireKey(after === 0 ? START_KEY : (keyAfterPositionText(String(after)) as MessageKey)),
  messages: positions.map(entry).map(({ key, message }) => ({ key: toWireKey({ ...key, seq: 0 }), message })),
});

async function following(hub: RealtimeHub, who: ReturnType<typeof client>) {
  hub.add(who.client);
  const feed = new TopicFeed(topic, START_KEY, (message) => who.client.outbox.offer(message), 4);
  await hub.follow(who.client, feed, async () => 'sent');
  return feed;
}

describe('RealtimeHub', () => {
  it('dispatches batches in order and reads a batch’s missing predecessors from the log', async () => {
    const hub = new RealtimeHub(logOf([1, 2, 3, 4, 5, 6]), config, logger);
    const reader = client('a');
    await following(hub, reader);
    await hub.receive(batch(0, [1, 2]));
    // A lost pub/sub message (3, 4): the next batch starts after 4.
    await hub.receive(batch(4, [5]));
    // A repeat (a new publisher resending) changes nothing.
    await hub.receive(batch(2, [3, 4, 5]));
    await hub.receive(batch(5, [6]));
    expect(reader.received.map((message) => message.position)).toEqual(['1', '2', '3', '4', '5', '6']);
  });

  it('given a gap the log was already pruned through, then each follower is told to resume instead of skipping it', async () => {
    const hub = new RealtimeHub(logOf([1, 2, 3, 4, 5, 6], 4), config, logger);
    const reader = client('a');
    await following(hub, reader);
    await hub.receive(batch(0, [1, 2]));
    // Batches 3 and 4 never arrived, and the log no longer holds them.
    await hub.receive(batch(4, [5, 6]));
    expect(reader.received.map((message) => [message.type, message.position])).toEqual([
      ['order.updated', '1'],
      ['order.updated', '2'],
      ['resume.required', '2'],
    ]);
    expect(reader.received.at(-1)).toMatchObject({ payload: { afterKey: '2#0' } });
    expect(hub.followerCount(topic)).toBe(0);
  });

  it('a slow client is told where to resume and disconnected; the others go on', async () => {
    jest.useFakeTimers();
    try {
      const hub = new RealtimeHub(logOf([]), config, logger);
      const slow = client('slow', true);
      const queue = slow.received;
      const fast = client('fast');
      await following(hub, slow);
      await following(hub, fast);
      await hub.receive(batch(0, [1, 2, 3, 4, 5, 6, 7, 8]));
      expect(fast.received).toHaveLength(8);
      expect(queue.map((message) => message.type)).toEqual([
        'order.updated',
        'order.updated',
        'order.updated',
        'order.updated',
        'resume.required',
      ]);
      expect(queue.at(-1)).toMatchObject({
        topic,
        key: '4#0',
        payload: { fromPosition: '4', afterKey: '4#0', reason: 'too_far_behind' },
      });
      expect(slow.socket.disconnect).toHaveBeenCalledWith(true);
      expect(hub.followerCount(topic)).toBe(1);
      jest.runAllTimers();
      expect(slow.socket.conn.close).toHaveBeenCalledWith(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('given several followers, a log message goes out as one local broadcast to them; a catch-up write goes out at once', async () => {
    const hub = new RealtimeHub(logOf([]), config, logger);
    const broadcasts: Array<{ to: string[]; message: RealtimeMessage }> = [];
    const emitted: Array<{ socket: string; message: RealtimeMessage }> = [];
    const nsp = {
      local: {
        to: (ids: string[]) => ({
          emit: (_event: string, message: RealtimeMessage) => broadcasts.push({ to: ids, message }),
        }),
      },
    };
    const followers = ['a', 'b', 'c'].map((id) => {
      const socket = {
        id,
        nsp,
        emit: (_event: string, message: RealtimeMessage) => emitted.push({ socket: id, message }),
      } as unknown as Socket;
      const realtimeClient: RealtimeClient = {
        socket,
        principal: { id } as RealtimeClient['principal'],
        credential: {},
        outbox: new SocketOutbox(
          () => 0,
          (message) => hub.write(socket, message),
          4,
        ),
        feeds: new Map(),
      };
      return realtimeClient;
    });
    for (const follower of followers) {
      hub.add(follower);
      const feed = new TopicFeed(topic, START_KEY, (message) => follower.outbox.offer(message), 4);
      // Catching up, 'c' is sent one logged message by itself.
      await hub.follow(follower, feed, async (primed) =>
        follower.socket.id === 'c' ? primed.catchUp(entry(1)) : 'sent',
      );
    }
    expect(emitted.map(({ socket, message }) => [socket, message.position])).toEqual([['c', '1']]);

    await hub.receive(batch(0, [1, 2]));
    // 1: only a and b still need it ('c' has it); 2: all three, in one write each.
    expect(broadcasts.map(({ to, message }) => [to, message.position])).toEqual([
      [['a', 'b'], '1'],
      [['a', 'b', 'c'], '2'],
    ]);
    expect(emitted).toHaveLength(1);
  });
});
