import { requireId, requireInstant, requireInteger } from '../catalog/field-validation';
import { conflict, ruleViolated, type Decider, type DomainEvent } from '../kernel';

/**
 * Audit anchors (gmp.md, EventStoreDB rule 4: "anchor a digest of the global position regularly: a
 * signed daily checkpoint in an audit-anchor stream"). Each anchor records how far the record went
 * (`position`, `eventCount`) and a digest of every event since the anchor before, continuing that
 * anchor's digest; keyed with a secret the database does not hold, it carries an HMAC of all that.
 * Someone who rewrites, deletes or cuts off events before an anchored position and recomputes the
 * hash chains still cannot make the record agree with the anchors again. One stream holds them all,
 * so each anchor names the one before it and the latest is one read away.
 */
export const AUDIT_ANCHORS_STREAM = 'audit.anchors-deployment';

/** An anchor as the next one names it. */
export interface AnchorLink {
  anchorId: string;
  position: string;
  eventCount: number;
  digest: string;
}

/** HMAC-SHA256 of the anchor under `AUDIT_ANCHOR_KEY`; `keyId` names the key without revealing it. */
export interface AnchorMac {
  algorithm: 'HMAC-SHA256';
  keyId: string;
  value: string;
}

// Commands

export interface RecordAuditAnchor {
  type: 'RecordAuditAnchor';
  anchorId: string;
  /** The last `$all` position covered. */
  position: string;
  /** Events in `$all` up to and including `position`. */
  eventCount: number;
  /** How the digest was made (`RECORD_DIGEST_FORMAT`). */
  digestFormat: string;
  digest: string;
  /** The latest anchor when the digest was made: the one this anchor continues. */
  previous: AnchorLink | null;
  mac: AnchorMac | null;
  at: string;
}

export type AuditAnchorCommand = RecordAuditAnchor;

// Events

export interface AuditAnchorRecordedData {
  anchorId: string;
  position: string;
  eventCount: number;
  digestFormat: string;
  digest: string;
  previous: AnchorLink | null;
  /** Absent when no key was configured: the anchor is unsigned. */
  mac?: AnchorMac;
  anchoredAt: string;
}

export type AuditAnchorRecorded = DomainEvent<'AuditAnchorRecorded', AuditAnchorRecordedData>;
export type AuditAnchorEvent = AuditAnchorRecorded;

// State

export interface AuditAnchorsState {
  anchorIds: string[];
  latest: AnchorLink | null;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
/** A serialised `$all` position: `<commit>` or `<commit>/<prepare>`. */
const POSITION = /^\d{1,20}(\/\d{1,20})?$/;
const COUNT = { min: 1, max: Number.MAX_SAFE_INTEGER, code: 'INVALID_ANCHOR_COUNT' };

function requireMatch(value: unknown, pattern: RegExp, field: string, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw ruleViolated('INVALID_ANCHOR', `${field} is not ${what}`, { field });
  }
  return value;
}

function requireMac(mac: AnchorMac | null): AnchorMac | null {
  if (mac === null || mac === undefined) return null;
  if (mac.algorithm !== 'HMAC-SHA256') {
    throw ruleViolated('INVALID_ANCHOR', 'mac.algorithm must be HMAC-SHA256', { field: 'mac.algorithm' });
  }
  return {
    algorithm: mac.algorithm,
    keyId: requireMatch(mac.keyId, KEY_ID, 'mac.keyId', 'a key id (16 hex digits)'),
    value: requireMatch(mac.value, SHA256_HEX, 'mac.value', 'an HMAC-SHA256 in hex'),
  };
}

const sameLink = (a: AnchorLink | null, b: AnchorLink | null) =>
  a === null || b === null
    ? a === b
    : a.anchorId === b.anchorId && a.position === b.position && a.eventCount === b.eventCount && a.digest === b.digest;

function decide(command: AuditAnchorCommand, state: AuditAnchorsState): AuditAnchorEvent[] {
  const anchoredAt = requireInstant(command.at);
  const anchorId = requireId(command.anchorId, 'anchorId');
  // The same anchor recorded again (a retried job) is recorded once.
  if (state.anchorIds.includes(anchorId)) return [];
  // Its digest continues the anchor it names: another anchor recorded meanwhile makes it wrong.
  if (!sameLink(command.previous ?? null, state.latest)) {
    throw conflict('ANCHOR_OUT_OF_SEQUENCE', 'Another anchor was recorded since this one was computed', {
      anchorId,
      latest: state.latest?.anchorId ?? null,
    });
  }
  const eventCount = requireInteger(command.eventCount, 'eventCount', COUNT);
  // The anchor before is itself an event after its position: every anchor covers something new.
  if (state.latest && eventCount <= state.latest.eventCount) {
    throw ruleViolated('INVALID_ANCHOR_COUNT', 'An anchor covers more events than the one before it', {
      field: 'eventCount',
      previous: state.latest.eventCount,
    });
  }
  const mac = requireMac(command.mac);
  return [
    {
      type: 'AuditAnchorRecorded',
      data: {
        anchorId,
        position: requireMatch(command.position, POSITION, 'position', 'a position'),
        eventCount,
        digestFormat: requireMatch(command.digestFormat, /^[a-z0-9-]+\/\d+$/, 'digestFormat', 'a digest format'),
        digest: requireMatch(command.digest, SHA256_HEX, 'digest', 'a SHA-256 in hex'),
        previous: state.latest,
        ...(mac ? { mac } : {}),
        anchoredAt,
      },
    },
  ];
}

function evolve(state: AuditAnchorsState, event: AuditAnchorEvent): AuditAnchorsState {
  const { anchorId, position, eventCount, digest } = event.data;
  return { anchorIds: [...state.anchorIds, anchorId], latest: { anchorId, position, eventCount, digest } };
}

export const auditAnchorsDecider: Decider<AuditAnchorCommand, AuditAnchorEvent, AuditAnchorsState> = {
  initialState: () => ({ anchorIds: [], latest: null }),
  evolve,
  decide,
};
