import type { INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import type { Server, ServerOptions } from 'socket.io';
import type { TracershopConfig } from '@tracershop/config';

/** The pub/sub channel prefix: one per deployment (its databases), so test runs never cross-talk. */
export const realtimeChannelKey = (config: TracershopConfig) => `tracershop:${config.databases.record}:socket.io`;

/** What a client may send in one packet: joins and leaves are small. */
const MAX_CLIENT_PACKET_BYTES = 16 * 1024;

/**
 * Socket.IO with the Redis adapter: what one api instance emits to its namespace's other servers
 * (`serverSideEmit`) reaches every instance of the deployment. Sockets are closed with the app;
 * the http server is left to Nest/Fastify, which own it.
 */
export class RealtimeIoAdapter extends IoAdapter {
  private readonly servers = new Set<Server>();
  private readonly clients: Redis[] = [];

  constructor(
    app: INestApplication,
    private readonly config: TracershopConfig,
    private readonly logger: Logger,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      serveClient: false,
      maxHttpBufferSize: MAX_CLIENT_PACKET_BYTES,
    } as ServerOptions) as Server;
    const pub = new Redis(this.config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) {
      client.on('error', (error: unknown) => this.logger.warn({ err: error }, 'realtime: Redis adapter connection'));
      this.clients.push(client);
    }
    server.adapter(createAdapter(pub, sub, { key: realtimeChannelKey(this.config), requestsTimeout: 5_000 }));
    this.servers.add(server);
    return server;
  }

  override async close(server: unknown): Promise<void> {
    const io = this.servers.has(server as Server) ? (server as Server) : null;
    if (!io) return;
    this.servers.delete(io);
    // Every client of every namespace; the http server stays open for Fastify to close.
    io.engine.close();
  }

  override async dispose(): Promise<void> {
    for (const io of this.servers) io.engine.close();
    this.servers.clear();
    await Promise.allSettled(this.clients.map((client) => client.quit()));
    this.clients.splice(0).forEach((client) => client.disconnect());
  }
}

/** Installs the realtime adapter; call before `init`/`listen`. */
export function useRealtimeAdapter(app: INestApplication, config: TracershopConfig, logger: Logger): void {
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config, logger));
}
