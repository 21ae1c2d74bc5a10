import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type {
  ConnectedReport,
  FleetSummary,
  FleetToParent,
  ParentToFleet,
  ReceiptChunk,
  SocketPlan,
  TopicKindCode,
} from './fleet-protocol';

const WORKER = join(__dirname, 'socket-fleet-worker.ts');
const CONNECT_TIMEOUT_MS = 180_000;
const COLLECT_TIMEOUT_MS = 120_000;
const CLOSE_TIMEOUT_MS = 5_000;

/** Every update message one child received, and what it says about itself. */
export interface FleetReceipts {
  positions: string[];
  times: number[];
  topicKinds: TopicKindCode[];
  summary: FleetSummary;
}

/**
 * One child process holding a share of the sockets (socket-fleet-worker.ts, run by the same tsx as
 * the bench: fork() passes the loader flags on), so the clients' JSON parsing and event loops do
 * not share the load generator's.
 */
export class SocketFleet {
  /** Update messages received so far (the child reports it every half second). */
  received = 0;
  private readonly listeners = new Set<(message: FleetToParent) => void>();
  private exited = false;
  private readonly exit: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: FleetToParent) => {
      if (message.kind === 'progress') this.received = message.received;
      for (const listener of [...this.listeners]) listener(message);
    });
    this.exit = new Promise((resolve) => {
      child.on('exit', () => {
        this.exited = true;
        resolve();
      });
    });
  }

  static start(name: string): SocketFleet {
    const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    return new SocketFleet(name, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private send(message: ParentToFleet): void {
    if (this.exited) throw new Error(`${this.name} exited`);
    this.child.send(message);
  }

  /** Waits for messages until `take` returns true for one; rejects on timeout or when the child exits. */
  private until(take: (message: FleetToParent) => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        if (error) reject(error);
        else resolve();
      };
      const listener = (message: FleetToParent) => {
        if (take(message)) finish();
      };
      const timer = setTimeout(() => finish(new Error(`${this.name}: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      this.listeners.add(listener);
      void this.exit.then(() => finish(new Error(`${this.name} exited before ${what}`)));
    });
  }

  async connect(apiUrl: string, sockets: SocketPlan[], concurrency: number): Promise<ConnectedReport> {
    let report: ConnectedReport | null = null;
    const done = this.until(
      (message) => {
        if (message.kind !== 'connected') return false;
        report = message;
        return true;
      },
      CONNECT_TIMEOUT_MS,
      'connected report',
    );
    this.send({ kind: 'connect', apiUrl, sockets, concurrency });
    await done;
    return report as unknown as ConnectedReport;
  }

  startWindow(): void {
    this.send({ kind: 'start' });
  }

  async collect(): Promise<FleetReceipts> {
    const chunks: ReceiptChunk[] = [];
    let summary: FleetSummary | null = null;
    const done = this.until(
      (message) => {
        if (message.kind === 'receipts') chunks.push(message);
        if (message.kind !== 'summary') return false;
        summary = message;
        return true;
      },
      COLLECT_TIMEOUT_MS,
      'receipts',
    );
    this.send({ kind: 'collect' });
    await done;
    return {
      positions: chunks.flatMap((chunk) => chunk.positions),
      times: chunks.flatMap((chunk) => chunk.times),
      topicKinds: chunks.flatMap((chunk) => chunk.topicKinds),
      summary: summary as unknown as FleetSummary,
    };
  }

  /** Closes the sockets and ends the child (SIGKILL when it takes too long); safe to call twice. */
  async close(): Promise<void> {
    if (this.exited) return;
    try {
      this.send({ kind: 'close' });
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
    await this.exit;
    clearTimeout(timer);
  }
}
