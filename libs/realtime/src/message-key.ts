import type { RealtimeErrorCode } from './realtime-contract';

/**
 * Where a logged message stands in the global order: the position of the event it comes from
 * (commit and prepare, as `Position` has them) and its index among that event's messages. Keys sort
 * like the events, and messages of one event in the order the projection wrote them.
 */
export interface MessageKey {
  commit: bigint;
  prepare: bigint;
  seq: number;
}

/** A `seq` after every message of its position: the key of "everything at this position was sent". */
export const AFTER_POSITION_SEQ = 2 ** 31 - 1;

/** Before every message (`Position.START` is -1/-1). */
export const START_KEY: MessageKey = { commit: -1n, prepare: -1n, seq: AFTER_POSITION_SEQ };

export function compareKeys(a: MessageKey, b: MessageKey): -1 | 0 | 1 {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** `Position.toString()` of the key's position: `start`, `<commit>` or `<commit>/<prepare>`. */
export function positionTextOf(key: MessageKey): string {
  if (key.commit < 0n) return 'start';
  return key.commit === key.prepare ? `${key.commit}` : `${key.commit}/${key.prepare}`;
}

/** The key after every message at a serialised position; null when the text is no position. */
export function keyAfterPositionText(text: string): MessageKey | null {
  if (text === 'start') return START_KEY;
  const match = /^(\d{1,20})(?:\/(\d{1,20}))?$/.exec(text);
  if (!match) return null;
  const commit = BigInt(match[1]);
  const prepare = match[2] === undefined ? commit : BigInt(match[2]);
  if (commit > 2n ** 63n - 1n || prepare > 2n ** 63n - 1n) return null;
  return { commit, prepare, seq: AFTER_POSITION_SEQ };
}

/**
 * The text form of a key, as messages carry it (`RealtimeMessage.key`) and a join names it
 * (`JoinRequest.afterKey`): `<position>#<seq>` for one logged message, the bare position for "after
 * every message of the position" (snapshots, and what `fromPosition` means).
 */
export function messageKeyText(key: MessageKey): string {
  const position = positionTextOf(key);
  return key.seq === AFTER_POSITION_SEQ || key.commit < 0n ? position : `${position}#${key.seq}`;
}

/** Parses `messageKeyText`'s form; null when the text is no key. */
export function parseMessageKeyText(text: string): MessageKey | null {
  const hash = text.indexOf('#');
  if (hash < 0) return keyAfterPositionText(text);
  const after = keyAfterPositionText(text.slice(0, hash));
  const seqText = text.slice(hash + 1);
  if (!after || after.commit < 0n || !/^\d{1,10}$/.test(seqText)) return null;
  const seq = Number(seqText);
  if (seq > AFTER_POSITION_SEQ) return null;
  return { ...after, seq };
}

/** JSON-safe form of a key (bigints as decimal strings), for Redis and logs. */
export interface WireKey {
  commit: string;
  prepare: string;
  seq: number;
}

export const toWireKey = (key: MessageKey): WireKey => ({
  commit: key.commit.toString(),
  prepare: key.prepare.toString(),
  seq: key.seq,
});

export const fromWireKey = (key: WireKey): MessageKey => ({
  commit: BigInt(key.commit),
  prepare: BigInt(key.prepare),
  seq: key.seq,
});

/** Where a join resumes from, or why it cannot (a `JoinRequest`'s `afterKey` / `fromPosition`). */
export type ResumeFrom =
  | { ok: true; from: MessageKey | null }
  | { ok: false; code: Extract<RealtimeErrorCode, 'INVALID_REQUEST' | 'INVALID_POSITION'>; message: string };

/**
 * Where a join resumes: exactly after the message `afterKey` names, after every message of
 * `fromPosition` (a whole event), or nowhere (`from: null`: a snapshot). Not both.
 */
export function parseResumeRequest(request: { fromPosition?: unknown; afterKey?: unknown }): ResumeFrom {
  const given = (value: unknown) => value !== undefined && value !== null;
  if (given(request.afterKey) && given(request.fromPosition)) {
    return { ok: false, code: 'INVALID_REQUEST', message: 'Send afterKey or fromPosition, not both' };
  }
  if (given(request.afterKey)) {
    const from = typeof request.afterKey === 'string' ? parseMessageKeyText(request.afterKey) : null;
    if (from) return { ok: true, from };
    return { ok: false, code: 'INVALID_POSITION', message: 'afterKey must be the key a message carried' };
  }
  if (given(request.fromPosition)) {
    const from = typeof request.fromPosition === 'string' ? keyAfterPositionText(request.fromPosition) : null;
    if (from) return { ok: true, from };
    return { ok: false, code: 'INVALID_POSITION', message: 'fromPosition must be a position a message carried' };
  }
  return { ok: true, from: null };
}
