import { createHash } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fieldHistory, reviewedEventOf, type AuditExportFile, type AuditExportScope } from '@tracershop/domain/audit';
import { redactSecrets } from '@tracershop/domain/identity';
import { Position, readWholeStream, verifyChain, type EventStore, type RecordedEvent } from '@tracershop/event-store';
import { textPdf, type DocumentLine } from '../../api/src/documents/text-pdf';

/**
 * A certified copy of part of the record (GMP: Part 11 §11.10(b), Annex 11 §8.1, auditor
 * capability 6): every event of the streams asked for, raw, with all its metadata, as JSON Lines,
 * and the same events as a printable PDF, everything loaded. The manifest names each stream's
 * revision range, event count, hash-chain head and whether the chain holds, and the SHA-256 of
 * each file, so the copy can be checked against the store and against itself (`sha256sum`).
 * Credentials' hashes are the one thing left out, each named where it was.
 */

export const EXPORT_FORMAT = 'tracershop-export/1';
const PAGE = 1000;

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

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  exportId: string;
  generatedAt: string;
  generatedBy: string;
  scope: AuditExportScope;
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
  now?: () => string;
}

export class ExportScopeError extends Error {}

/** The streams in scope: those named, and every stream of `$all` whose id starts with a prefix. */
async function streamsInScope(store: EventStore, scope: AuditExportScope): Promise<string[]> {
  const streams = new Set(scope.streams);
  if (scope.prefixes.length > 0) {
    let after = Position.START;
    for (;;) {
      const page = await store.readAll({ fromPosition: after.isStart() ? undefined : after, maxCount: PAGE });
      for (const event of page) {
        if (scope.prefixes.some((prefix) => event.streamId.startsWith(prefix))) streams.add(event.streamId);
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].position;
    }
  }
  return [...streams].sort();
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
  const streamIds = await streamsInScope(store, scope);
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
  ];
  let eventCount = 0;
  try {
    for (const streamId of streamIds) {
      const events = await readWholeStream(store, streamId);
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
