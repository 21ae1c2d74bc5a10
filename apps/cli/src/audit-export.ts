import { createHash } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fieldHistory, reviewedEventOf, type AuditExportFile, type AuditExportScope } from '@tracershop/domain/audit';
import { redactSecrets } from '@tracershop/domain/identity';
import {
  AnchorCheck,
  gapBefore,
  InvalidPositionError,
  Position,
  readWholeStream,
  verifyChain,
  walkAll,
  type AnchorDisagreement,
  type EventStore,
  type PositionGap,
  type RecordedEvent,
} from '@tracershop/event-store';
import { textPdf, type DocumentLine } from '../../api/src/documents/text-pdf';
import {
  anchorSignatureOf,
  checkAnchorSignatures,
  readAuditAnchors,
  recordAnchorOf,
  type AnchorSignature,
} from '../../worker/src/audit-anchor';
import type { AnchorSignatureFailure } from '@tracershop/domain/audit';

/**
 * A certified copy of part of the record (GMP: Part 11 §11.10(b), Annex 11 §8.1, auditor
 * capability 6): every event of the streams asked for, raw, with all its metadata, as JSON Lines,
 * and the same events as a printable PDF, everything loaded. The manifest names each stream's
 * revision range, event count, hash-chain head and whether the chain holds, and the SHA-256 of
 * each file, so the copy can be checked against the store and against itself (`sha256sum`).
 * Credentials' hashes are the one thing left out, each named where it was.
 *
 * The copy is as of one `$all` position (the head when it starts, or one given to reproduce an
 * earlier copy): every stream is read up to it. It says whether `$all` reached that position (a
 * missing event makes the copy incomplete, never silently short) and whether the record agrees with
 * the latest anchor recorded by then.
 */

export const EXPORT_FORMAT = 'tracershop-export/1';

export interface ExportedStream {
  streamId: string;
  fromRevision: string | null;
  toRevision: string | null;
  events: number;
  /** Hash of the stream's last event: the chain head the copy ends at. */
  headHash: string | null;
  /** `intact`, or where and how the chain breaks. */
  chain: string;
}

/** The latest anchor recorded by the copy's position, and whether the record agrees with it. */
export interface ExportedAnchor {
  anchorId: string;
  position: string;
  anchoredAt: string;
  /** The record up to the anchor agrees with it and with every anchor before it. */
  agrees: boolean;
  disagreements: AnchorDisagreement[];
  /** Its MAC under `AUDIT_ANCHOR_KEY` (`not-checked`: no key configured). */
  signature: AnchorSignature;
  /** Anchors whose MAC fails (see `cli verify`). */
  signatureFailures: AnchorSignatureFailure[];
}

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  exportId: string;
  generatedAt: string;
  generatedBy: string;
  scope: AuditExportScope;
  /** The `$all` position the copy is as of (`export --as-of` reproduces it); null for an empty store. */
  asOf: string | null;
  /** False when `$all` stops short of `asOf`: events are missing, and the copy may lack streams. */
  complete: boolean;
  gap: PositionGap | null;
  /** Null when no anchor was recorded by `asOf`. */
  anchor: ExportedAnchor | null;
  streamCount: number;
  eventCount: number;
  streams: ExportedStream[];
  files: AuditExportFile[];
}

export interface AuditExportRequest {
  exportId: string;
  scope: AuditExportScope;
  /** A directory that holds no export yet; made if missing. */
  outDir: string;
  generatedBy: string;
  /** A `$all` position to copy the record as of (an earlier export's `asOf`); default: the head now. */
  asOf?: string;
  /** `AUDIT_ANCHOR_KEY`, to check the anchors' MACs. */
  anchorKey?: string | null;
  now?: () => string;
}

export class ExportScopeError extends Error {}

/** The copy's position: the head now, or the earlier one asked for (never past the head). */
async function copyPosition(store: EventStore, asked: string | undefined): Promise<Position | null> {
  const head = await store.headPosition();
  if (asked === undefined) return head;
  let asOf: Position;
  try {
    asOf = Position.parse(asked);
  } catch (error) {
    if (error instanceof InvalidPositionError) throw new ExportScopeError(`--as-of ${asked} is not a position`);
    throw error;
  }
  if (head === null || asOf.isAfter(head)) {
    throw new ExportScopeError(`--as-of ${asked} is after the record's head (${head?.toString() ?? 'empty'})`);
  }
  return asOf;
}

/**
 * Walks `$all` through the copy's position once: the streams in scope (those named, and every
 * stream whose id starts with a prefix), whether the walk reached the position, and the record
 * against the anchors that cover it: every anchor on record for a copy as of the head (an anchor
 * past the head means the record was cut short), those up to the position asked for otherwise.
 */
async function surveyRecord(
  store: EventStore,
  request: AuditExportRequest,
): Promise<{ asOf: Position | null; streamIds: string[]; gap: PositionGap | null; anchor: ExportedAnchor | null }> {
  const { scope } = request;
  // Read before the head, so every anchor covers positions up to it.
  const recorded = await readAuditAnchors(store);
  const asOf = await copyPosition(store, request.asOf);
  const anchors =
    request.asOf === undefined
      ? recorded
      : recorded.filter((anchor) => asOf && !Position.parse(anchor.data.position).isAfter(asOf));
  const check = new AnchorCheck(anchors.map(recordAnchorOf));
  const streams = new Set(scope.streams);
  const reached = asOf
    ? await walkAll(
        store,
        (event) => {
          if (scope.prefixes.some((prefix) => event.streamId.startsWith(prefix))) streams.add(event.streamId);
          check.visit(event);
        },
        { through: asOf },
      )
    : Position.START;
  const agreement = check.finish(reached);
  const latest = anchors.at(-1)?.data;
  const anchorKey = request.anchorKey ?? null;
  return {
    asOf,
    streamIds: [...streams].sort(),
    gap: gapBefore(asOf, reached),
    anchor: latest
      ? {
          anchorId: latest.anchorId,
          position: latest.position,
          anchoredAt: latest.anchoredAt,
          agrees: agreement.disagreements.length === 0,
          disagreements: agreement.disagreements,
          signature: anchorSignatureOf(latest, anchorKey),
          signatureFailures: checkAnchorSignatures(anchors, anchorKey).failures,
        }
      : null,
  };
}

/** Whether the copy is a faithful one: complete, every chain intact, and agreeing with its anchor. */
export function exportHolds(manifest: ExportManifest): boolean {
  return (
    manifest.complete &&
    manifest.streams.every((stream) => stream.chain === 'intact') &&
    (manifest.anchor === null || (manifest.anchor.agrees && manifest.anchor.signatureFailures.length === 0))
  );
}

/** The copy's title lines: as of where, whether complete, and its anchor. */
function provenanceLines(manifest: Pick<ExportManifest, 'asOf' | 'gap' | 'anchor'>): DocumentLine[] {
  const { asOf, gap, anchor } = manifest;
  return [
    { text: `As of position ${asOf ?? '- (empty record)'}`, style: 'body' },
    {
      text: gap
        ? `INCOMPLETE: the record ends at position ${gap.after ?? 'the start'}, before ${gap.head}: events are missing`
        : 'Complete: every event up to that position was read',
      style: 'body',
    },
    {
      text: anchor
        ? `Latest anchor ${anchor.anchorId} (position ${anchor.position}, ${anchor.anchoredAt}): the record ` +
          `${anchor.agrees ? 'agrees with it' : 'DOES NOT AGREE with it'}; its MAC: ${anchor.signature}`
        : 'No anchor recorded by then: the copy is not checked against one',
      style: 'body',
    },
  ];
}

/**
 * One event as a line: the stored type, data and metadata, revision and position as text. A
 * credential's hash is left out and named (`redacted`): the copy leaves the system, the hash not.
 */
function eventLine(event: RecordedEvent): string {
  const { data, redacted } = redactSecrets(event.type, event.data);
  return JSON.stringify({
    streamId: event.streamId,
    revision: event.revision.toString(),
    position: event.position.toString(),
    type: event.type,
    data,
    ...(redacted.length > 0 ? { redacted } : {}),
    metadata: event.metadata,
  });
}

function eventLines(event: RecordedEvent): DocumentLine[] {
  const { metadata } = event;
  const who = `${metadata.actor.printedName} (${metadata.actor.role}, ${metadata.actor.kind})`;
  const lines: DocumentLine[] = [
    { text: `#${event.revision}  ${event.type}  by ${who}`, style: 'body' },
    {
      text: `recorded ${metadata.recordedAt}, occurred ${metadata.occurredAt}, position ${event.position}, schema v${metadata.schemaVersion}`,
      style: 'small',
    },
  ];
  if (metadata.reason !== undefined) lines.push({ text: `reason: ${metadata.reason}`, style: 'small' });
  if (metadata.signature) {
    const { printedName, meaning, signedAt, recordHash } = metadata.signature;
    lines.push({
      text: `signed by ${printedName}, meaning ${meaning}, at ${signedAt}, record ${recordHash}`,
      style: 'small',
    });
  }
  lines.push({ text: `data: ${JSON.stringify(redactSecrets(event.type, event.data).data)}`, style: 'small' });
  lines.push({ text: `hash ${metadata.hash}, previous ${metadata.prevHash ?? '-'}`, style: 'small' });
  return lines;
}

const shown = (value: unknown) => (value === undefined ? '-' : JSON.stringify(value));

/**
 * Annex 11 §8.2: the printout flags every field whose value differs from its first recording,
 * with each change (who, when, why).
 */
export function changedFieldLines(events: readonly RecordedEvent[]): DocumentLine[] {
  const fields = fieldHistory(events.map(reviewedEventOf));
  if (fields.length === 0) return [];
  const lines: DocumentLine[] = [{ text: 'Changed since first recorded', style: 'body' }];
  for (const field of fields) {
    lines.push({
      text:
        `${field.entity} ${field.field}: first ${shown(field.original)}, now ${shown(field.current)}` +
        (field.differs ? '' : ' (changed back)'),
      style: 'body',
    });
    for (const change of field.changes) {
      lines.push({
        text: `#${change.revision} ${change.type} by ${change.by} at ${change.at}: ${shown(change.from)} -> ${shown(change.to)}${change.reason ? `; reason: ${change.reason}` : ''}`,
        style: 'small',
      });
    }
  }
  return lines;
}

const sha256 = (content: Buffer | string) => createHash('sha256').update(content).digest('hex');

export async function writeAuditExport(store: EventStore, request: AuditExportRequest): Promise<ExportManifest> {
  const { scope, outDir, exportId, generatedBy } = request;
  if (scope.streams.length === 0 && scope.prefixes.length === 0) {
    throw new ExportScopeError('name the streams (--stream) or stream prefixes (--prefix) to export');
  }
  const generatedAt = (request.now ?? (() => new Date().toISOString()))();
  const { asOf: asOfPosition, streamIds, gap, anchor } = await surveyRecord(store, request);
  const asOf = asOfPosition?.toString() ?? null;
  await mkdir(outDir, { recursive: true });
  // `wx`: an export never overwrites another.
  const jsonl = await open(join(outDir, 'events.jsonl'), 'wx');
  const jsonlHash = createHash('sha256');
  let jsonlBytes = 0;
  const streams: ExportedStream[] = [];
  const pdfLines: DocumentLine[] = [
    { text: 'Tracershop: certified copy of the record', style: 'title' },
    { text: `Export ${exportId}, generated ${generatedAt} by ${generatedBy}`, style: 'body' },
    {
      text: `Scope: streams ${scope.streams.join(', ') || '-'}; prefixes ${scope.prefixes.join(', ') || '-'}`,
      style: 'body',
    },
    ...provenanceLines({ asOf, gap, anchor }),
  ];
  let eventCount = 0;
  try {
    for (const streamId of streamIds) {
      // Up to the copy's position: what was appended since is not part of it.
      const events = (await readWholeStream(store, streamId)).filter(
        (event) => asOfPosition !== null && !event.position.isAfter(asOfPosition),
      );
      const chain = verifyChain(streamId, events);
      const text = events.map((event) => `${eventLine(event)}\n`).join('');
      const bytes = Buffer.from(text, 'utf8');
      await jsonl.write(bytes);
      jsonlHash.update(bytes);
      jsonlBytes += bytes.length;
      eventCount += events.length;
      const exported: ExportedStream = {
        streamId,
        fromRevision: events[0]?.revision.toString() ?? null,
        toRevision: events.at(-1)?.revision.toString() ?? null,
        events: events.length,
        headHash: events.at(-1)?.metadata.hash ?? null,
        chain: chain.ok ? 'intact' : `broken at revision ${chain.brokenAt}: ${chain.problem}`,
      };
      streams.push(exported);
      pdfLines.push({ text: `${streamId}: ${events.length} events, chain ${exported.chain}`, style: 'heading' });
      for (const event of events) pdfLines.push(...eventLines(event));
      pdfLines.push(...changedFieldLines(events));
    }
  } finally {
    await jsonl.close();
  }
  const pdf = textPdf(pdfLines, { title: `Tracershop export ${exportId}` });
  await writeFile(join(outDir, 'events.pdf'), pdf, { flag: 'wx' });
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    exportId,
    generatedAt,
    generatedBy,
    scope,
    asOf,
    complete: gap === null,
    gap,
    anchor,
    streamCount: streams.length,
    eventCount,
    streams,
    files: [
      { name: 'events.jsonl', sha256: jsonlHash.digest('hex'), bytes: jsonlBytes },
      { name: 'events.pdf', sha256: sha256(pdf), bytes: pdf.length },
    ],
  };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
  return manifest;
}
