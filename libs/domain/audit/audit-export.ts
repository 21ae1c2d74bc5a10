import { requireId, requireInstant, requireInteger } from '../catalog/field-validation';
import { conflict, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import type { PositionGap } from './integrity-check';

/**
 * A certified copy of part of the record (GMP: Part 11 §11.10(b), Annex 11 §8.1): which streams,
 * how many events and the SHA-256 of each file written. Recording it is the access accounting
 * auditors ask for (`AuditExportGenerated {by, scope, hash}`); who made it is the envelope's actor.
 */
export const auditExportStreamName = (exportId: string) => `audit.export-${exportId}`;

export interface AuditExportScope {
  /** Streams asked for by id. */
  streams: string[];
  /** Every stream whose id starts with one of these (e.g. `ordering.deliveryDay-`). */
  prefixes: string[];
}

export interface AuditExportFile {
  name: string;
  sha256: string;
  bytes: number;
}

// Commands

export interface RecordAuditExport {
  type: 'RecordAuditExport';
  exportId: string;
  scope: AuditExportScope;
  streamCount: number;
  eventCount: number;
  files: AuditExportFile[];
  /** The `$all` position the copy is as of (null: an empty record). */
  asOf?: string | null;
  /** Where `$all` stopped short of `asOf`, when it did: the copy is incomplete. */
  gap?: PositionGap;
  at: string;
}

export type AuditExportCommand = RecordAuditExport;

// Events

export interface AuditExportGeneratedData {
  exportId: string;
  scope: AuditExportScope;
  streamCount: number;
  eventCount: number;
  files: AuditExportFile[];
  /** Addition to the contract (absent from earlier events): the `$all` position the copy is as of. */
  asOf?: string | null;
  /** Addition to the contract (absent when complete): where `$all` stopped short, events missing. */
  gap?: PositionGap;
}

export type AuditExportGenerated = DomainEvent<'AuditExportGenerated', AuditExportGeneratedData>;
export type AuditExportEvent = AuditExportGenerated;

// State

export type AuditExportState = { status: 'absent' } | ({ status: 'recorded' } & AuditExportGeneratedData);

const initialState = (): AuditExportState => ({ status: 'absent' });

const evolve = (_state: AuditExportState, event: AuditExportEvent): AuditExportState => ({
  status: 'recorded',
  ...event.data,
});

const SHA256 = /^[0-9a-f]{64}$/;
const COUNT = { min: 0, max: Number.MAX_SAFE_INTEGER, code: 'INVALID_EXPORT_COUNT' };

function requireFiles(value: unknown): AuditExportFile[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw ruleViolated('INVALID_EXPORT_FILES', 'An export lists the files it wrote', { field: 'files' });
  }
  return value.map((file: Partial<AuditExportFile>, index) => {
    if (
      typeof file?.name !== 'string' ||
      file.name.length === 0 ||
      typeof file.sha256 !== 'string' ||
      !SHA256.test(file.sha256)
    ) {
      throw ruleViolated('INVALID_EXPORT_FILES', `File ${index} needs a name and a SHA-256 in hex`, {
        field: `files[${index}]`,
      });
    }
    return {
      name: file.name,
      sha256: file.sha256,
      bytes: requireInteger(file.bytes, `files[${index}].bytes`, COUNT),
    };
  });
}

/** Stream ids are longer than entity ids (`ordering.deliveryDay-<endpoint>:<date>`): no control characters, at most 512. */
function requireStreamName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512 || /\p{Cc}/u.test(value)) {
    throw ruleViolated('INVALID_STREAM_NAME', `${field} is not a stream name`, { field });
  }
  return value;
}

function requireScope(scope: AuditExportScope | undefined): AuditExportScope {
  const streams = (scope?.streams ?? []).map((streamId, index) =>
    requireStreamName(streamId, `scope.streams[${index}]`),
  );
  const prefixes = (scope?.prefixes ?? []).map((prefix, index) =>
    requireStreamName(prefix, `scope.prefixes[${index}]`),
  );
  if (streams.length === 0 && prefixes.length === 0) {
    throw ruleViolated('EXPORT_SCOPE_REQUIRED', 'An export names streams or stream prefixes', { field: 'scope' });
  }
  return { streams, prefixes };
}

function decide(command: AuditExportCommand, state: AuditExportState): AuditExportEvent[] {
  requireInstant(command.at);
  const data: AuditExportGeneratedData = {
    exportId: requireId(command.exportId, 'exportId'),
    scope: requireScope(command.scope),
    streamCount: requireInteger(command.streamCount, 'streamCount', COUNT),
    eventCount: requireInteger(command.eventCount, 'eventCount', COUNT),
    files: requireFiles(command.files),
    ...(command.asOf !== undefined ? { asOf: command.asOf } : {}),
    ...(command.gap ? { gap: { after: command.gap.after, head: command.gap.head } } : {}),
  };
  if (state.status === 'recorded') {
    // The same export recorded again (a retried command) changes nothing; another one under its id is refused.
    if (JSON.stringify(state.files) === JSON.stringify(data.files)) return [];
    throw conflict('EXPORT_ALREADY_RECORDED', `Export ${data.exportId} is recorded with other files`, {
      exportId: data.exportId,
    });
  }
  return [{ type: 'AuditExportGenerated', data }];
}

export const auditExportDecider: Decider<AuditExportCommand, AuditExportEvent, AuditExportState> = {
  initialState,
  evolve,
  decide,
};
