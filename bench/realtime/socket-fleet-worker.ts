/**
 * A child process of `npm run bench -- realtime` that holds a share of the sockets: it connects
 * them with socket.io-client (namespace /realtime, `auth.token`, websocket transport), joins each to
 * its topic, and notes the receive time of every update message on the monotonic clock the bench
 * process shares. Started with fork() by socket-fleet.ts; it speaks only over IPC.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import {
  REALTIME_NAMESPACE,
  type ClientToServerEvents,
  type ConnectRefusal,
  type JoinReply,
  type RealtimeMessage,
  type ServerToClientEvents,
} from '@tracershop/realtime';
import {
  nowMs,
  topicKindCodeOf,
  type ConnectedReport,
  type FleetSummary,
  type FleetToParent,
  type ParentToFleet,
  type SocketPlan,
  type TopicKindCode,
} from './fleet-protocol';

type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const CONNECT_TIMEOUT_MS = 30_000;
const JOIN_TIMEOUT_MS = 30_000;
const FAILURES_KEPT = 10;
const RECEIPTS_PER_CHUNK = 50_000;
const PROGRESS_EVERY_MS = 500;

const sockets: RealtimeSocket[] = [];
const positions: string[] = [];
const times: number[] = [];
const topicKinds: TopicKindCode[] = [];
let measuring = false;
let snapshots = 0;
let snapshotsWhileMeasuring = 0;
let resumeRequired = 0;
let otherMessages = 0;
let disconnects = 0;
const disconnectReasons: Record<string, number> = {};
const LOOP_DELAY_RESOLUTION_MS = 10;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });

function send(message: FleetToParent): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) return reject(new Error('socket-fleet-worker runs only as a forked child'));
    process.send(message, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

/** Connects one socket and joins its topic; resolves with the join reply or throws the refusal. */
async function connectAndJoin(apiUrl: string, plan: SocketPlan): Promise<void> {
  const socket: RealtimeSocket = io(`${apiUrl}${REALTIME_NAMESPACE}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: CONNECT_TIMEOUT_MS,
    auth: { token: plan.token },
  });
  const kind = topicKindCodeOf(plan.topic);
  socket.on('message', (message: RealtimeMessage) => {
    const at = nowMs();
    if (message.type === 'order.updated' || message.type === 'ghost.updated') {
      positions.push(message.position);
      times.push(at);
      topicKinds.push(kind);
    } else if (message.type.endsWith('.snapshot')) {
      snapshots += 1;
      if (measuring) snapshotsWhileMeasuring += 1;
    } else if (message.type === 'resume.required') {
      resumeRequired += 1;
    } else {
      otherMessages += 1;
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error: Error & { data?: ConnectRefusal }) => {
      socket.close();
      reject(new Error(`connect refused: ${error.data ? `${error.data.code} ${error.data.message}` : error.message}`));
    });
  });
  sockets.push(socket);
  socket.on('disconnect', (reason) => {
    disconnects += 1;
    disconnectReasons[reason] = (disconnectReasons[reason] ?? 0) + 1;
  });
  const reply: JoinReply = await socket.timeout(JOIN_TIMEOUT_MS).emitWithAck('join', { topic: plan.topic });
  if (!reply.ok) throw new Error(`join ${plan.topic} refused: ${reply.error.code} ${reply.error.message}`);
}

async function connectAll(apiUrl: string, plans: readonly SocketPlan[], concurrency: number): Promise<void> {
  const started = nowMs();
  const joinedByTopic: Record<string, number> = {};
  const failures: string[] = [];
  const joinMs: number[] = [];
  let failureCount = 0;
  let joined = 0;
  let next = 0;
  const worker = async () => {
    while (next < plans.length) {
      const plan = plans[next++];
      const began = nowMs();
      try {
        await connectAndJoin(apiUrl, plan);
        joinMs.push(nowMs() - began);
        joined += 1;
        joinedByTopic[plan.topic] = (joinedByTopic[plan.topic] ?? 0) + 1;
      } catch (error) {
        failureCount += 1;
        if (failures.length < FAILURES_KEPT) failures.push(`${plan.topic}: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, plans.length) }, worker));
  const report: ConnectedReport = {
    kind: 'connected',
    connected: sockets.length,
    joined,
    joinedByTopic,
    snapshots,
    failures,
    failureCount,
    seconds: (nowMs() - started) / 1000,
    joinMs,
  };
  await send(report);
}

async function collect(): Promise<void> {
  loopDelay.disable();
  const total = positions.length;
  for (let from = 0; from < total; from += RECEIPTS_PER_CHUNK) {
    const to = Math.min(total, from + RECEIPTS_PER_CHUNK);
    await send({
      kind: 'receipts',
      positions: positions.slice(from, to),
      times: times.slice(from, to),
      topicKinds: topicKinds.slice(from, to),
    });
  }
  // The histogram holds whole timer intervals: the delay is what exceeds the resolution.
  const ms = (nanoseconds: number) => Math.max(0, Math.round(nanoseconds / 1e4 - LOOP_DELAY_RESOLUTION_MS * 100) / 100);
  const summary: FleetSummary = {
    kind: 'summary',
    received: total,
    snapshotsWhileMeasuring,
    resumeRequired,
    otherMessages,
    disconnects,
    disconnectReasons,
    loopDelay: {
      p50: loopDelay.count > 0 ? ms(loopDelay.percentile(50)) : 0,
      p99: loopDelay.count > 0 ? ms(loopDelay.percentile(99)) : 0,
      max: loopDelay.count > 0 ? ms(loopDelay.max) : 0,
    },
  };
  await send(summary);
}

const progress = setInterval(
  () => void send({ kind: 'progress', received: positions.length }).catch(() => {}),
  PROGRESS_EVERY_MS,
);

process.on('message', (message: ParentToFleet) => {
  switch (message.kind) {
    case 'connect':
      void connectAll(message.apiUrl, message.sockets, message.concurrency);
      return;
    case 'start':
      measuring = true;
      loopDelay.reset();
      loopDelay.enable();
      return;
    case 'collect':
      void collect();
      return;
    case 'close':
      clearInterval(progress);
      for (const socket of sockets) socket.close();
      process.disconnect?.();
      setTimeout(() => process.exit(0), 200).unref();
      return;
  }
});
// The bench process went away: nothing to report to any more.
process.on('disconnect', () => {
  for (const socket of sockets) socket.close();
  process.exit(0);
});
