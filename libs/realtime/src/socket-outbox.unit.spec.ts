import type { RealtimeMessage } from './realtime-contract';
import { SocketOutbox } from './socket-outbox';

const message = (position: number) =>
  ({
    type: 'order.updated',
    topic: 'customer:c',
    position: String(position),
    payload: {},
  }) as unknown as RealtimeMessage;

describe('SocketOutbox: a bounded queue per socket', () => {
  it('writes while the transport keeps up', () => {
    const written: RealtimeMessage[] = [];
    const outbox = new SocketOutbox(
      () => 0,
      (m) => written.push(m),
      3,
    );
    for (let i = 0; i < 100; i++) expect(outbox.offer(message(i))).toBe(true);
    expect(written).toHaveLength(100);
  });

  it('refuses once the socket holds `limit` unsent packets, and from then on', () => {
    const queue: RealtimeMessage[] = [];
    // A client that reads nothing: everything written stays queued.
    const outbox = new SocketOutbox(
      () => queue.length,
      (m) => queue.push(m),
      5,
    );
    const accepted = Array.from({ length: 20 }, (_, i) => outbox.offer(message(i)));
    expect(accepted.filter(Boolean)).toHaveLength(5);
    expect(queue).toHaveLength(5);
    expect(outbox.isOverflowed).toBe(true);
    queue.length = 0;
    expect(outbox.offer(message(99))).toBe(false);
    outbox.writeFinal(message(100));
    expect(queue).toEqual([message(100)]);
  });

  it('asks a long catch-up to pause at half the bound', () => {
    let backlog = 0;
    const outbox = new SocketOutbox(
      () => backlog,
      () => undefined,
      10,
    );
    expect(outbox.shouldPause()).toBe(false);
    backlog = 5;
    expect(outbox.shouldPause()).toBe(true);
  });
});
