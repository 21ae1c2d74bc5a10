import {
  type sendUnaryData,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import type { Empty } from '@eventstore/db-client/generated/shared_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { InMemoryLog } from '@tracershop/event-store/adapters/memory/in-memory-log';
import { StreamsHandlers } from './streams-service';
import type { WireLog, WirePayload } from './wire-records';

export interface EsdbWireServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * Offer `Streams/BatchAppend` (the client's default append path against real servers). Off, the
   * client falls back to `Streams/Append`. Default true.
   */
  batchAppend?: boolean;
  /**
   * The largest append accepted, summed over its events as EventStoreDB measures them (data +
   * metadata bytes + 2 per type character): its `MaxAppendSize` (`EVENTSTORE_MAX_APPEND_SIZE`).
   * Default 1 MiB, EventStoreDB's own default.
   */
  maxAppendBytes?: number;
}

/** EventStoreDB's default `MaxAppendSize`. */
export const DEFAULT_MAX_APPEND_BYTES = 1024 * 1024;

export interface EsdbWireServer {
  /** Connection string for `EventStoreDBClient.connectionString`. */
  url: string;
  port: number;
  /** The server's storage, for tests that inspect or tamper with stored records. */
  log: WireLog;
  /** Subscriptions the server is still serving (cancelled ones are gone). */
  openSubscriptions(): number;
  /** Stops the server; running subscriptions end with an error on the client side. */
  close(): Promise<void>;
}

/** The client's own receive limit, so anything it may send is accepted. */
const MAX_MESSAGE_BYTES = 17 * 1024 * 1024;

/** Reported as the server version; the client only logs it. */
const SERVER_VERSION = '23.10.0-wire-test';

/**
 * A gRPC server that speaks enough of the EventStoreDB protocol for `@eventstore/db-client`:
 * Streams Append/BatchAppend/Read (count and subscription) and ServerFeatures. Every other
 * service and method answers UNIMPLEMENTED. It listens on 127.0.0.1 only, without TLS.
 */
export async function startEsdbWireServer(options: EsdbWireServerOptions = {}): Promise<EsdbWireServer> {
  const log: WireLog = new InMemoryLog<WirePayload>();
  const streams = new StreamsHandlers(log, options.maxAppendBytes ?? DEFAULT_MAX_APPEND_BYTES);
  const batchAppend = options.batchAppend ?? true;
  const implemented: UntypedServiceImplementation = { read: streams.read, append: streams.append };
  if (batchAppend) implemented.batchAppend = streams.batchAppend;

  // EventStoreDB accepts events up to 16 MiB; grpc-js would refuse anything over 4 MiB by default.
  const server = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES });
  // Methods left out of the implementation answer UNIMPLEMENTED.
  server.addService(StreamsService, implemented);
  const supported = supportedMethods([
    StreamsService.read.path,
    StreamsService.append.path,
    ...(batchAppend ? [StreamsService.batchAppend.path] : []),
    ServerFeaturesService.getSupportedMethods.path,
  ]);
  server.addService(ServerFeaturesService, {
    getSupportedMethods: (_call: ServerUnaryCall<Empty, SupportedMethods>, callback: sendUnaryData<SupportedMethods>) =>
      callback(null, supported),
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${options.port ?? 0}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  return {
    url: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    log,
    openSubscriptions: () => streams.openSubscriptions,
    close() {
      streams.abortAll();
      // Live subscriptions never finish on their own, so a graceful shutdown would wait forever.
      server.forceShutdown();
      return Promise.resolve();
    },
  };
}

/** The `GetSupportedMethods` answer, built from gRPC paths of the form `/<service>/<method>`. */
function supportedMethods(paths: string[]): SupportedMethods {
  const reply = new SupportedMethods();
  reply.setEventStoreServerVersion(SERVER_VERSION);
  for (const path of paths) {
    const [, serviceName, methodName] = path.split('/');
    const method = new SupportedMethod();
    method.setServiceName(serviceName);
    method.setMethodName(methodName);
    reply.addMethods(method);
  }
  return reply;
}
