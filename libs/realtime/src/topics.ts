import type { Topic, TopicKind } from './realtime-contract';

/** A topic split into its kind and key (`production-day:2026-03-02` → production-day, 2026-03-02). */
export type ParsedTopic =
  | { kind: 'production-day'; topic: Topic; date: string }
  | { kind: 'customer'; topic: Topic; customerId: string }
  | { kind: 'order-session'; topic: Topic; sessionId: string }
  | { kind: 'job'; topic: Topic; jobId: string }
  | { kind: 'projection-status'; topic: Topic }
  | { kind: 'incidents'; topic: Topic };

export type TopicParse = { ok: true; parsed: ParsedTopic } | { ok: false; code: 'UNKNOWN_TOPIC'; message: string };

/** Longest topic accepted: a kind, a colon and an id of at most 128 characters. */
export const MAX_TOPIC_LENGTH = 160;
/** Ids as the domain writes them (catalogue, identity and job ids). */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

const unknown = (message: string): TopicParse => ({ ok: false, code: 'UNKNOWN_TOPIC', message });

/** Parses and validates a topic a client asked for; the reason says what is wrong with it. */
export function parseTopic(raw: unknown): TopicParse {
  if (typeof raw !== 'string' || raw.length === 0) return unknown('The topic must be a non-empty string');
  if (raw.length > MAX_TOPIC_LENGTH) return unknown(`The topic is longer than ${MAX_TOPIC_LENGTH} characters`);
  if (raw === 'projection-status') return { ok: true, parsed: { kind: 'projection-status', topic: raw } };
  if (raw === INCIDENTS_TOPIC) return { ok: true, parsed: { kind: 'incidents', topic: raw } };
  const colon = raw.indexOf(':');
  const kind = colon < 0 ? raw : raw.slice(0, colon);
  const key = colon < 0 ? '' : raw.slice(colon + 1);
  const topic = raw as Topic;
  switch (kind as TopicKind) {
    case 'production-day':
      if (!isCalendarDate(key)) return unknown('production-day:<date> needs a calendar date, YYYY-MM-DD');
      return { ok: true, parsed: { kind: 'production-day', topic, date: key } };
    case 'customer':
      if (!ID.test(key)) return unknown('customer:<id> needs a customer id');
      return { ok: true, parsed: { kind: 'customer', topic, customerId: key } };
    case 'order-session':
      if (!ID.test(key)) return unknown('order-session:<id> needs an order session id');
      return { ok: true, parsed: { kind: 'order-session', topic, sessionId: key } };
    case 'job':
      if (!ID.test(key)) return unknown('job:<id> needs a job id');
      return { ok: true, parsed: { kind: 'job', topic, jobId: key } };
    default:
      return unknown(
        `No topic ${JSON.stringify(raw.slice(0, 40))}: use production-day:<date>, customer:<id>, ` +
          'order-session:<id>, job:<id>, projection-status or incidents',
      );
  }
}

export const productionDayTopic = (date: string): Topic => `production-day:${date}`;
export const INCIDENTS_TOPIC = 'incidents' satisfies Topic;
export const customerTopic = (customerId: string): Topic => `customer:${customerId}`;
