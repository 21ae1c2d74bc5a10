import { connect, createServer, type Server, type Socket } from 'node:net';
import type { PoolOptions } from 'mysql2/promise';

/**
 * A TCP proxy in front of MySQL that can cut the network the way a host crash or a partition
 * does: from the cut on, no byte passes in either direction and nothing is closed towards the
 * server, so the server keeps the sessions open and hears nothing from them, ever. (A process
 * that dies cleanly closes its sockets instead, and the server ends its sessions at once.)
 * `close()` ends every socket, after which the server ends what is left.
 */
export class PartitionProxy {
  private cut = false;
  private readonly sockets = new Set<Socket>();
  private readonly watchers: Array<{ matches: (text: string) => boolean; resolve: () => void }> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** A proxy on a free local port to the server `target` reaches (its socket path, or host and port). */
  static async start(target: PoolOptions): Promise<PartitionProxy> {
    let proxy: PartitionProxy | null = null;
    const server = createServer((client) => proxy?.pipe(client, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');
    proxy = new PartitionProxy(server, address.port);
    return proxy;
  }

  /** Connection settings that go through the proxy. */
  connection(options: PoolOptions): PoolOptions {
    return { ...options, host: '127.0.0.1', port: this.port, socketPath: undefined };
  }

  /** Cuts the network now. */
  partition(): void {
    this.cut = true;
  }

  /**
   * Cuts the network right after the server has been sent a request whose text `matches`, before
   * its answer comes back; resolves then.
   */
  partitionAfter(matches: (text: string) => boolean): Promise<void> {
    return new Promise((resolve) => this.watchers.push({ matches, resolve }));
  }

  async close(): Promise<void> {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket, target: PoolOptions): void {
    const upstream = target.socketPath
      ? connect({ path: target.socketPath })
      : connect({ host: target.host ?? '127.0.0.1', port: target.port ?? 3306 });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    }
    client.on('data', (chunk: Buffer) => {
      if (this.cut) return;
      upstream.write(chunk);
      if (this.watchers.length === 0) return;
      const text = chunk.toString('latin1');
      const watcher = this.watchers.find(({ matches }) => matches(text));
      if (!watcher) return;
      this.cut = true;
      this.watchers.splice(this.watchers.indexOf(watcher), 1);
      watcher.resolve();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.cut) client.write(chunk);
    });
    // A close passes on only while the network is up: after the cut, the server hears nothing.
    client.on('close', () => {
      if (!this.cut) upstream.destroy();
    });
    upstream.on('close', () => {
      if (!this.cut) client.destroy();
    });
  }
}
