import { requireId, requireInstant, requireInteger } from '../catalog/field-validation';
import { ruleViolated, type Decider, type DomainEvent } from '../kernel';

/**
 * The result of a hash-chain verification, kept as evidence (GMP, auditor capability 7: "results
 * are stored as events and count as evidence"): who ran it (the envelope's actor: the worker's
 * nightly job or an operator), over what, how many streams and events, and every broken link.
 * One stream a month, so an auditor reads a period's checks in one place.
 */
export const integrityChecksStreamName = (month: string) => `audit.integrityChecks-${month}`;

/** The month stream of an instant (UTC). */
export const integrityChecksStreamOf = (at: string) => integrityChecksStreamName(at.slice(0, 7));

export interface BrokenChain {
  streamId: string;
  brokenAt: string;
  problem: string;
}

export interface RecordIntegrityCheck {
  type: 'RecordIntegrityCheck';
  checkId: string;
  /** The one stream checked, or null for every stream. */
  streamId: string | null;
  streams: number;
  events: number;
  /** The `$all` position the walk reached (every stream); null for one stream. */
  upTo: string | null;
  broken: BrokenChain[];
  /** Every signature checked against its event, when the check covered them. */
  signatures?: SignatureCheck;
  /** Where `$all` stopped short of the store's head (every stream), when it did. */
  gap?: PositionGap | null;
  /** The record against the anchors on record (every stream), when they were checked. */
  anchors?: AnchorCheck;
  /** GMP streams the store is set to forget (EventStoreDB), when the store can tell. */
  retention?: RetentionFinding[];
  at: string;
}

/** `$all` ends at `after` (null: at the start) though the store's head is `head`: events are missing. */
export interface PositionGap {
  after: string | null;
  head: string;
}

/** A signed event whose signature does not verify against it. */
export interface UnverifiedSignature {
  streamId: string;
  revision: string;
  eventId: string;
  type: string;
  meaning: string;
}

export interface SignatureCheck {
  checked: number;
  unverified: UnverifiedSignature[];
}

/** An anchor the record does not agree with (see `AnchorDisagreement` in the event store). */
export interface AnchorDisagreementFound {
  anchorId: string;
  position: string;
  problem: string;
  message: string;
}

/** An anchor whose HMAC does not vouch for it. */
export interface AnchorSignatureFailure {
  anchorId: string;
  position: string;
  /**
   * `mac_mismatch`: signed with the configured key, but the MAC does not hold (the anchor was
   * changed); `latest_not_signed`: the latest anchor carries no MAC under the configured key, so
   * nothing the database does not hold vouches for the record; `unsigned_after_signed`: unsigned
   * though an anchor before it was signed; `other_key_after_signed`: signed with another key though
   * an anchor before it holds under the configured one (both: anchors replaced by someone without it).
   */
  problem: 'mac_mismatch' | 'latest_not_signed' | 'unsigned_after_signed' | 'other_key_after_signed';
}

/** How the anchors' MACs were checked. */
export interface AnchorSigningCheck {
  /** Whether `AUDIT_ANCHOR_KEY` was set: without it no MAC can be checked. */
  keyConfigured: boolean;
  /** MACs that hold under the configured key. */
  verified: number;
  /** Anchors recorded without a key. */
  unsigned: number;
  /** Anchors signed under another key than the configured one (before a key change), or under any without one. */
  otherKey: number;
  failures: AnchorSignatureFailure[];
}

/** The record checked against the anchors on record (GMP capability 7: "agreement with the latest anchor"). */
export interface AnchorCheck {
  checked: number;
  latest: { anchorId: string; position: string } | null;
  disagreements: AnchorDisagreementFound[];
  signing: AnchorSigningCheck;
}

/** A GMP stream with retention or truncate metadata, or deleted (EventStoreDB rules 2 and 3). */
export interface RetentionFinding {
  streamId: string;
  maxAge?: number;
  maxCount?: number;
  truncateBefore?: string;
  deleted?: boolean;
}

export interface IntegrityCheckedData {
  checkId: string;
  streamId: string | null;
  streams: number;
  events: number;
  upTo: string | null;
  broken: BrokenChain[];
  /**
   * Addition to the contract (absent from earlier events): how many signatures were checked and
   * which did not verify (GMP capability 7: "each signature's record hash").
   */
  signatures?: SignatureCheck;
  /**
   * Addition to the contract (absent from earlier events, and when `$all` reached the head): where
   * the walk stopped short of the store's head, so events are missing and later streams unchecked.
   */
  gap?: PositionGap;
  /**
   * Addition to the contract (absent from earlier events): the record against the anchors on
   * record, and their MACs (GMP capability 7: "agreement with the latest anchor").
   */
  anchors?: AnchorCheck;
  /**
   * Addition to the contract (absent from earlier events and on a store that cannot forget): GMP
   * streams with retention or truncate metadata, or deleted (EventStoreDB rules 2 and 3).
   */
  retention?: RetentionFinding[];
  /** When the check finished (also the event's `occurredAt`). */
  checkedAt: string;
}

export type IntegrityChecked = DomainEvent<'IntegrityChecked', IntegrityCheckedData>;
export type IntegrityCheckEvent = IntegrityChecked;

export interface IntegrityChecksState {
  checkIds: string[];
}

const COUNT = { min: 0, max: Number.MAX_SAFE_INTEGER, code: 'INVALID_CHECK_COUNT' };

function requireSignatureCheck(check: SignatureCheck): SignatureCheck {
  if (!Array.isArray(check.unverified)) {
    throw ruleViolated('INVALID_CHECK_RESULT', 'signatures.unverified lists the signatures that do not hold', {
      field: 'signatures.unverified',
    });
  }
  return {
    checked: requireInteger(check.checked, 'signatures.checked', COUNT),
    unverified: check.unverified.map(({ streamId, revision, eventId, type, meaning }) => ({
      streamId,
      revision,
      eventId,
      type,
      meaning,
    })),
  };
}

function requireAnchorCheck(check: AnchorCheck): AnchorCheck {
  if (!Array.isArray(check.disagreements) || !Array.isArray(check.signing?.failures)) {
    throw ruleViolated('INVALID_CHECK_RESULT', 'anchors lists the disagreements and signature failures', {
      field: 'anchors',
    });
  }
  return {
    checked: requireInteger(check.checked, 'anchors.checked', COUNT),
    latest: check.latest ? { anchorId: check.latest.anchorId, position: check.latest.position } : null,
    disagreements: check.disagreements.map(({ anchorId, position, problem, message }) => ({
      anchorId,
      position,
      problem,
      message,
    })),
    signing: {
      keyConfigured: check.signing.keyConfigured === true,
      verified: requireInteger(check.signing.verified, 'anchors.signing.verified', COUNT),
      unsigned: requireInteger(check.signing.unsigned, 'anchors.signing.unsigned', COUNT),
      otherKey: requireInteger(check.signing.otherKey, 'anchors.signing.otherKey', COUNT),
      failures: check.signing.failures.map(({ anchorId, position, problem }) => ({ anchorId, position, problem })),
    },
  };
}

function requireRetention(findings: RetentionFinding[]): RetentionFinding[] {
  if (!Array.isArray(findings)) {
    throw ruleViolated('INVALID_CHECK_RESULT', 'retention lists the streams set to forget', { field: 'retention' });
  }
  return findings.map(({ streamId, maxAge, maxCount, truncateBefore, deleted }) => ({
    streamId,
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(maxCount !== undefined ? { maxCount } : {}),
    ...(truncateBefore !== undefined ? { truncateBefore } : {}),
    ...(deleted ? { deleted } : {}),
  }));
}

function decide(command: RecordIntegrityCheck, state: IntegrityChecksState): IntegrityCheckEvent[] {
  const checkedAt = requireInstant(command.at);
  const checkId = requireId(command.checkId, 'checkId');
  // The same check recorded again (a retried job) is recorded once.
  if (state.checkIds.includes(checkId)) return [];
  if (!Array.isArray(command.broken)) {
    throw ruleViolated('INVALID_CHECK_RESULT', 'broken lists the broken chains', { field: 'broken' });
  }
  return [
    {
      type: 'IntegrityChecked',
      data: {
        checkId,
        streamId: command.streamId,
        streams: requireInteger(command.streams, 'streams', COUNT),
        events: requireInteger(command.events, 'events', COUNT),
        upTo: command.upTo,
        broken: command.broken.map(({ streamId, brokenAt, problem }) => ({ streamId, brokenAt, problem })),
        ...(command.signatures !== undefined ? { signatures: requireSignatureCheck(command.signatures) } : {}),
        ...(command.gap ? { gap: { after: command.gap.after, head: command.gap.head } } : {}),
        ...(command.anchors !== undefined ? { anchors: requireAnchorCheck(command.anchors) } : {}),
        ...(command.retention !== undefined ? { retention: requireRetention(command.retention) } : {}),
        checkedAt,
      },
    },
  ];
}

export const integrityChecksDecider: Decider<RecordIntegrityCheck, IntegrityCheckEvent, IntegrityChecksState> = {
  initialState: () => ({ checkIds: [] }),
  evolve: (state, event) => ({ checkIds: [...state.checkIds, event.data.checkId] }),
  decide,
};
