import type { RealtimeMessage } from './realtime-contract';

/**
 * The bound on what one client may have queued on the server. Socket.IO queues what the transport
 * cannot write yet without limit; the outbox looks at that queue (`backlog`) before every write and
 * refuses once it holds `limit` packets, so a slow client costs at most `limit` messages of memory
 * and never slows the others (writes never wait). A refused socket is told `resume.required` with
 * its last delivered position and disconnected (see the gateway).
 */
export class SocketOutbox {
  private overflowed = false;

  constructor(
    private readonly backlog: () => number,
    private readonly write: (message: RealtimeMessage) => void,
    readonly limit: number,
  ) {}

  /** True once the client fell behind: nothing more is written. */
  get isOverflowed(): boolean {
    return this.overflowed;
  }

  /** Writes unless the client is too far behind; false (and overflowed from now on) otherwise. */
  offer(message: RealtimeMessage): boolean {
    if (this.overflowed) return false;
    if (this.backlog() >= this.limit) {
      this.overflowed = true;
      return false;
    }
    this.write(message);
    return true;
  }

  /** Whether a long catch-up should wait for the client before writing its next page. */
  shouldPause(): boolean {
    return this.backlog() >= Math.max(1, Math.floor(this.limit / 2));
  }

  /** The last word to an overflowed client; bypasses the bound (one packet per topic). */
  writeFinal(message: RealtimeMessage): void {
    this.write(message);
  }
}
