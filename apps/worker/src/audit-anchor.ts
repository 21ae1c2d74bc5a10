import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { CommandDefinition, CommandPipeline, CommandResult } from '@tracershop/command-pipeline';
import {
  AUDIT_ANCHORS_STREAM,
  auditAnchorsDecider,
  auditEventSchemaVersions,
  type AnchorMac,
  type AnchorSignatureFailure,
  type AnchorSigningCheck,
  type AuditAnchorEvent,
  type AuditAnchorRecordedData,
  type AuditAnchorsState,
  type RecordAuditAnchor,
} from '@tracershop/domain/audit';
import {
  AnchorCheck,
  digestRecordSince,
  isGmpStream,
  Position as StorePosition,
  readWholeStream,
  RECORD_DIGEST_FORMAT,
  StreamNotFoundError,
  verifyAllStreams,
  walkAll,
  type Actor,
  type AnchorDisagreement,
  type EventStore,
  type Position,
  type PositionGap,
  type RecordAnchor,
  type VerificationReport,
} from '@tracershop/event-store';
import { signatureHolds } from '../../api/src/ordering/signed-content';
import { recordIntegrityCheck } from './audit-evidence';

export const auditAnchorCommand: CommandDefinition<RecordAuditAnchor, AuditAnchorEvent, AuditAnchorsState> = {
  name: 'RecordAuditAnchor',
  decider: auditAnchorsDecider,
  streamOf: () => AUDIT_ANCHORS_STREAM,
  // A retry re-decides on the fresh state: an anchor recorded meanwhile is refused, never chained wrongly.
  retryOnConflict: true,
  schemaVersionOf: (type) => auditEventSchemaVersions[type],
};

// The classification is part of the record digest's definition, so it lives with it.
export { isGmpStream };

/** Names a key without revealing it, so an anchor says which key signed it. */
export const anchorKeyId = (key: string): string =>
  createHash('sha256').update(`tracershop-audit-anchor-key\n${key}`).digest('hex').slice(0, 16);

type SignedPart = Pick<AuditAnchorRecordedData, 'anchorId' | 'position' | 'eventCount' | 'digestFormat' | 'digest'>;

/** The HMAC covers what the anchor claims; the digest already continues the previous anchor's. */
function macValue(key: string, anchor: SignedPart): string {
  const text = [anchor.digestFormat, anchor.anchorId, anchor.position, String(anchor.eventCount), anchor.digest].join(
    '\n',
  );
  return createHmac('sha256', key).update(text).digest('hex');
}

export function anchorMac(key: string, anchor: SignedPart): AnchorMac {
  return { algorithm: 'HMAC-SHA256', keyId: anchorKeyId(key), value: macValue(key, anchor) };
}

/** An anchor as recorded, with where its own event sits in `$all`. */
export interface StoredAnchor {
  data: AuditAnchorRecordedData;
  recordedAt: Position;
}

/** Every anchor on record, in the order recorded. */
export async function readAuditAnchors(store: EventStore): Promise<StoredAnchor[]> {
  try {
    const events = await readWholeStream(store, AUDIT_ANCHORS_STREAM);
    return events
      .filter((event) => event.type === 'AuditAnchorRecorded')
      .map((event) => ({ data: event.data as AuditAnchorRecordedData, recordedAt: event.position }));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}

export const recordAnchorOf = ({ data }: StoredAnchor): RecordAnchor => ({
  anchorId: data.anchorId,
  position: data.position,
  eventCount: data.eventCount,
  digest: data.digest,
  previous: data.previous,
});

/** What an anchor's MAC says: `verified` (it holds under the configured key), `does-not-hold`, … */
export type AnchorSignature = 'verified' | 'does-not-hold' | 'unsigned' | 'other-key' | 'not-checked';

export function anchorSignatureOf(anchor: AuditAnchorRecordedData, key: string | null): AnchorSignature {
  if (!anchor.mac) return 'unsigned';
  if (key === null) return 'not-checked';
  if (anchor.mac.keyId !== anchorKeyId(key)) return 'other-key';
  return macHolds(anchor.mac.value, macValue(key, anchor)) ? 'verified' : 'does-not-hold';
}

/**
 * Whether the anchors' MACs vouch for them. With a key, a MAC made with it must hold, and the
 * latest anchor must carry one: anchors continue each other, so the latest one signed binds every
 * stretch before it. Anchors from before the key was adopted (unsigned, or signed with an earlier
 * key) are counted, not failed; but once an anchor was signed, an unsigned one after it, or once
 * one holds under the key, one signed otherwise after it, is what a forger without the key writes.
 */
export function checkAnchorSignatures(anchors: readonly StoredAnchor[], key: string | null): AnchorSigningCheck {
  const check: AnchorSigningCheck = {
    keyConfigured: key !== null,
    verified: 0,
    unsigned: 0,
    otherKey: 0,
    failures: [],
  };
  let signedBefore = false;
  let verifiedBefore = false;
  for (const { data } of anchors) {
    const signature = anchorSignatureOf(data, key);
    const failure = (problem: AnchorSignatureFailure['problem']) =>
      check.failures.push({ anchorId: data.anchorId, position: data.position, problem });
    if (signature === 'verified') check.verified += 1;
    else if (signature === 'unsigned') check.unsigned += 1;
    else if (signature === 'does-not-hold') failure('mac_mismatch');
    else check.otherKey += 1;
    if (key !== null && signature === 'unsigned' && signedBefore) failure('unsigned_after_signed');
    if (key !== null && signature === 'other-key' && verifiedBefore) failure('other_key_after_signed');
    signedBefore ||= data.mac !== undefined;
    verifiedBefore ||= signature === 'verified';
  }
  const latest = anchors.at(-1)?.data;
  if (key !== null && latest && !check.failures.some((failure) => failure.anchorId === latest.anchorId)) {
    const signature = anchorSignatureOf(latest, key);
    if (signature !== 'verified') {
      check.failures.push({ anchorId: latest.anchorId, position: latest.position, problem: 'latest_not_signed' });
    }
  }
  return check;
}

function macHolds(stored: string, expected: string): boolean {
  const a = Buffer.from(stored, 'hex');
  const b = Buffer.from(expected, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export class RecordNotAnchoredError extends Error {
  constructor(
    message: string,
    readonly gap: PositionGap | null,
  ) {
    super(message);
    this.name = 'RecordNotAnchoredError';
  }
}

/**
 * The anchor chain does not vouch for the record, so a new anchor would certify a forgery: the
 * latest anchor's MAC does not hold under the key, or the record disagrees with it. `checkId` names
 * the verification kept as evidence of the refusal (it raises an `integrity-check-failed` incident).
 */
export class AnchorChainNotTrustedError extends Error {
  constructor(
    readonly reasons: string[],
    readonly checkId: string,
  ) {
    super(`The record is not anchored: the anchors on record do not vouch for it: ${reasons.join('; ')}`);
    this.name = 'AnchorChainNotTrustedError';
  }
}

/**
 * Why the chain must not be extended, or none: with a key, the signing check of every anchor
 * (the latest one's MAC must hold under it); and the record must agree with the latest anchor,
 * walked from the latest anchor before it whose MAC holds (without a key, from the one before it),
 * or from the record's start when none does.
 */
async function distrustOfLatestAnchor(
  store: EventStore,
  anchors: readonly StoredAnchor[],
  key: string | null,
  adoptKey: boolean,
): Promise<string[]> {
  const latest = anchors.at(-1);
  if (!latest) return [];
  const signing = checkAnchorSignatures(anchors, key);
  // Adopting a key (first set, or changed): no anchor holds under it yet, so the latest cannot;
  // everything else is still checked, and the record against every anchor from its start.
  const adopting = adoptKey && signing.verified === 0;
  const reasons = signing.failures
    .filter((failure) => !(adopting && failure.problem === 'latest_not_signed'))
    .map((failure) => `anchor ${failure.anchorId} (position ${failure.position}): ${failure.problem}`);
  const before = anchors.slice(0, -1);
  let fromIndex = before.length - 1;
  if (key !== null) {
    while (fromIndex >= 0 && anchorSignatureOf(before[fromIndex].data, key) !== 'verified') fromIndex -= 1;
  }
  const from = fromIndex >= 0 ? recordAnchorOf(anchors[fromIndex]) : null;
  const check = new AnchorCheck(anchors.slice(fromIndex + 1).map(recordAnchorOf), from && linkOf(from));
  const reached = await walkAll(store, (event) => check.visit(event), {
    after: from ? StorePosition.parse(from.position) : undefined,
    through: StorePosition.parse(latest.data.position),
  });
  const disagreements: AnchorDisagreement[] = check.finish(reached).disagreements;
  return [
    ...reasons,
    ...disagreements.map(
      (found) => `anchor ${found.anchorId} (position ${found.position}): ${found.problem}: ${found.message}`,
    ),
  ];
}

const linkOf = ({ anchorId, position, eventCount, digest }: RecordAnchor) => ({
  anchorId,
  position,
  eventCount,
  digest,
});

/**
 * Anchors the record now (`AuditAnchorRecorded` on `audit.anchors-deployment`): digests every event
 * after the latest anchor through the store's head, continuing its digest, and signs it with the
 * key when one is configured. A record with a gap is not anchored (`RecordNotAnchoredError`), and
 * neither is one the anchors on record do not vouch for (`AnchorChainNotTrustedError`): the whole
 * record is then verified and kept as evidence, so the refusal raises an incident. `adoptKey`
 * (an operator's explicit `cli anchor --adopt-key`) signs the first anchor under a key no anchor
 * on record holds under yet: the deployment had none, or it was changed.
 */
export async function recordAuditAnchor(
  store: EventStore,
  pipeline: CommandPipeline,
  actor: Actor,
  key: string | null,
  anchorId: string = randomUUID(),
  at: string = new Date().toISOString(),
  options: { adoptKey?: boolean } = {},
): Promise<{ result: CommandResult; anchor: RecordAuditAnchor }> {
  const { latest } = await pipeline.loadState(AUDIT_ANCHORS_STREAM, auditAnchorsDecider);
  const reasons = await distrustOfLatestAnchor(store, await readAuditAnchors(store), key, options.adoptKey === true);
  if (reasons.length > 0) {
    const checkId = `anchor-refused-${anchorId}`;
    await recordIntegrityCheck(pipeline, actor, { all: await verifyRecord(store, key) }, checkId, at);
    throw new AnchorChainNotTrustedError(reasons, checkId);
  }
  const stretch = await digestRecordSince(store, latest);
  if (!stretch.complete) throw new RecordNotAnchoredError(`The record is not anchored: ${stretch.reason}`, stretch.gap);
  const claimed = {
    anchorId,
    position: stretch.position,
    eventCount: stretch.eventCount,
    digestFormat: RECORD_DIGEST_FORMAT,
    digest: stretch.digest,
  };
  const anchor: RecordAuditAnchor = {
    type: 'RecordAuditAnchor',
    ...claimed,
    previous: latest,
    mac: key === null ? null : anchorMac(key, claimed),
    at,
  };
  const result = await pipeline.execute(auditAnchorCommand, anchor, {
    actor,
    occurredAt: at,
    correlationId: anchorId,
    causationId: `audit-anchor:${anchorId}`,
  });
  return { result, anchor };
}

/** A verification of every stream, with the anchors' MACs checked too. */
export type RecordVerification = VerificationReport & { anchorSigning: AnchorSigningCheck };

/**
 * Verifies every stream (hash chains, signatures, gaps), the record against every anchor on record
 * and the anchors' MACs, and, where the store can forget, that no GMP stream is set to.
 */
export async function verifyRecord(
  store: EventStore,
  anchorKey: string | null,
  onProgress?: (streams: number) => void,
): Promise<RecordVerification> {
  // Read before the walk, so every anchor covers positions the walk reaches.
  const anchors = await readAuditAnchors(store);
  const report = await verifyAllStreams(store, onProgress, signatureHolds, {
    anchors: anchors.map(recordAnchorOf),
    protectedStream: isGmpStream,
  });
  return { ...report, anchorSigning: checkAnchorSignatures(anchors, anchorKey) };
}

/** How many findings a verification made: broken chains, a gap, anchor and MAC failures, retention. */
export function integrityFindings(report: RecordVerification): number {
  return (
    report.broken.length +
    (report.gap ? 1 : 0) +
    (report.anchors?.disagreements.length ?? 0) +
    report.anchorSigning.failures.length +
    (report.retention?.length ?? 0)
  );
}

const signingFailureText: Record<AnchorSignatureFailure['problem'], string> = {
  mac_mismatch: 'its MAC DOES NOT HOLD: the anchor was changed',
  latest_not_signed:
    'the latest, is NOT SIGNED with AUDIT_ANCHOR_KEY: nothing outside the database vouches for the record, ' +
    'and no anchor is recorded on top of it',
  unsigned_after_signed: 'is UNSIGNED though an anchor before it was signed: anchors were replaced',
  other_key_after_signed:
    'is signed with ANOTHER KEY though an anchor before it holds under AUDIT_ANCHOR_KEY: anchors were replaced',
};

/** Lines that say what a verification found about the anchors, for the cli and the log. */
export function describeAnchors(report: RecordVerification): string[] {
  const { anchors, anchorSigning: signing } = report;
  if (!anchors || anchors.checked === 0) {
    return ['anchors: none recorded yet (`cli anchor`, or the worker daily): the record is not checked against one'];
  }
  const lines = [
    `anchors: ${anchors.checked} checked, the latest ${anchors.latest?.anchorId} through position ${anchors.latest?.position}: ` +
      (anchors.disagreements.length === 0
        ? 'the record agrees'
        : `the record DISAGREES with ${anchors.disagreements.length}`),
  ];
  for (const disagreement of anchors.disagreements) {
    lines.push(
      `  anchor ${disagreement.anchorId} (position ${disagreement.position}): ${disagreement.problem}: ${disagreement.message}`,
    );
  }
  if (!signing.keyConfigured) {
    lines.push(
      `anchor MACs: not checked, AUDIT_ANCHOR_KEY is not set (${signing.unsigned} anchors unsigned, ${signing.otherKey} signed)`,
    );
  } else {
    lines.push(
      `anchor MACs: ${signing.verified} hold under AUDIT_ANCHOR_KEY, ${signing.unsigned} unsigned, ` +
        `${signing.otherKey} signed with another key` +
        (signing.failures.length === 0 ? '' : `; ${signing.failures.length} FAIL`),
    );
    for (const failure of signing.failures) {
      lines.push(`  anchor ${failure.anchorId} (position ${failure.position}): ${signingFailureText[failure.problem]}`);
    }
  }
  return lines;
}
