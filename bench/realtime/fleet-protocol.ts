/**
 * What the bench process and its socket-fleet child processes say to each other over IPC, and the
 * clock they share: `process.hrtime` is the machine's monotonic clock (CLOCK_MONOTONIC on Linux),
 * the same in every process, so a receive time taken in a child compares with an HTTP answer time
 * taken in the bench process.
 */

/** Milliseconds on the machine's monotonic clock, microsecond resolution. */
export const nowMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

/** One socket a child opens: whose credential and which topic it joins. */
export interface SocketPlan {
  token: string;
  topic: string;
}

/** Topic kinds in the receipts, as small numbers. */
export const TOPIC_KIND_CODES = { 'production-day': 0, customer: 1, other: 2 } as const;
export type TopicKindCode = (typeof TOPIC_KIND_CODES)[keyof typeof TOPIC_KIND_CODES];

export const topicKindCodeOf = (topic: string): TopicKindCode =>
  topic.startsWith('production-day:')
    ? TOPIC_KIND_CODES['production-day']
    : topic.startsWith('customer:')
      ? TOPIC_KIND_CODES.customer
      : TOPIC_KIND_CODES.other;

export type ParentToFleet =
  | { kind: 'connect'; apiUrl: string; sockets: SocketPlan[]; concurrency: number }
  /** The measured window starts: the event-loop delay histogram starts afresh. */
  | { kind: 'start' }
  /** Send every update message received so far (in chunks), then a summary. */
  | { kind: 'collect' }
  | { kind: 'close' };

export interface ConnectedReport {
  kind: 'connected';
  connected: number;
  joined: number;
  /** Sockets joined per topic (the expected deliveries of a message on that topic). */
  joinedByTopic: Record<string, number>;
  snapshots: number;
  /** The first few refusals and failed joins. */
  failures: string[];
  failureCount: number;
  seconds: number;
  /** Connect-and-join time per socket, in ms. */
  joinMs: number[];
}

/** Update messages (`order.updated`, `ghost.updated`) as they arrived: parallel arrays. */
export interface ReceiptChunk {
  kind: 'receipts';
  positions: string[];
  times: number[];
  topicKinds: TopicKindCode[];
}

export interface FleetSummary {
  kind: 'summary';
  received: number;
  snapshotsWhileMeasuring: number;
  resumeRequired: number;
  otherMessages: number;
  disconnects: number;
  disconnectReasons: Record<string, number>;
  /** Event-loop delay of the child during the measured window, in ms. */
  loopDelay: { p50: number; p99: number; max: number };
}

export type FleetToParent =
  | ConnectedReport
  /** Sent every half second: update messages received so far. */
  | { kind: 'progress'; received: number }
  | ReceiptChunk
  | FleetSummary;
