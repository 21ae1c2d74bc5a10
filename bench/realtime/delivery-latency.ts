import { percentile } from '../bench-report';
import { TOPIC_KIND_CODES, type TopicKindCode } from './fleet-protocol';
import type { SteadyRunResult } from './steady-load';

export interface Receipts {
  positions: string[];
  times: number[];
  topicKinds: TopicKindCode[];
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface CommandSummary {
  /** Commands the schedule wanted in the measured window (sent or skipped). */
  scheduled: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  skipped: number;
  statusCodes: Record<string, number>;
  byKind: Record<string, number>;
  /** 2xx answers that appended more than one event (their earlier events' messages do not match). */
  multiEvent: number;
  /** 2xx answers without a position (nothing appended: an idempotent repeat). */
  withoutPosition: number;
  firstFailures: string[];
  seconds: number;
  okPerSecond: number;
  /** Send → answer, every answer (2xx or not). */
  latency: LatencySummary;
  /** Schedule → send: how late the load generator sent. */
  sendLag: LatencySummary;
}

export interface DeliverySummary {
  /** Sockets subscribed to the topics of the measured 2xx commands, summed: what should arrive. */
  expected: number;
  /** Update messages matched to a measured 2xx command by position. */
  delivered: number;
  /** Matched to a warm-up command: left out. */
  warmup: number;
  /** Whose position is no command's position. */
  unmatched: number;
  /** Measured 2xx commands whose topics have sockets but none of which received a message. */
  commandsWithoutDelivery: number;
  /** Deliveries that arrived before the HTTP answer (negative latency; the append was already done). */
  beforeAnswer: number;
  /** Every update message received while commands were sent, per second of the window. */
  messagesPerSecond: number;
  /** Matched deliveries per second, from the window's start to the last matched delivery. */
  matchedPerSecond: number;
  windowSeconds: number;
  /** From the window's start to the last matched delivery. */
  deliverySeconds: number;
  /** Last matched delivery after the last command was scheduled, in ms. */
  drainMs: number;
  /** HTTP answer (the append is done) → the socket received the message: the first socket per command. */
  firstDelivery: LatencySummary;
  /** HTTP answer → every socket's receipt. */
  everyDelivery: LatencySummary;
  everyDeliveryByTopic: Record<'production-day' | 'customer', LatencySummary>;
  /** Command sent → first socket's receipt (an upper bound that includes the command's own time). */
  firstDeliveryFromSend: LatencySummary;
}

const FAILURES_KEPT = 5;

export function summarise(samples: number[]): LatencySummary {
  const round = (value: number) => Math.round(value * 100) / 100;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const sample of samples) {
    if (sample > max) max = sample;
    sum += sample;
  }
  return {
    count: samples.length,
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    p99: round(percentile(samples, 99)),
    max: samples.length ? round(max) : 0,
    mean: samples.length ? round(sum / samples.length) : 0,
  };
}

export function summariseCommands(run: SteadyRunResult): CommandSummary {
  const measured = run.outcomes.filter((outcome) => outcome.measured);
  const statusCodes: Record<string, number> = {};
  const byKind: Record<string, number> = {};
  const firstFailures: string[] = [];
  let ok = 0;
  let errors = 0;
  let multiEvent = 0;
  let withoutPosition = 0;
  let lastAnswer = run.windowStart;
  for (const outcome of measured) {
    lastAnswer = Math.max(lastAnswer, outcome.answeredAt);
    byKind[outcome.kind] = (byKind[outcome.kind] ?? 0) + 1;
    if (outcome.status === 0) errors += 1;
    else statusCodes[outcome.status] = (statusCodes[outcome.status] ?? 0) + 1;
    if (outcome.status >= 200 && outcome.status < 300) {
      ok += 1;
      if (outcome.events > 1) multiEvent += 1;
      if (outcome.position === null) withoutPosition += 1;
    } else if (outcome.failure && firstFailures.length < FAILURES_KEPT) {
      firstFailures.push(outcome.failure);
    }
  }
  const seconds = Math.max(lastAnswer - run.windowStart, 1) / 1000;
  return {
    scheduled: measured.length + run.skipped,
    sent: measured.length,
    ok,
    non2xx: measured.length - ok - errors,
    errors,
    skipped: run.skipped,
    statusCodes,
    byKind,
    multiEvent,
    withoutPosition,
    firstFailures,
    seconds: Math.round(seconds * 1000) / 1000,
    okPerSecond: Math.round(ok / seconds),
    latency: summarise(
      measured.filter((outcome) => outcome.status !== 0).map((outcome) => outcome.answeredAt - outcome.sentAt),
    ),
    sendLag: summarise(measured.map((outcome) => outcome.sentAt - outcome.scheduledAt)),
  };
}

/**
 * Matches every received update message to the command whose answer carried its position
 * (`message.position === answer.position`) and measures from that answer: the append is stored
 * by then, so answer → receipt is the append → delivery time (a little less: the append happened
 * before the answer left the api).
 */
export function matchDeliveries(
  run: SteadyRunResult,
  receipts: Receipts,
  joinedByTopic: Record<string, number>,
): DeliverySummary {
  interface Tracked {
    answeredAt: number;
    sentAt: number;
    measured: boolean;
    first: number;
  }
  const byPosition = new Map<string, Tracked>();
  let expected = 0;
  for (const outcome of run.outcomes) {
    if (outcome.position === null || outcome.status < 200 || outcome.status >= 300) continue;
    byPosition.set(outcome.position, {
      answeredAt: outcome.answeredAt,
      sentAt: outcome.sentAt,
      measured: outcome.measured,
      first: Number.POSITIVE_INFINITY,
    });
    if (outcome.measured) expected += outcome.topics.reduce((sum, topic) => sum + (joinedByTopic[topic] ?? 0), 0);
  }
  const every: number[] = [];
  const byTopic = { 'production-day': [] as number[], customer: [] as number[] };
  let warmup = 0;
  let unmatched = 0;
  let beforeAnswer = 0;
  let inWindow = 0;
  let lastMatched = run.windowEnd;
  for (let index = 0; index < receipts.positions.length; index += 1) {
    const at = receipts.times[index];
    if (at >= run.windowStart && at <= run.windowEnd) inWindow += 1;
    const command = byPosition.get(receipts.positions[index]);
    if (!command) {
      unmatched += 1;
      continue;
    }
    if (!command.measured) {
      warmup += 1;
      continue;
    }
    const latency = at - command.answeredAt;
    if (latency < 0) beforeAnswer += 1;
    every.push(latency);
    const kind = receipts.topicKinds[index];
    if (kind === TOPIC_KIND_CODES['production-day']) byTopic['production-day'].push(latency);
    else if (kind === TOPIC_KIND_CODES.customer) byTopic.customer.push(latency);
    if (at < command.first) command.first = at;
    if (at > lastMatched) lastMatched = at;
  }
  const firsts: number[] = [];
  const firstsFromSend: number[] = [];
  let commandsWithoutDelivery = 0;
  for (const outcome of run.outcomes) {
    if (!outcome.measured || outcome.position === null || outcome.status < 200 || outcome.status >= 300) continue;
    const command = byPosition.get(outcome.position);
    if (!command) continue;
    if (Number.isFinite(command.first)) {
      firsts.push(command.first - command.answeredAt);
      firstsFromSend.push(command.first - command.sentAt);
    } else if (outcome.topics.some((topic) => (joinedByTopic[topic] ?? 0) > 0)) {
      commandsWithoutDelivery += 1;
    }
  }
  const windowSeconds = Math.max(run.windowEnd - run.windowStart, 1) / 1000;
  const deliverySeconds = Math.max(lastMatched - run.windowStart, 1) / 1000;
  return {
    expected,
    delivered: every.length,
    warmup,
    unmatched,
    commandsWithoutDelivery,
    beforeAnswer,
    messagesPerSecond: Math.round(inWindow / windowSeconds),
    matchedPerSecond: Math.round(every.length / deliverySeconds),
    windowSeconds: Math.round(windowSeconds * 1000) / 1000,
    deliverySeconds: Math.round(deliverySeconds * 1000) / 1000,
    drainMs: Math.round(lastMatched - run.windowEnd),
    firstDelivery: summarise(firsts),
    everyDelivery: summarise(every),
    everyDeliveryByTopic: {
      'production-day': summarise(byTopic['production-day']),
      customer: summarise(byTopic.customer),
    },
    firstDeliveryFromSend: summarise(firstsFromSend),
  };
}
