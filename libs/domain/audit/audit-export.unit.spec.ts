import { specFor } from '../kernel/decider-spec';
import { auditExportDecider, auditExportStreamName, type RecordAuditExport } from './audit-export';

const spec = specFor(auditExportDecider);
const file = { name: 'events.jsonl', sha256: 'a'.repeat(64), bytes: 1200 };
const record = (overrides: Partial<RecordAuditExport> = {}): RecordAuditExport => ({
  type: 'RecordAuditExport',
  exportId: 'export-1',
  scope: { streams: [], prefixes: ['ordering.deliveryDay-'] },
  streamCount: 3,
  eventCount: 42,
  files: [file],
  at: '2026-12-07T08:00:00.000Z',
  ...overrides,
});
const generated = {
  type: 'AuditExportGenerated' as const,
  data: {
    exportId: 'export-1',
    scope: { streams: [], prefixes: ['ordering.deliveryDay-'] },
    streamCount: 3,
    eventCount: 42,
    files: [file],
  },
};

describe('AuditExport', () => {
  it('lives in a stream per export, in the audit context', () => {
    expect(auditExportStreamName('export-1')).toBe('audit.export-export-1');
  });

  it('given none, when an export is recorded, then its scope, counts and file hashes are on record', () => {
    spec.given([]).when(record()).then([generated]);
  });

  it('given it recorded, then the same again changes nothing, and other files under its id are refused', () => {
    spec.given([generated]).when(record()).thenNothing();
    spec
      .given([generated])
      .when(record({ files: [{ ...file, sha256: 'b'.repeat(64) }] }))
      .thenThrows('EXPORT_ALREADY_RECORDED');
  });

  it('needs a scope, files with a SHA-256 each, and counts', () => {
    spec
      .given([])
      .when(record({ scope: { streams: [], prefixes: [] } }))
      .thenThrows('EXPORT_SCOPE_REQUIRED');
    spec
      .given([])
      .when(record({ files: [] }))
      .thenThrows('INVALID_EXPORT_FILES');
    spec
      .given([])
      .when(record({ files: [{ ...file, sha256: 'not-a-hash' }] }))
      .thenThrows('INVALID_EXPORT_FILES', { field: 'files[0]' });
    spec
      .given([])
      .when(record({ eventCount: -1 }))
      .thenThrows('INVALID_EXPORT_COUNT', { field: 'eventCount' });
    spec
      .given([])
      .when(record({ scope: { streams: ['bad\nstream'], prefixes: [] } }))
      .thenThrows('INVALID_STREAM_NAME', { field: 'scope.streams[0]' });
  });
});
