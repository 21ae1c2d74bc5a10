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

  it('polls at its shortest interval while it finds the head moved, and backs off while hints keep up', async () => {
    // Given a head that moves every 5 ms, told of by a hint at each move or not at all
    const watch = async (hinted: boolean) => {
      let head = 0n;
      let polls = 0;
      const watcher = new HeadWatcher(
        () => {
          polls += 1;
          return Promise.resolve(head);
        },
        { minIntervalMs: 2, maxIntervalMs: 40 },
      );
      const moving = setInterval(() => {
        head += 1n;
        if (hinted) watcher.committed(head);
      }, 5);
      const abort = new AbortController();
      const until = Date.now() + 300;
      try {
        // When subscriptions wait one after another for 300 ms
        while (Date.now() < until) await watcher.waitAfter(head, abort.signal);
      } finally {
        clearInterval(moving);
        watcher.stop();
      }
      return polls;
    };
    const unhinted = await watch(false);
    const hinted = await watch(true);
    // Then unhinted, the poll keeps up with the head; hinted, it backs off towards its longest interval
    expect(hinted * 3).toBeLessThan(unhinted);
  });

  it('subscriptions that read between their waits do not poll at every hint', async () => {
    // Given a head that moves every 5 ms, told of by a hint at each move
    let head = 0n;
    let polls = 0;
    const watcher = new HeadWatcher(
      () => {
        polls += 1;
        return Promise.resolve(head);
      },
      { minIntervalMs: 2, maxIntervalMs: 40 },
    );
    let hints = 0;
    const moving = setInterval(() => {
      head += 1n;
      hints += 1;
      watcher.committed(head);
    }, 5);
    const abort = new AbortController();
    const until = Date.now() + 300;
    try {
      // When a subscription waits, then reads for 2 ms (nobody waiting meanwhile), then waits again
      while (Date.now() < until) {
        await watcher.waitAfter(head, abort.signal);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } finally {
      clearInterval(moving);
      watcher.stop();
    }
    // Then the poll keeps its backed-off interval across the subscription's reads
    expect(hints).toBeGreaterThan(20);
    expect(polls * 2).toBeLessThan(hints);
  });

  it('hints that arrive just after a poll saw their head still count as hints', async () => {
    // Given a head that moves every 5 ms, its hint arriving 3 ms after each move
    let head = 0n;
    let polls = 0;
    const watcher = new HeadWatcher(
      () => {
        polls += 1;
        return Promise.resolve(head);
      },
      { minIntervalMs: 2, maxIntervalMs: 40 },
    );
    let moves = 0;
    const moving = setInterval(() => {
      head += 1n;
      moves += 1;
      const told = head;
      setTimeout(() => watcher.committed(told), 3);
    }, 5);
    const abort = new AbortController();
    const until = Date.now() + 300;
    try {
      // When a subscription waits again and again for 300 ms
      while (Date.now() < until) await watcher.waitAfter(head, abort.signal);
    } finally {
      clearInterval(moving);
      watcher.stop();
    }
    // Then a poll that finds a head whose hint is on its way does not bring the poll back to its shortest interval
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
