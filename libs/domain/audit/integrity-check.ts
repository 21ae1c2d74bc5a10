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
