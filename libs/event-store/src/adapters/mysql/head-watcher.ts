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
 * poll finds the head ahead of what it was told while no hint came for a while (hints lost), and
 * backs off while hints keep coming: a hint still on its way when the poll reads the head is not a
 * lost one. The interval outlives the waiters: subscriptions that wait, read and wait again do not
 * poll at every arrival, which under steady traffic would be a poll per hint.
 */
export class HeadWatcher {
  private readonly waiters = new Set<Waiter>();
  private readonly minIntervalMs: number;
  private readonly maxIntervalMs: number;
  private polling = false;
  private stopped = false;
  private interruptSleep: (() => void) | null = null;
  private lastSeen: bigint | null = null;
  private intervalMs: number;
  private lastPollAt = Number.NEGATIVE_INFINITY;
  /** The newest head an append or a hint told of (or a poll found). */
  private told = -1n;
  /** When an append or a hint last told of a new head. */
  private lastToldAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly readHead: () => Promise<bigint>,
    options: HeadWatcherOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 5;
    this.maxIntervalMs = Math.max(this.minIntervalMs, options.maxIntervalMs ?? 50);
    this.intervalMs = this.minIntervalMs;
  }

  /** Resolves once the committed head is past `after` (-1n for an empty store), or on abort. */
  waitAfter(after: bigint, signal: AbortSignal): Promise<void> {
    // Told of already (a hint that came during the caller's read): nothing to wait for.
    if (signal.aborted || this.stopped || this.told > after) return Promise.resolve();
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

  /** An append transaction in this process committed (or another one's hint came); `head` is its last position. */
  committed(head: bigint): void {
    if (head > this.told) this.lastToldAt = performance.now();
    this.advance(head);
  }

  private advance(head: bigint): void {
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
    try {
      while (this.waiters.size > 0 && !this.stopped) {
        const untilDue = this.lastPollAt + this.intervalMs - performance.now();
        if (untilDue > 0) {
          // A hint may wake every waiter meanwhile: then no poll is needed.
          await this.sleep(untilDue);
          continue;
        }
        let head: bigint;
        try {
          head = await this.readHead();
        } catch (error) {
          for (const waiter of [...this.waiters]) waiter.fail(error);
          return;
        } finally {
          this.lastPollAt = performance.now();
        }
        // Only a head nobody told of, with no hint for a while, counts: while hints come, polling is the fallback.
        const untold = head > this.told && performance.now() - this.lastToldAt > this.maxIntervalMs;
        const moved = this.lastSeen !== null && untold;
        this.lastSeen = head;
        this.advance(head);
        this.intervalMs = moved ? this.minIntervalMs : Math.min(this.intervalMs * 2, this.maxIntervalMs);
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
