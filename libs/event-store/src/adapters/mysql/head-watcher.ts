interface Waiter {
  after: bigint;
  wake(): void;
  fail(error: unknown): void;
}

export interface HeadWatcherOptions {
  /** First poll interval after the head moved, in ms. */
  minIntervalMs?: number;
  /** Longest poll interval while nothing happens, in ms. */
  maxIntervalMs?: number;
}

/**
 * Tells live subscriptions when the committed head has moved past their position. One poller per
 * store serves every waiting subscription, so an idle store costs one cheap query per interval,
 * not one per subscription. Appends in the same process, and hints of other processes' appends,
 * wake waiters at once; other appends are seen on the next poll. The interval shrinks while the
 * poll finds the head ahead of what it was told, and backs off while the hints keep up with it.
 */
export class HeadWatcher {
  private readonly waiters = new Set<Waiter>();
  private readonly minIntervalMs: number;
  private readonly maxIntervalMs: number;
  private polling = false;
  private stopped = false;
  private interruptSleep: (() => void) | null = null;
  private lastSeen: bigint | null = null;
  /** The newest head an append or a hint told of. */
  private told = -1n;

  constructor(
    private readonly readHead: () => Promise<bigint>,
    options: HeadWatcherOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 5;
    this.maxIntervalMs = Math.max(this.minIntervalMs, options.maxIntervalMs ?? 50);
  }

  /** Resolves once the committed head is past `after` (-1n for an empty store), or on abort. */
  waitAfter(after: bigint, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.stopped) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => waiter.wake();
      const waiter: Waiter = {
        after,
        wake: () => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (error) => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', onAbort);
          reject(error as Error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      this.startPolling();
    });
  }

  /** An append transaction in this process committed; `head` is its last position. */
  committed(head: bigint): void {
    if (head > this.told) this.told = head;
    for (const waiter of [...this.waiters]) if (head > waiter.after) waiter.wake();
  }

  stop(): void {
    this.stopped = true;
    for (const waiter of [...this.waiters]) waiter.wake();
    this.interruptSleep?.();
  }

  private startPolling(): void {
    if (this.polling || this.stopped) return;
    this.polling = true;
    void this.poll();
  }

  private async poll(): Promise<void> {
    let interval = this.minIntervalMs;
    try {
      while (this.waiters.size > 0 && !this.stopped) {
        let head: bigint;
        try {
          head = await this.readHead();
        } catch (error) {
          for (const waiter of [...this.waiters]) waiter.fail(error);
          return;
        }
        // Only a head nobody told of counts: while hints keep up, polling is the fallback.
        const moved = this.lastSeen !== null && head > this.told;
        this.lastSeen = head;
        this.committed(head);
        interval = moved ? this.minIntervalMs : Math.min(interval * 2, this.maxIntervalMs);
        if (this.waiters.size > 0) await this.sleep(interval);
      }
    } finally {
      this.polling = false;
      // A waiter may have arrived after the loop's last check.
      if (this.waiters.size > 0 && !this.stopped) this.startPolling();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.interruptSleep = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptSleep = done;
    });
  }
}
