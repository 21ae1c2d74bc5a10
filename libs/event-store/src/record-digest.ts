import { createHash, type Hash } from 'node:crypto';
import type { RecordedEvent } from './envelope';
import type { EventStore } from './event-store';
import { Position } from './position';

/**
 * Names how a record digest is made, so an anchor says which definition it used and a later
 * definition never makes an old anchor unreadable. This one digests the GMP streams' events only
 * (`isGmpStream`): the other classes may forget, and an anchor must not break when they do.
 */
export const RECORD_DIGEST_FORMAT = 'tracershop-gmp-record-digest/1';

/**
 * Streams whose records may carry retention limits (gmp.md: telemetry, simulation jobs and order
 * sessions are the non-GMP classes); every other stream is protected, so a new context is GMP
 * until it is classified otherwise. Part of `RECORD_DIGEST_FORMAT`: changing it needs a new format.
 */
export const NON_GMP_STREAM_PREFIXES = ['telemetry.', 'jobs.', 'sessions.'] as const;

export const isGmpStream = (streamId: string): boolean =>
  !NON_GMP_STREAM_PREFIXES.some((prefix) => streamId.startsWith(prefix));

const PAGE = 1000;

/** `$all` ends at `after` (null: before its first event) though the store's head is `head`: events are missing. */
export interface PositionGap {
  after: string | null;
  head: string;
}

/**
 * A digest of a stretch of the record in `$all` order: SHA-256 over the digest it continues and,
 * for each event of a GMP stream, its stream, revision and stored hash (other events are passed
 * over, so their retention never changes it). The per-stream hash chain already binds
 * each event's content to its hash, so this binds every stream's events, the order of `$all` and
 * the count together: an event deleted, rewritten (chain recomputed or not) or cut off a stream's
 * tail changes it. Positions are left out, so a faithful copy into another store keeps its digest.
 */
export class RecordDigest {
  private readonly sha: Hash = createHash('sha256');
  private count = 0;

  constructor(continues: string | null) {
    this.sha.update(`${RECORD_DIGEST_FORMAT}\n${continues ?? ''}\n`);
  }

  add(event: RecordedEvent): void {
    if (!isGmpStream(event.streamId)) return;
    this.sha.update(`${JSON.stringify([event.streamId, event.revision.toString(), event.metadata.hash ?? null])}\n`);
    this.count += 1;
  }

  get events(): number {
    return this.count;
  }

  /** The digest of what was added; the object is spent afterwards. */
  digest(): string {
    return this.sha.digest('hex');
  }
}

/**
 * Visits every event of `$all` after `after`, in order, up to and including `through` when given,
 * and answers the position reached. It reads until a page comes back empty: an adapter may answer
 * a short page before its end, and the MySQL store cuts a page at a missing position.
 */
export async function walkAll(
  store: EventStore,
  visit: (event: RecordedEvent) => void,
  options: { after?: Position; through?: Position } = {},
): Promise<Position> {
  let reached = options.after ?? Position.START;
  for (;;) {
    const page = await store.readAll({ fromPosition: reached, maxCount: PAGE });
    if (page.length === 0) return reached;
    for (const event of page) {
      if (options.through && event.position.isAfter(options.through)) return reached;
      visit(event);
      reached = event.position;
    }
  }
}

/**
 * The gap when a walk that reached `reached` stopped short of `head`, the head read before it:
 * every event up to that head was committed, so what the walk did not reach is missing.
 */
export function gapBefore(head: Position | null, reached: Position): PositionGap | null {
  if (head === null || !reached.isBefore(head)) return null;
  return { after: reached.isStart() ? null : reached.toString(), head: head.toString() };
}

/** An anchor as the one before it is named in it. */
export interface AnchorLink {
  anchorId: string;
  /** The last `$all` position it covers. */
  position: string;
  /** GMP events in `$all` up to and including `position`. */
  eventCount: number;
  digest: string;
}

/**
 * What an anchor claims about the record (the audit context records anchors; this checks them):
 * `digest` is the `RecordDigest` of the events after the previous anchor's position through
 * `position`, continuing the previous anchor's digest (none for the first anchor).
 */
export interface RecordAnchor extends AnchorLink {
  previous: AnchorLink | null;
}

export interface AnchorDisagreement {
  anchorId: string;
  position: string;
  /**
   * `digest_mismatch`: the events of its stretch are not those anchored (deleted, rewritten or
   * reordered); `not_reached`: the record ends before its position (its tail was cut off);
   * `out_of_sequence`: it does not continue the anchor before it (an anchor removed or forged).
   */
  problem: 'digest_mismatch' | 'not_reached' | 'out_of_sequence';
  message: string;
}

export interface AnchorAgreement {
  /** Anchors checked against the walk. */
  checked: number;
  latest: { anchorId: string; position: string } | null;
  disagreements: AnchorDisagreement[];
}

/**
 * Checks anchors against a walk of `$all` from its start: give it every event in order, then the
 * position the walk reached. Each anchor's stretch is checked on its own (from the digest it says it
 * continues), so a disagreement names the stretch where the record changed; that each anchor
 * continues the one before it ties the stretches together.
 */
export class AnchorCheck {
  private readonly anchors: Array<{ anchor: RecordAnchor; at: Position }> = [];
  private readonly disagreements: AnchorDisagreement[] = [];
  private next = 0;
  private stretch: RecordDigest;

  /**
   * `anchors` in the order they were recorded. `continues`: the anchor the first of them follows,
   * when the walk starts after it (at its position) rather than at the record's start.
   */
  constructor(anchors: readonly RecordAnchor[], continues: AnchorLink | null = null) {
    let before: { anchor: AnchorLink; at: Position } | undefined = continues
      ? { anchor: continues, at: Position.parse(continues.position) }
      : undefined;
    for (const anchor of anchors) {
      const at = Position.parse(anchor.position);
      if (!sameLink(anchor.previous, before?.anchor ?? null)) {
        this.disagree(
          anchor,
          'out_of_sequence',
          before
            ? `it continues ${anchor.previous?.anchorId ?? 'no anchor'}, but the anchor before it is ${before.anchor.anchorId}`
            : `it continues ${anchor.previous?.anchorId}, which is not on record`,
        );
      }
      if (before && !at.isAfter(before.at)) {
        this.disagree(anchor, 'out_of_sequence', `its position is not after ${before.anchor.anchorId}'s`);
        continue;
      }
      this.anchors.push({ anchor, at });
      before = { anchor, at };
    }
    this.stretch = new RecordDigest(this.anchors[0]?.anchor.previous?.digest ?? null);
  }

  visit(event: RecordedEvent): void {
    while (this.next < this.anchors.length && event.position.isAfter(this.anchors[this.next].at)) this.close(true);
    this.stretch.add(event);
  }

  /** The result, once the walk has ended at `reached`. */
  finish(reached: Position): AnchorAgreement {
    while (this.next < this.anchors.length) this.close(!reached.isBefore(this.anchors[this.next].at));
    const latest = this.anchors.at(-1)?.anchor;
    return {
      checked: this.anchors.length,
      latest: latest ? { anchorId: latest.anchorId, position: latest.position } : null,
      disagreements: this.disagreements,
    };
  }

  private close(reached: boolean): void {
    const { anchor } = this.anchors[this.next];
    const found = { events: this.stretch.events, digest: this.stretch.digest() };
    const anchored = anchor.eventCount - (anchor.previous?.eventCount ?? 0);
    if (!reached) {
      this.disagree(
        anchor,
        'not_reached',
        `the record ends before position ${anchor.position}: ${found.events} of the ${anchored} events anchored after ` +
          `${anchor.previous ? `position ${anchor.previous.position}` : 'the start'} are there`,
      );
    } else if (found.digest !== anchor.digest || found.events !== anchored) {
      this.disagree(
        anchor,
        'digest_mismatch',
        `the ${found.events} events after ${anchor.previous ? `position ${anchor.previous.position}` : 'the start'} ` +
          `through ${anchor.position} are not the ${anchored} anchored (digest ${found.digest}, anchored ${anchor.digest})`,
      );
    }
    this.next += 1;
    this.stretch = new RecordDigest(this.anchors[this.next]?.anchor.previous?.digest ?? null);
  }

  private disagree(anchor: RecordAnchor, problem: AnchorDisagreement['problem'], message: string): void {
    this.disagreements.push({ anchorId: anchor.anchorId, position: anchor.position, problem, message });
  }
}

function sameLink(link: AnchorLink | null, anchor: AnchorLink | null): boolean {
  if (link === null || anchor === null) return link === anchor;
  return (
    link.anchorId === anchor.anchorId &&
    link.position === anchor.position &&
    link.eventCount === anchor.eventCount &&
    link.digest === anchor.digest
  );
}

/** The stretch a new anchor covers: through `position`, `eventCount` events in all, and its digest. */
export type RecordStretch =
  | { complete: true; position: string; eventCount: number; digest: string }
  | { complete: false; reason: string; gap: PositionGap | null };

/**
 * Digests the record after the previous anchor (from the start for the first) through the store's
 * head, for a new anchor. A record with a gap, or shorter than the previous anchor says, is not
 * anchored: an anchor certifies what it covers.
 */
export async function digestRecordSince(store: EventStore, previous: AnchorLink | null): Promise<RecordStretch> {
  const head = await store.headPosition();
  const after = previous ? Position.parse(previous.position) : Position.START;
  if (head === null || !head.isAfter(after)) {
    return {
      complete: false,
      reason: previous
        ? `the store's head (${head?.toString() ?? 'none'}) is not after the last anchor's position ${previous.position}: the record is shorter than anchored`
        : 'the store holds no events',
      gap: null,
    };
  }
  const digest = new RecordDigest(previous?.digest ?? null);
  const reached = await walkAll(store, (event) => digest.add(event), { after, through: head });
  const gap = gapBefore(head, reached);
  if (gap) {
    return {
      complete: false,
      reason: `$all ends at position ${gap.after ?? 'the start'} but the store's head is ${gap.head}: events are missing`,
      gap,
    };
  }
  return {
    complete: true,
    position: reached.toString(),
    eventCount: (previous?.eventCount ?? 0) + digest.events,
    digest: digest.digest(),
  };
}
