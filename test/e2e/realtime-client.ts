import { io, type Socket } from 'socket.io-client';
import {
  REALTIME_NAMESPACE,
  type ClientToServerEvents,
  type ConnectRefusal,
  type JoinReply,
  type RealtimeMessage,
  type RealtimeMessageType,
  type ServerToClientEvents,
} from '@tracershop/realtime';

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Credentials {
  token?: string;
  cookie?: string;
  bearer?: string;
}

/** A connected socket.io client and every message it received, in order. */
export interface RealtimeTestClient {
  socket: RealtimeSocket;
  messages: RealtimeMessage[];
  /** A string resumes from that position; `{ afterKey }` exactly after that message. */
  join(topic: string, from?: string | { afterKey?: string; fromPosition?: string }): Promise<JoinReply>;
  /** Resolves with the first message (already received or coming) that matches. */
  next<T extends RealtimeMessageType>(
    type: T,
    match?: (message: RealtimeMessage<T>) => boolean,
    timeoutMs?: number,
  ): Promise<RealtimeMessage<T>>;
  /** Resolves when `count` messages match. */
  count(match: (message: RealtimeMessage) => boolean, count: number, timeoutMs?: number): Promise<RealtimeMessage[]>;
  disconnected(timeoutMs?: number): Promise<string>;
  close(): void;
}

function open(url: string, credentials: Credentials): RealtimeSocket {
  const extraHeaders: Record<string, string> = {};
  if (credentials.cookie) extraHeaders.cookie = `tracershop_session=${credentials.cookie}`;
  if (credentials.bearer) extraHeaders.authorization = `Bearer ${credentials.bearer}`;
  return io(`${url}${REALTIME_NAMESPACE}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: credentials.token ? { token: credentials.token } : {},
    extraHeaders,
  });
}

/** Connects; rejects with the server's refusal (`connect_error` data) when refused. */
export async function connectRealtime(url: string, credentials: Credentials): Promise<RealtimeTestClient> {
  const socket = open(url, credentials);
  const messages: RealtimeMessage[] = [];
  const waiters = new Set<() => void>();
  let disconnectReason: string | null = null;
  socket.on('disconnect', (reason) => {
    disconnectReason = reason;
  });
  socket.on('message', (message) => {
    messages.push(message);
    waiters.forEach((wake) => wake());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error: Error & { data?: ConnectRefusal }) => {
      socket.close();
      reject(Object.assign(new Error(error.message), { data: error.data }));
    });
  });
  const waitUntil = <R>(probe: () => R | undefined, timeoutMs: number, what: string) =>
    new Promise<R>((resolve, reject) => {
      const found = probe();
      if (found !== undefined) return resolve(found);
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages.map((m) => m.type))}`));
      }, timeoutMs);
      const wake = () => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(value);
      };
      waiters.add(wake);
    });
  return {
    socket,
    messages,
    join: (topic, from) =>
      socket
        .timeout(10_000)
        .emitWithAck('join', { topic, ...(typeof from === 'string' ? { fromPosition: from } : (from ?? {})) }),
    next<T extends RealtimeMessageType>(
      type: T,
      match: (message: RealtimeMessage<T>) => boolean = () => true,
      timeoutMs = 10_000,
    ) {
      const probe = () =>
        messages.find((message) => message.type === type && match(message as RealtimeMessage<T>)) as
          RealtimeMessage<T> | undefined;
      return waitUntil(probe, timeoutMs, type);
    },
    count: (match, count, timeoutMs = 15_000) =>
      waitUntil(
        () => {
          const matching = messages.filter(match);
          return matching.length >= count ? matching : undefined;
        },
        timeoutMs,
        `${count} messages`,
      ),
    disconnected: (timeoutMs = 10_000) =>
      new Promise<string>((resolve, reject) => {
        if (disconnectReason !== null) return resolve(disconnectReason);
        const timer = setTimeout(() => reject(new Error('still connected')), timeoutMs);
        socket.once('disconnect', (reason) => {
          clearTimeout(timer);
          resolve(reason);
        });
      }),
    close: () => socket.close(),
  };
}

/** The refusal a connection attempt ends with (fails the test when it connects). */
export async function refusalOf(url: string, credentials: Credentials): Promise<ConnectRefusal | undefined> {
  try {
    const client = await connectRealtime(url, credentials);
    client.close();
  } catch (error) {
    return (error as { data?: ConnectRefusal }).data;
  }
  throw new Error('the connection was accepted');
}
