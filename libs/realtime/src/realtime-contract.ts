/**
 * What the realtime gateway and its clients say to each other, declared once: the server, the
 * browser board and the tests compile against these types, so a message type or a payload field
 * cannot drift between them (the seed system's swapped string constants could).
 */

/** A stream of messages a client may join; authorisation is per topic kind. */
export type Topic =
  | `production-day:${string}`
  | `customer:${string}`
  | `order-session:${string}`
  | `job:${string}`
  | 'projection-status'
  | 'incidents';

export const topicKinds = [
  'production-day',
  'customer',
  'order-session',
  'job',
  'projection-status',
  'incidents',
] as const;
export type TopicKind = (typeof topicKinds)[number];

/** An order as dashboards show it: computed on the server from the stored events, never in the browser. */
export interface LiveOrder {
  orderId: string;
  kind: 'activity' | 'injection';
  customerId: string;
  endpointId: string;
  tracerId: string;
  deliveryDate: string;
  status: 'ordered' | 'accepted' | 'released' | 'rejected' | 'cancelled';
  /** Legacy code: 1 ordered, 2 accepted, 3 released, 4 rejected or cancelled. */
  statusCode: 1 | 2 | 3 | 4;
  /** Ordered slot (activity orders). */
  slotId: string | null;
  /** The slot that delivers it: the moved-to slot, else the ordered slot. */
  activeSlotId: string | null;
  /** Ordered delivery time (`HH:MM`). */
  deliveryTime: string;
  activeDeliveryTime: string | null;
  runNumber: number | null;
  /** Ordered MBq at the ordered slot's time, without overhead. */
  activityMBq: number | null;
  /** What the active slot must deliver for it: decay-corrected, with overhead. */
  servedMBq: number | null;
  moved: boolean;
  injections: number | null;
  usage: 'human' | 'animal' | 'other' | null;
  releaseId: string | null;
  lot: string | null;
  comment: string | null;
}

/** A ghost order: the artificial host of a slot that serves moved-in orders but has none of its own. */
export interface LiveGhost {
  ghostId: string;
  slotId: string;
  customerId: string;
  endpointId: string;
  tracerId: string;
  deliveryDate: string;
  deliveryTime: string;
  runNumber: number;
  /** `dead` once dissolved: it held neither ordered nor delivered activity. */
  status: 'active' | 'dead';
}

/** A signed review of a delivery day's audit trail (GMP): what QA screens of the day show. */
export interface LiveReview {
  reviewId: string;
  recordStreamId: string;
  endpointId: string;
  deliveryDate: string;
  fromRevision: number;
  throughRevision: number;
  conclusion: 'acceptable' | 'not-acceptable';
  exceptionCount: number;
  reviewer: string;
  reviewedAt: string;
}

/** An incident (GMP: what went wrong, raised once, closed by a person with its root cause). */
export interface LiveIncident {
  incidentId: string;
  kind: 'integrity-check-failed' | 'account-locked-out' | 'projection-stopped';
  status: 'open' | 'closed';
  summary: string;
  raisedAt: string;
  raisedBy: string;
  closedAt: string | null;
  closedBy: string | null;
}

export interface ProjectionStatusView {
  name: string;
  state: string;
  position: string | null;
  lagEvents: number | null;
  failure: { position: string; eventId: string; message: string } | null;
}

/** Payload of each message type; snapshots and updates travel in the same envelope. */
export interface RealtimePayloads {
  'production-day.snapshot': { date: string; orders: LiveOrder[]; ghosts: LiveGhost[] };
  'customer.snapshot': { customerId: string; orders: LiveOrder[] };
  'order-session.snapshot': { sessionId: string; state: unknown };
  'job.snapshot': { jobId: string; state: unknown };
  'projection-status.snapshot': { projections: ProjectionStatusView[] };
  /** The incidents open at the snapshot's position. */
  'incidents.snapshot': { incidents: LiveIncident[] };
  'order.updated': { order: LiveOrder };
  'ghost.updated': { ghost: LiveGhost };
  'record.reviewed': { review: LiveReview };
  'projection-status.updated': { projection: ProjectionStatusView };
  /** Raised or closed. */
  'incident.updated': { incident: LiveIncident };
  /**
   * The client fell too far behind: it should leave and join again with `afterKey` (the key of the
   * last message it was sent). `fromPosition` is that message's position, which skips the rest of
   * its event: kept for clients that resume by position only.
   */
  'resume.required': { fromPosition: string; afterKey: string; reason: 'too_far_behind' };
  /**
   * The join named a place older than the message log still holds (it is pruned after
   * `REALTIME_LOG_RETENTION_HOURS`): resuming would leave a gap, so the topic's snapshot follows at
   * once, then live messages. The client replaces its state with that snapshot.
   */
  'resume.expired': { afterKey: string; prunedThrough: string; reason: 'log_pruned' };
}

export type RealtimeMessageType = keyof RealtimePayloads;

export interface RealtimeMessage<T extends RealtimeMessageType = RealtimeMessageType> {
  type: T;
  topic: Topic;
  /** Global position of the event the message comes from (of the snapshot, for snapshots). */
  position: string;
  /**
   * Where the message stands in the topic's order: `<position>#<seq>` for a logged message (`seq`
   * orders the messages of one event), the bare position for a snapshot. Keep the last one per
   * topic and resume with `afterKey`: exact, also between two messages of one event.
   */
  key: string;
  payload: RealtimePayloads[T];
}

/** Every message type, for exhaustive handling and tests; the Record makes a missing one a compile error. */
const messageTypeSet: Readonly<Record<RealtimeMessageType, true>> = {
  'production-day.snapshot': true,
  'customer.snapshot': true,
  'order-session.snapshot': true,
  'job.snapshot': true,
  'projection-status.snapshot': true,
  'incidents.snapshot': true,
  'order.updated': true,
  'ghost.updated': true,
  'record.reviewed': true,
  'projection-status.updated': true,
  'incident.updated': true,
  'resume.required': true,
  'resume.expired': true,
};
export const realtimeMessageTypes = Object.keys(messageTypeSet) as RealtimeMessageType[];

/**
 * Client → server. Without `afterKey` or `fromPosition`: a snapshot first, then live. With one of
 * them (not both): what the log holds after it for the topic, then live; or `resume.expired` and a
 * snapshot when the log no longer reaches back that far.
 */
export interface JoinRequest {
  topic: string;
  /** Resume after every message of this position (a whole event). */
  fromPosition?: string;
  /** Resume exactly after the message with this `key`: the last one the client received. */
  afterKey?: string;
}

export type JoinReply =
  { ok: true; topic: Topic } | { ok: false; topic: string; error: { code: string; message: string } };

export interface ClientToServerEvents {
  join: (request: JoinRequest, ack: (reply: JoinReply) => void) => void;
  leave: (request: { topic: string }, ack: (reply: { ok: boolean }) => void) => void;
}

export interface ServerToClientEvents {
  message: (message: RealtimeMessage) => void;
}

/** The Socket.IO namespace of the gateway. */
export const REALTIME_NAMESPACE = '/realtime';

/**
 * Why a join (or, in `connect_error.data.code`, a connection) was refused. Authentication codes of
 * the HTTP API (`UNAUTHENTICATED`, `SESSION_ENDED`, `SESSION_IDLE`, `API_TOKEN_REVOKED` …) pass
 * through unchanged.
 */
export const realtimeErrorCodes = [
  'UNAUTHENTICATED',
  'PASSWORD_CHANGE_REQUIRED',
  'UNKNOWN_TOPIC',
  'UNAUTHORISED_TOPIC',
  'INVALID_POSITION',
  'INVALID_REQUEST',
  'TOO_MANY_TOPICS',
  'RATE_LIMITED',
  'UNAVAILABLE',
] as const;
export type RealtimeErrorCode = (typeof realtimeErrorCodes)[number];

/** What `connect_error` carries in `data` when the server refuses a connection. */
export interface ConnectRefusal {
  code: string;
  message: string;
}
