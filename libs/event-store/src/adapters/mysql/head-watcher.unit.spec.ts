import { HeadWatcher } from './head-watcher';

describe('HeadWatcher', () => {
  it('an append in this process wakes the waiters it passes, and only those', async () => {
    const watcher = new HeadWatcher(() => Promise.resolve(4n), { minIntervalMs: 1, maxIntervalMs: 5 });
    const woken: string[] = [];
    const abort = new AbortController();
    void watcher.waitAfter(5n, abort.signal).then(() => woken.push('after 5'));
    void watcher.waitAfter(7n, abort.signal).then(() => woken.push('after 7'));
    watcher.committed(6n);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(woken).toEqual(['after 5']);
    abort.abort();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(woken).toEqual(['after 5', 'after 7']);
    watcher.stop();
  });

  it('polling sees appends of other processes', async () => {
    let head = -1n;
    const watcher = new HeadWatcher(() => Promise.resolve(head), { minIntervalMs: 1, maxIntervalMs: 5 });
    const waiting = watcher.waitAfter(-1n, new AbortController().signal);
    setTimeout(() => (head = 0n), 20);
    await expect(waiting).resolves.toBeUndefined();
    watcher.stop();
  });

  it('one poll serves every waiter', async () => {
    let polls = 0;
    let head = 0n;
    const watcher = new HeadWatcher(
      () => {
        polls += 1;
        return Promise.resolve(head);
      },
      { minIntervalMs: 10, maxIntervalMs: 10 },
    );
    const signal = new AbortController().signal;
    const waiters = Array.from({ length: 50 }, () => watcher.waitAfter(0n, signal));
    await new Promise((resolve) => setTimeout(resolve, 35));
    head = 1n;
    await Promise.all(waiters);
    expect(polls).toBeLessThan(10);
    watcher.stop();
  });

  /**
   * A head that moves every 5 ms for 300 ms, hinted at each move (at once or `hintDelayMs` later)
   * or not at all, and a subscription that waits for it again and again, reading for `readMs` in
   * between: how often the head moved and how often the watcher polled it.
   */
  async function watchMovingHead(options: { hints: 'none' | 'each move'; hintDelayMs?: number; readMs?: number }) {
    let head = 0n;
    let polls = 0;
    let moves = 0;
    const watcher = new HeadWatcher(
      () => {
        polls += 1;
        return Promise.resolve(head);
      },
      { minIntervalMs: 2, maxIntervalMs: 40 },
    );
    const moving = setInterval(() => {
      head += 1n;
      moves += 1;
      if (options.hints === 'none') return;
      const told = head;
      if (options.hintDelayMs) setTimeout(() => watcher.committed(told), options.hintDelayMs);
      else watcher.committed(told);
    }, 5);
    const abort = new AbortController();
    const until = Date.now() + 300;
    try {
      while (Date.now() < until) {
        await watcher.waitAfter(head, abort.signal);
        if (options.readMs) await new Promise((resolve) => setTimeout(resolve, options.readMs));
      }
    } finally {
      clearInterval(moving);
      watcher.stop();
    }
    return { moves, polls };
  }

  it('polls at its shortest interval while it finds the head moved, and backs off while hints keep up', async () => {
    // Given a head that moves every 5 ms, told of by a hint at each move or not at all
    // When a subscription waits again and again
    const unhinted = await watchMovingHead({ hints: 'none' });
    const hinted = await watchMovingHead({ hints: 'each move' });
    // Then unhinted, the poll keeps up with the head; hinted, it backs off towards its longest interval
    expect(hinted.polls * 3).toBeLessThan(unhinted.polls);
  });

  it('subscriptions that read between their waits do not poll at every hint', async () => {
    // Given a head that moves every 5 ms, told of by a hint at each move
    // When a subscription waits, then reads for 2 ms (nobody waiting meanwhile), then waits again
    const { moves, polls } = await watchMovingHead({ hints: 'each move', readMs: 2 });
    // Then the poll keeps its backed-off interval across the subscription's reads
    expect(moves).toBeGreaterThan(20);
    expect(polls * 2).toBeLessThan(moves);
  });

  it('hints that arrive just after a poll saw their head still count as hints', async () => {
    // Given a head that moves every 5 ms, its hint arriving 3 ms after each move
    // When a subscription waits again and again
    const { moves, polls } = await watchMovingHead({ hints: 'each move', hintDelayMs: 3 });
    // Then a poll that finds a head whose hint is on its way does not go back to its shortest interval
    expect(moves).toBeGreaterThan(20);
    expect(polls * 2).toBeLessThan(moves);
  });

  it('a waiter already told of a head past its position returns at once, without a poll', async () => {
    // Given a watcher told of head 7 (by an append or a hint)
    let polls = 0;
    const watcher = new HeadWatcher(() => {
      polls += 1;
      return Promise.resolve(7n);
    });
    watcher.committed(7n);
    // When a subscription that has read up to 5 waits
    await watcher.waitAfter(5n, new AbortController().signal);
    // Then it goes on at once and nothing was polled
    expect(polls).toBe(0);
    watcher.stop();
  });

  it('a failing poll fails the waiters instead of leaving them hanging', async () => {
    const watcher = new HeadWatcher(() => Promise.reject(new Error('connection lost')));
    await expect(watcher.waitAfter(0n, new AbortController().signal)).rejects.toThrow('connection lost');
    watcher.stop();
  });
});
