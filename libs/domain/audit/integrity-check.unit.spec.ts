import { specFor } from '../kernel/decider-spec';
import {
  integrityChecksDecider,
  integrityChecksStreamName,
  integrityChecksStreamOf,
  type RecordIntegrityCheck,
} from './integrity-check';

const spec = specFor(integrityChecksDecider);
const at = '2026-12-07T02:00:41.000Z';
const check = (overrides: Partial<RecordIntegrityCheck> = {}): RecordIntegrityCheck => ({
  type: 'RecordIntegrityCheck',
  checkId: 'job-41',
  streamId: null,
  streams: 120,
  events: 4312,
  upTo: '4312',
  broken: [],
  at,
  ...overrides,
});
const checked = (overrides: object = {}) => ({
  type: 'IntegrityChecked' as const,
  data: {
    checkId: 'job-41',
    streamId: null,
    streams: 120,
    events: 4312,
    upTo: '4312',
    broken: [],
    checkedAt: at,
    ...overrides,
  },
});

describe('IntegrityChecks', () => {
  it('keeps a month of checks in one stream', () => {
    expect(integrityChecksStreamOf(at)).toBe(integrityChecksStreamName('2026-12'));
    expect(integrityChecksStreamName('2026-12')).toBe('audit.integrityChecks-2026-12');
  });

  it('given a check, then its result is on record, broken links included', () => {
    const broken = [{ streamId: 'ordering.vial-x', brokenAt: '3', problem: 'hash_mismatch' }];
    spec
      .given([])
      .when(check({ broken }))
      .then([checked({ broken })]);
  });

  it('given a walk of $all that stopped short of the head, then the gap is on record', () => {
    const gap = { after: '4312', head: '4400' };
    spec
      .given([])
      .when(check({ gap }))
      .then([checked({ gap })]);
  });

  it('given a walk that reached the head, then no gap is recorded', () => {
    spec
      .given([])
      .when(check({ gap: null }))
      .then([checked()]);
  });

  it('given signatures checked too, then how many and each that does not verify are on record', () => {
    const unverified = [
      {
        streamId: 'ordering.deliveryDay-e:2026-12-07',
        revision: '2',
        eventId: 'event-2',
        type: 'ActivityReleased',
        meaning: 'release',
      },
    ];
    spec
      .given([])
      .when(check({ signatures: { checked: 7, unverified } }))
      .then([checked({ signatures: { checked: 7, unverified } })]);
    spec
      .given([])
      .when(check({ signatures: { checked: -1, unverified: [] } }))
      .thenThrows('INVALID_CHECK_COUNT');
  });

  it('given anchors checked and GMP streams set to forget, then both are on record', () => {
    const anchors = {
      checked: 3,
      latest: { anchorId: 'job-9', position: '4300' },
      disagreements: [{ anchorId: 'job-8', position: '4000', problem: 'not_reached', message: 'the record ends' }],
      signing: {
        keyConfigured: true,
        verified: 2,
        unsigned: 1,
        otherKey: 0,
        failures: [{ anchorId: 'job-9', position: '4300', problem: 'mac_mismatch' as const }],
      },
    };
    const retention = [{ streamId: 'ordering.vial-x', maxAge: 3600 }];
    spec
      .given([])
      .when(check({ anchors, retention }))
      .then([checked({ anchors, retention })]);
  });

  it('given the same check recorded already (a retried job), then nothing is added; another check is', () => {
    spec.given([checked()]).when(check()).thenNothing();
    spec
      .given([checked()])
      .when(check({ checkId: 'job-42' }))
      .then([checked({ checkId: 'job-42' })]);
  });

  it('refuses a result without counts or a time', () => {
    spec
      .given([])
      .when(check({ events: -1 }))
      .thenThrows('INVALID_CHECK_COUNT', { field: 'events' });
    spec
      .given([])
      .when(check({ at: 'yesterday' }))
      .thenThrows('INVALID_INSTANT');
  });
});
